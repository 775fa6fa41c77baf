import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DsError, errorMessage, type AccessResponse, type HealthCheck, type HealthResponse, type Logger, type ProgressEvent, type WorkloadCallOptions, type WorkloadDriver, type WorkloadInput, type WorkloadSchema } from '../../plugin-sdk/index.js';
import { kindFailure, pickCluster, resolveBinary, type KindCli } from './kind-cli.js';
import { API_LABEL, rewriteKubeconfig, serverUrl } from './kubeconfig.js';
import { clusterConfigYaml, KIND_CONFIG_OPTIONS, kindOptions, validateKindConfig, type KindOptions } from './options.js';
import { forwardHost } from './forward-host.js';
import { httpGet } from '../../plugin-sdk/host/http-get.js';

const CONTRACT_VERSION = '1';

/** How the driver runs; from the builtin's own config (`plugins.config.workload-kind`). */
export interface KindDriverOptions {
  cli: KindCli;
  log?: Logger;
  /** Pause before create attempt ≥ 2 (reference: 5 s). */
  retryDelayMs: number;
  /** Timeout of the `/readyz` GET. */
  probeTimeoutMs: number;
  /** `api.proxy_bind`: where the daemon's forwards listen. */
  proxyBind: string;
  version: string;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });
}

/**
 * The `kind` workload type, in process (contract v1 §17 with the differences listed in
 * docs/workloads.md): kind runs against the instance's dockerd; access rewrites the kubeconfig
 * to the daemon's `kubernetes-api` forward; health asks the API server's `/readyz` through that
 * forward and counts the nodes with `kind get nodes` (no kubectl).
 */
export class KindWorkloadDriver implements WorkloadDriver {
  constructor(private readonly o: KindDriverOptions) {}

  async schema(): Promise<WorkloadSchema> {
    return {
      plugin_name: 'kind',
      plugin_version: this.o.version,
      description: 'Deploy and manage kind (Kubernetes IN Docker) clusters',
      supported_contract_versions: [CONTRACT_VERSION],
      config_options: KIND_CONFIG_OPTIONS.map((opt) => structuredClone(opt)),
    };
  }

  async validate(input: WorkloadInput): Promise<{ valid: boolean; errors?: string[]; warnings?: string[] }> {
    const { errors, warnings } = validateKindConfig(input.plugin_config);
    if (warnings.length > 0) this.o.log?.info({ instance: input.instance_name, warnings }, 'kind validate warnings');
    return { valid: errors.length === 0, ...(errors.length ? { errors } : {}), ...(warnings.length ? { warnings } : {}) };
  }

