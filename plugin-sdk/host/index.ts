/**
 * Host helpers shared by the builtin plugins: /proc mountinfo, holder scans, tool lookup,
 * sizes, sparse pool files, memoised initialisation, registry-free busybox images. Linux only;
 * none of them runs a command (images are loaded through the Docker API).
 * @packageDocumentation
 */
export { parseMountinfo, readMounts, isUnder, mountOf, mountsBelow, selfBindsAt } from './mountinfo.js';
export type { MountEntry } from './mountinfo.js';
export { pathHolders } from './holders.js';
export type { HolderScanOptions } from './holders.js';
export { missingTool } from './tools.js';
export { parseSize } from './size.js';
export { createSparseFile } from './sparse-file.js';
export { memoInit } from './memo-init.js';
export type { MemoInit } from './memo-init.js';
export { buildBusyboxImage, busyboxArchive, busyboxLayer, BUSYBOX_APPLETS } from './images.js';
export { httpGet } from './http-get.js';
export type { HttpGetOptions, HttpReply } from './http-get.js';
