import t from 'tap';
import { FakeStorage } from '../../plugin-sdk/testing/fake-storage.js';
import { runStorageConformance, type StorageHarness } from '../../plugin-sdk/testing/storage-conformance.js';

const MiB = 1024 * 1024;

/** The fake's own file API stands in for a mountpoint. */
function fakeHarness(capacityBytes = 16 * MiB): StorageHarness {
  const fake = new FakeStorage(capacityBytes);
  return {
    driver: fake,
    writeFile: async (name, rel, data) => fake.writeFile(name, rel, data),
    readFile: async (name, rel) => fake.readFile(name, rel),
    async fill(name, bytes) {
      const chunk = 'x'.repeat(MiB);
      try {
        for (let i = 0; i * MiB < bytes; i++) fake.writeFile(name, `fill-${i}`, chunk);
        return false;
      } catch (err) {
        if ((err as { code?: string }).code === 'DS_ERR_POOL_FULL') return true;
        throw err;
      }
    },
    async holdBusy(name) {
      fake.busy.add(name);
      return async () => void fake.busy.delete(name);
    },
  };
}

await runStorageConformance(t, 'fake', async () => fakeHarness());