  /**
   * `checking_prereqs` (kind runnable, dockerd socket present), `creating_cluster` with up to
   * `retries` attempts (best-effort delete and a pause before each retry), `complete`.
   * @throws DsError DS_ERR_PLUGIN_FAILED with kind's stderr when every attempt failed.
   */
  async deploy(input: WorkloadInput, options: WorkloadCallOptions = {}): Promise<void> {
    const emit = (e: ProgressEvent) => options.onProgress?.(e);
    const opts = kindOptions(input.plugin_config, input.instance_name);
    const fail = (step: string, err: DsError): never => {
      emit({ step, status: 'error', message: err.message });
      throw err;
    };
    emit({ step: 'checking_prereqs', status: 'running', message: 'Checking kind and the instance docker socket' });
    if (!resolveBinary(this.o.cli.binary)) fail('checking_prereqs', new DsError('DS_ERR_HOST_TOOL', `kind binary "${this.o.cli.binary}" not found or not executable: install kind or set plugins.config.workload-kind.binary`));
    if (!existsSync(input.instance.socket)) fail('checking_prereqs', new DsError('DS_ERR_DOCKERD', `docker socket ${input.instance.socket} does not exist: is the instance's dockerd running?`));
    emit({ step: 'checking_prereqs', status: 'done' });

    const tmp = opts.kindConfig ? undefined : await mkdtemp(join(tmpdir(), 'dockersnap-kind-'));
    try {
      const configFile = opts.kindConfig ?? join(tmp!, 'cluster.yaml');
      if (tmp) await writeFile(configFile, clusterConfigYaml(opts), { mode: 0o600 });
      const args = createArgs(opts, configFile);
      emit({ step: 'creating_cluster', status: 'running', message: `Creating kind cluster "${opts.clusterName}"` });
      let last: DsError | undefined;
      for (let attempt = 1; attempt <= opts.retries; attempt += 1) {
        if (attempt > 1) {
          emit({ step: 'creating_cluster', status: 'running', message: `Retry ${attempt}/${opts.retries} after previous failure` });
          await this.o.cli.run(input, ['delete', 'cluster', '--name', opts.clusterName], { signal: options.signal }).catch(() => undefined);
          await sleep(this.o.retryDelayMs, options.signal);
        }
        const r = await this.o.cli.run(input, args, { signal: options.signal, long: true });
        if (r.exitCode === 0) {
          last = undefined;
          break;
        }
        last = kindFailure(args, r);
        this.o.log?.warn({ instance: input.instance_name, attempt, err: last.message }, 'kind create cluster failed');
        if (options.signal?.aborted) break;
      }
      if (last) fail('creating_cluster', last);
      emit({ step: 'creating_cluster', status: 'done', message: `kind cluster "${opts.clusterName}" created` });
      emit({ step: 'complete', status: 'done', message: `kind cluster "${opts.clusterName}" created` });
    } finally {
      if (tmp) await rm(tmp, { recursive: true, force: true });
    }
  }

  /** `deleting_cluster`: `kind delete cluster` (exit 0 for a missing cluster). @throws DsError DS_ERR_PLUGIN_FAILED */
  async teardown(input: WorkloadInput, options: WorkloadCallOptions = {}): Promise<void> {
    const emit = (e: ProgressEvent) => options.onProgress?.(e);
    const cluster = await this.cluster(input, options.signal);
    emit({ step: 'deleting_cluster', status: 'running', message: `Deleting kind cluster "${cluster}"` });
    const args = ['delete', 'cluster', '--name', cluster];
    const r = await this.o.cli.run(input, args, { signal: options.signal, long: true });
    if (r.exitCode !== 0) {
      const err = kindFailure(args, r);
      emit({ step: 'deleting_cluster', status: 'error', message: err.message });
      throw err;
    }
    emit({ step: 'complete', status: 'done', message: `kind cluster "${cluster}" deleted` });
  }

  /** The kubeconfig pointed at the daemon's `kubernetes-api` forward; `KUBECONFIG` for `dockersnap use`. */
  async access(input: WorkloadInput, options: WorkloadCallOptions = {}): Promise<AccessResponse> {
    const cluster = await this.cluster(input, options.signal);
    const { content, scheme, rewritten } = rewriteKubeconfig(await this.o.cli.kubeconfig(input, cluster, options.signal));
    if (!rewritten) this.o.log?.warn({ instance: input.instance_name, cluster }, 'kind kubeconfig has no loopback server address: left as kind wrote it');
    return {
      contract_version: CONTRACT_VERSION,
      env: { KUBECONFIG: '${ACCESS_DIR}/kubeconfig' },
      files: [{ name: 'kubeconfig', content, mode: '0600' }],
      endpoints: [{ name: API_LABEL, scheme, host_port_label: API_LABEL, insecure: true, description: 'kubectl-compatible Kubernetes API' }],
    };
  }

