import { definePlugin, workloadCapability } from '../../plugin-sdk/index.js';
import { dockerodeEchoApi } from './docker-api.js';
import { EchoWorkload } from './echo-driver.js';
import { WORKLOAD_NAME } from './options.js';

const PLUGIN_NAME = 'workload-echo';
const VERSION = '0.1.0';

/**
 * Provides the workload type `echo` (key of the multi `workload` capability): a small HTTP
 * echo container per instance, in process, through dockerode on the instance socket. Needs no
 * host tool at set-up; the default image needs `/bin/busybox` (busybox-static) at deploy.
 */
export default definePlugin({
  id: PLUGIN_NAME,
  version: VERSION,
  description: 'Builtin workload type echo: a small HTTP echo container in the instance (no image pulls)',
  provides: [workloadCapability],
  setup(ctx) {
    ctx.provide(workloadCapability, new EchoWorkload(dockerodeEchoApi, VERSION), { key: WORKLOAD_NAME });
  },
});
