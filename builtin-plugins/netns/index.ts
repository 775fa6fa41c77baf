import { SkipPlugin, definePlugin, missingTool, netnsCapability } from '../../plugin-sdk/index.js';
import { HostNetns } from './host-netns.js';

const PLUGIN_NAME = 'netns';

interface NetnsConfig {
  /** Parent of the per-namespace resolv.conf directories. */
  etc_netns_dir: string;
}

/**
 * Provides `netnsCapability` with real namespaces: `ds-<name>`, a veth pair to the host and
 * NAT/forward rules tagged `dockersnap-<name>`. Skips on hosts without `ip`, `iptables`,
 * `nsenter`, or when not running as root.
 */
export default definePlugin<NetnsConfig>({
  id: PLUGIN_NAME,
  version: '0.1.0',
  description: 'Per-instance network namespace, veth pair, NAT and forward rules',
  provides: [netnsCapability],
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: { etc_netns_dir: { type: 'string', minLength: 1, default: '/etc/netns' } },
  },
  setup(ctx) {
    const missing = missingTool(['ip', 'iptables', 'nsenter']);
    if (missing) throw new SkipPlugin(`${missing} is not installed`);
    if (process.getuid?.() !== 0) throw new SkipPlugin('network namespaces need root');
    ctx.provide(netnsCapability, new HostNetns(ctx.exec, ctx.log, { etcNetnsDir: ctx.config.etc_netns_dir, hostInterface: ctx.settings.network.host_interface }));
  },
});