  async describe(input: WorkloadInput, options: WorkloadCallOptions = {}): Promise<Record<string, unknown>> {
    const opts = kindOptions(input.plugin_config, input.instance_name);
    const clusters = await this.o.cli.clusters(input, options.signal).catch(() => [] as string[]);
    const cluster = pickCluster(opts.clusterName, clusters);
    const nodes = clusters.includes(cluster) ? await this.o.cli.nodes(input, cluster, options.signal).catch(() => [] as string[]) : [];
    const c = input.plugin_config ?? {};
    const config: Record<string, unknown> = { cluster_name: opts.clusterName };
    for (const key of ['kubernetes_version', 'node_image', 'kind_config', 'api_server_port', 'extra_port_mappings'] as const) if (c[key] !== undefined && c[key] !== '') config[key] = c[key];
    return {
      contract_version: CONTRACT_VERSION,
      workload_type: 'kind',
      status: clusters.includes(cluster) ? 'ready' : 'missing',
      ports: [{ label: API_LABEL, container_port: 6443, protocol: 'tcp' }],
      config,
      details: { cluster, ...(nodes.length > 0 ? { node_count: nodes.length } : {}) },
    };
  }

  /**
   * Checks `api-server` (GET `/readyz` through the `kubernetes-api` forward: ok iff 200 and
   * body `ok`) and `nodes` (`kind get nodes`: ok iff ≥ 1). No kubeconfig ⇒ one failing
   * `kubeconfig` check. Never throws for a cluster fault.
   */
  async health(input: WorkloadInput, options: WorkloadCallOptions = {}): Promise<HealthResponse> {
    const cluster = await this.cluster(input, options.signal);
    let kubeconfig: string;
    try {
      kubeconfig = await this.o.cli.kubeconfig(input, cluster, options.signal);
    } catch (err) {
      return { contract_version: CONTRACT_VERSION, healthy: false, checks: [{ name: 'kubeconfig', ok: false, message: errorMessage(err) }] };
    }
    const checks: HealthCheck[] = [await this.apiServerCheck(input, kubeconfig, options.signal), await this.nodesCheck(input, cluster, options.signal)];
    return { contract_version: CONTRACT_VERSION, healthy: checks.every((c) => c.ok), checks };
  }

  private async apiServerCheck(input: WorkloadInput, kubeconfig: string, signal?: AbortSignal): Promise<HealthCheck> {
    const forward = input.forwarded_ports?.find((p) => p.label === API_LABEL);
    if (!forward) return { name: 'api-server', ok: false, message: `no ${API_LABEL} forward: the port proxy does not (yet) forward the API server's port 6443` };
    const url = `${serverUrl(kubeconfig)?.scheme ?? 'https'}://${forwardHost(this.o.proxyBind)}:${forward.host_port}/readyz`;
    try {
      const r = await httpGet(url, this.o.probeTimeoutMs, { insecureTls: true, maxBodyBytes: 4096, ...(signal ? { signal } : {}) }); // kind's API server has its own CA
      const body = r.body.trim();
      const ok = r.status === 200 && body === 'ok';
      return { name: 'api-server', ok, message: ok ? 'ok' : `GET ${url}: HTTP ${r.status}${body ? ` ${body.slice(0, 200)}` : ''}` };
    } catch (err) {
      return { name: 'api-server', ok: false, message: `GET ${url}: ${errorMessage(err)}` };
    }
  }

  private async nodesCheck(input: WorkloadInput, cluster: string, signal?: AbortSignal): Promise<HealthCheck> {
    try {
      const nodes = await this.o.cli.nodes(input, cluster, signal);
      return nodes.length > 0 ? { name: 'nodes', ok: true, message: `${nodes.length} node(s): ${nodes.join(' ')}` } : { name: 'nodes', ok: false, message: `no nodes for cluster "${cluster}"` };
    } catch (err) {
      return { name: 'nodes', ok: false, message: errorMessage(err) };
    }
  }

  private cluster(input: WorkloadInput, signal?: AbortSignal): Promise<string> {
    return this.o.cli.resolveClusterName(input, kindOptions(input.plugin_config, input.instance_name).clusterName, signal);
  }
}

/** `kind create cluster --name <c> --config <f> [--wait <t>] [--image <i>]`. */
export function createArgs(opts: KindOptions, configFile: string): string[] {
  return ['create', 'cluster', '--name', opts.clusterName, '--config', configFile, ...(opts.waitReady ? ['--wait', opts.waitTimeout] : []), ...(opts.image ? ['--image', opts.image] : [])];
}
