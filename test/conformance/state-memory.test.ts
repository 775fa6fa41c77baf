import t from 'tap';
import { MemoryStateStore } from '../../plugin-sdk/testing/index.js';
import { runStateConformance } from '../../plugin-sdk/testing/state-conformance.js';

// The fake every unit test uses must behave like the real store.
runStateConformance(t, 'memory state conformance', async (dir) => new MemoryStateStore(dir));
