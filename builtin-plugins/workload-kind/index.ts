import { definePlugin, missingTool, parseDurationMs, SkipPlugin, workloadCapability } from '../../plugin-sdk/index.js';
import { KindCli, resolveBinary } from './kind-cli.js';
import { KindWorkloadDriver } from './kind-driver.js';

const VERSION = '0.1.0';

/** `plugins.config.workload-kind`. */
export interface KindPluginConfig {
  /** The kind executable: a name looked up on `$PATH`, or a path. */
  binary: string;
  /** Pause before create attempt ≥ 2 (Go duration). */
  retry_delay: string;
  /** Timeout of kind's read-only calls (get clusters/nodes/kubeconfig, delete before a retry). */
  command_timeout: string;
  /** Timeout of the health check's `/readyz` GET. */
  probe_timeout: string;
}

const GO_DURATION = '^(0|((\\d+(\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h))+)$';

export const kindPluginConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    binary: { type: 'string', minLength: 1, default: 'kind', description: 'kind executable: a name on PATH or a path' },
    retry_delay: { type: 'string', pattern: GO_DURATION, default: '5s', description: 'pause before each create retry' },
    command_timeout: { type: 'string', pattern: GO_DURATION, default: '60s', description: "timeout of kind's read-only calls" },
    probe_timeout: { type: 'string', pattern: GO_DURATION, default: '5s', description: 'timeout of the /readyz GET of health' },
  },
} as const;

/**
 * The builtin `kind` workload type (in process): deploys a kind cluster into the instance's
 * dockerd, hands out a kubeconfig pointed at the daemon's `kubernetes-api` forward, and checks
 * `/readyz`. Skipped when the kind binary or the docker CLI (which kind drives) is missing.
 */
export default definePlugin<KindPluginConfig>({
  id: 'workload-kind',
  version: VERSION,
  description: 'The kind workload: a kind (Kubernetes IN Docker) cluster inside the instance',
  provides: [workloadCapability],
  configSchema: kindPluginConfigSchema,
  setup(ctx) {
    const binary = resolveBinary(ctx.config.binary);
    if (!binary) throw new SkipPlugin(`kind binary "${ctx.config.binary}" not found or not executable (install kind, or set plugins.config.workload-kind.binary)`);
    if (missingTool(['docker'])) throw new SkipPlugin('docker CLI not found: kind drives the instance dockerd through it');
    const cli = new KindCli(ctx.exec, binary, parseDurationMs(ctx.config.command_timeout, 60_000));
    const driver = new KindWorkloadDriver({
      cli,
      log: ctx.log,
      retryDelayMs: Math.max(0, parseDurationMs(ctx.config.retry_delay, 0)),
      probeTimeoutMs: parseDurationMs(ctx.config.probe_timeout, 5000),
      proxyBind: ctx.settings.api.proxy_bind,
      version: VERSION,
    });
    ctx.provide(workloadCapability, driver, { key: 'kind' });
  },
});
