// Not a copy: the mountinfo helpers live in the SDK (plugin-sdk/host/mountinfo.ts). This
// re-export is kept only because test/helpers/pools.ts still imports `readMounts` from
// here; once that import points at '../../plugin-sdk/index.js', delete this file.
export { readMounts } from '../../plugin-sdk/index.js';
