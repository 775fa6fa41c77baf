import { definePlugin } from '../../plugin-sdk/define-plugin.js';
import { stateCapability } from '../../plugin-sdk/capabilities/state.js';
import { JsonStateStore } from './json-state-store.js';

/**
 * Provides the `state` capability with the original's `state.json` at `settings.state_file`.
 * Setup does no I/O: a missing file is an empty state, and a corrupt one is reported by the
 * first read, naming the file and the field, rather than failing boot without context.
 */

const PLUGIN_ID = 'state-json';
const DEFAULT_STATE_FILE = '/var/lib/dockersnap/state.json';

export default definePlugin({
  id: PLUGIN_ID,
  version: '0.1.0',
  description: "Instance state in the original's state.json: atomic, fsync'd, locked across processes",
  provides: [stateCapability],
  setup(ctx) {
    const path = ctx.settings.state_file || DEFAULT_STATE_FILE;
    ctx.provide(stateCapability, new JsonStateStore(path));
    ctx.log.debug({ path }, 'state store ready');
  },
});
