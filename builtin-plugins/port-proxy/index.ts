import { definePlugin, dockerdCapability, missingTool, netnsCapability, portProxyCapability, stateCapability } from '../../plugin-sdk/index.js';
import { portProxyConfigSchema, resolveOptions, type PortProxyConfig } from './config.js';
import { PortProxyService } from './port-proxy-service.js';

const PLUGIN_NAME = 'port-proxy';

const requires = { state: stateCapability, dockerd: dockerdCapability, netns: netnsCapability };

/**
 * Provides `portProxyCapability`: every TCP port a container publishes inside an instance's
 * namespace gets a host listener on `api.proxy_bind` (same port number when free). Needs no
 * tools of its own; nsenter + socat (fallback dial) and iptables (loopback publishes) are
 * used when present. Closing the plugin closes every listener and event stream.
 */
export default definePlugin<PortProxyConfig, typeof requires>({
  id: PLUGIN_NAME,
  version: '0.1.0',
  description: 'Host TCP forwards for ports that containers publish inside an instance\'s namespace',
  provides: [portProxyCapability],
  requires,
  configSchema: portProxyConfigSchema,
  setup(ctx) {
    const tools = { dnat: !missingTool(['nsenter', 'iptables']), nsenter: !missingTool(['nsenter', 'socat']) };
    if (!tools.nsenter) ctx.log.info('nsenter or socat is missing: loopback-bound publishes are reached only through the DNAT rule');
    const service = new PortProxyService({ ...ctx.capabilities, exec: ctx.exec, log: ctx.log }, resolveOptions(ctx.config, ctx.settings, tools));
    ctx.provide(portProxyCapability, service);
    // After a revert the restored containers publish what they published at snapshot time:
    // rescan so the table names them, and tell the user what is forwarded now.
    ctx.hooks.postRollback.tap({ name: 'rescan' }, async (c) => {
      if (!service.isTracked(c.instance)) return;
      const ports = await service.rescan(c.instance, 'rollback');
      const shown = ports.ports.map((p) => `${ports.target_ip}:${p.container_port} on host port ${p.host_port} (${p.description})`);
      c.progress({ step: 'port_forwarding', status: 'done', message: shown.length > 0 ? `After revert to "${c.label}" forwarding ${shown.join(', ')}` : `After revert to "${c.label}" no container publishes a port` });
    });
    ctx.onClose(() => service.close());
    service.start();
  },
});
