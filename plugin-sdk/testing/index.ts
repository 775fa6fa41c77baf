/**
 * Test helpers for plugin authors and for dockersnap itself: a real kernel with fakes,
 * a fake for every capability, and conformance suites.
 * @packageDocumentation
 */
export { startTestKernel, testSettings } from './start-test-kernel.js';
export type { TestKernel, TestKernelOptions, Fake } from './start-test-kernel.js';
export { FakeStorage } from './fake-storage.js';
export { MemoryStateStore, FakeNetns, FakeDockerd, FakePortProxy, FakeWorkload } from './fakes.js';
export { runStateConformance, sampleInstance } from './state-conformance.js';
export type { StateConformanceRaw } from './state-conformance.js';
export { buildBusyboxImage, runTestContainer, busyboxArchive, testContainerScript } from './images.js';
export { runStorageConformance, STORAGE_CASES } from './storage-conformance.js';
export type { StorageHarness, MakeStorageHarness, StorageCase, StorageConformanceOptions } from './storage-conformance.js';
export { checkExecPlugin, assertExecPluginConforms } from './exec-harness.js';
