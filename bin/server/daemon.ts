import { errorMessage } from '../../kernel/errors.js';
import { loadConfig } from '../../kernel/config/load.js';
import { Kernel } from '../../kernel/kernel.js';
import { createLogger } from '../../kernel/logger.js';
import type { Logger } from '../../plugin-sdk/logger.js';
import { daemonWorkloadHealth } from './health-poller.js';
import { startServer } from './server.js';

/** Options of `runDaemon` (what `dockersnap serve` passes). */
export interface DaemonOptions {
  /** `--config`; default `$DOCKERSNAP_CONFIG`, else `/etc/dockersnap/config.yaml` (may be missing). */
  configPath?: string | undefined;
  /** Signals that stop the daemon gracefully; default SIGINT and SIGTERM. */
  signals?: readonly NodeJS.Signals[];
}

/**
 * Reconciles state with reality before the API listens (instance-lifecycle §12 order:
 * plugins → reconcile → API). Never fails the daemon: a pool that cannot be prepared or a
 * broken instance is logged, and the API reports it.
 */
async function reconcileAtStart(kernel: Kernel, log: Logger): Promise<void> {
  const t0 = Date.now();
  try {
    const entries = await kernel.instances.reconcile();
    const outcomes: Record<string, number> = {};
    for (const e of entries) outcomes[e.outcome] = (outcomes[e.outcome] ?? 0) + 1;
    const problems = entries.filter((e) => e.outcome === 'error' || e.outcome === 'orphan').map((e) => `${e.instance}: ${e.reason ?? e.outcome}`);
    log.info({ instances: entries.length, outcomes, ms: Date.now() - t0 }, 'reconcile finished');
    if (problems.length > 0) log.warn({ problems }, 'reconcile found instances that need attention');
  } catch (err) {
    log.error({ err: errorMessage(err), code: (err as { code?: unknown }).code, ms: Date.now() - t0 }, 'reconcile failed; serving anyway (instance operations will report the cause)');
  }
}

function waitForSignal(signals: readonly NodeJS.Signals[]): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    for (const sig of signals) process.once(sig, () => resolve(sig));
  });
}

/** A second signal during shutdown exits at once; a handle a plugin leaked cannot keep us alive. */
function escalate(signals: readonly NodeJS.Signals[], log: Logger): void {
  for (const sig of signals) {
    process.once(sig, () => {
      log.warn({ signal: sig }, 'second signal during shutdown: exiting now');
      process.exit(1);
    });
  }
}

/**
 * `dockersnap serve`: loads the config, boots the kernel (plugins), reconciles the instances,
 * listens on `api.listen`, starts the workload health poller (plugin-contract §12), and on SIGINT/SIGTERM stops accepting requests, lets in-flight
 * requests and operations finish (a streamed operation whose client left still runs to its
 * end), then closes the plugins (port forwards included) in reverse order. Instances keep
 * running. Resolves after a clean shutdown.
 * @throws DsError DS_ERR_CONFIG (config), DS_ERR_PLUGIN_REQUIRED (boot), or the listen error.
 */
export async function runDaemon(options: DaemonOptions = {}): Promise<void> {
  const signals = options.signals ?? ['SIGINT', 'SIGTERM'];
  const stopped = waitForSignal(signals);
  const warnings: string[] = [];
  const settings = await loadConfig({ ...(options.configPath ? { path: options.configPath } : {}), onWarning: (w) => warnings.push(w) });
  const log = createLogger({ level: settings.log_level });
  for (const w of warnings) log.warn(w);
  const kernel = await Kernel.start({ settings, log });
  await reconcileAtStart(kernel, log);
  const health = daemonWorkloadHealth(kernel, settings, log);
  let server;
  try {
    server = await startServer({ kernel, settings, log, workloadHealth: health.source });
  } catch (err) {
    await kernel.close();
    throw err;
  }
  health.start();
  const plugins = kernel.plugins();
  log.info({ url: server.url, plugins: plugins.length, failed: plugins.filter((p) => p.status === 'error').map((p) => p.id) }, 'dockersnap daemon listening');
  const sig = await stopped;
  log.info({ signal: sig }, 'shutting down');
  escalate(signals, log);
  await server.close().catch((err: unknown) => log.error({ err: errorMessage(err) }, 'closing the HTTP server failed'));
  await health.close();
  await kernel.close();
  log.info('stopped');
  setTimeout(() => process.exit(0), 2000).unref();
}
