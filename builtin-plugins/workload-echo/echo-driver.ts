import { DsError, errorMessage, type AccessResponse, type HealthCheck, type HealthResponse, type ProgressEvent, type WorkloadCallOptions, type WorkloadDriver, type WorkloadInput, type WorkloadSchema } from '../../plugin-sdk/index.js';
import type { EchoDockerApi, EchoDockerFactory } from './docker-api.js';
import { replyText } from './http-probe.js';
import { httpGet } from '../../plugin-sdk/host/http-get.js';
import { ECHO_CONFIG_OPTIONS, WORKLOAD_NAME, echoOptions, readEchoOptions, type EchoOptions } from './options.js';
import { echoRunSpec, isBusyboxImage } from './run-spec.js';

export const DESCRIPTION = 'Run a simple HTTP echo container — useful for testing the plugin system';

/** How long the health check's HTTP GET may take. */
export const HTTP_PROBE_TIMEOUT_MS = 5_000;

const short = (id: string) => id.slice(0, 12);
const firstLine = (text: string) => text.split('\n').find((l) => l.trim() !== '')?.trim() ?? text;

/**
 * The `echo` workload type, in process: one HTTP echo container per instance, reached through
 * dockerode on the instance socket (plugin-contract-v1 §16, with the differences listed in
 * docs/workloads.md). Every command is idempotent; none keeps state between calls.
 */
export class EchoWorkload implements WorkloadDriver {
  constructor(
    private readonly docker: EchoDockerFactory,
    private readonly version: string,
  ) {}

  /** The §16 metadata with this plugin's defaults. */
  async schema(): Promise<WorkloadSchema> {
    return { plugin_name: WORKLOAD_NAME, plugin_version: this.version, description: DESCRIPTION, supported_contract_versions: ['1'], config_options: ECHO_CONFIG_OPTIONS.map((o) => ({ ...o })) };
  }

  /** Type and range checks of the config (the reference plugin has none; it fails later instead). */
  async validate(input: WorkloadInput): Promise<{ valid: boolean; errors?: string[] }> {
    const { issues } = readEchoOptions(input);
    return issues.length > 0 ? { valid: false, errors: issues } : { valid: true };
  }

  /**
   * Starts the echo container unless one runs already. The busybox image is built and loaded
   * when missing; another image is pulled, and a failed pull only warns (it may be loaded).
   * @throws DsError DS_ERR_PLUGIN_CONFIG for bad options, DS_ERR_PLUGIN_FAILED when the image
   *   cannot be loaded or the container cannot be started.
   */
  async deploy(input: WorkloadInput, call: WorkloadCallOptions = {}): Promise<void> {
    const options = echoOptions(input);
    const emit = (e: ProgressEvent) => call.onProgress?.(e);
    const api = await this.docker(input.instance.socket);
    emit({ step: 'checking_existing', status: 'running', message: 'Checking for existing echo container' });
    const running = await this.step(emit, 'checking_existing', 'listing echo containers', () => api.listEcho(false));
    emit({ step: 'checking_existing', status: 'done' });
    if (running[0]) {
      emit({ step: 'complete', status: 'done', message: `echo container ${short(running[0])} already running` });
      return;
    }
    call.signal?.throwIfAborted();
    await this.provideImage(api, options.image, emit);
    call.signal?.throwIfAborted();
    emit({ step: 'running_container', status: 'running', message: `Starting echo on container port ${options.port}` });
    await this.step(emit, 'running_container', `docker run ${options.image}`, () => api.run(echoRunSpec(options, input.instance_name)));
    emit({ step: 'running_container', status: 'done' });
    emit({ step: 'complete', status: 'done', message: `echo container running, listening on container port ${options.port}` });
  }

  private async provideImage(api: EchoDockerApi, image: string, emit: (e: ProgressEvent) => void): Promise<void> {
    if (isBusyboxImage(image)) {
      emit({ step: 'pulling_image', status: 'running', message: `Loading ${image} (built from the host's busybox, never pulled)` });
      if (!(await this.step(emit, 'pulling_image', `inspecting image ${image}`, () => api.hasImage(image)))) {
        await this.step(emit, 'pulling_image', `building ${image} from /bin/busybox (install busybox-static on the daemon host)`, () => api.loadBusyboxImage(image));
      }
    } else {
      emit({ step: 'pulling_image', status: 'running', message: `Pulling ${image}` });
      try {
        await api.pull(image);
      } catch (err) {
        emit({ step: 'pulling_image', status: 'running', message: `pull failed (${firstLine(errorMessage(err))}); continuing` });
      }
    }
    emit({ step: 'pulling_image', status: 'done' });
  }

  /** Runs `fn`; a failure becomes an `error` event of `step` and DS_ERR_PLUGIN_FAILED naming `what`. */
  private async step<T>(emit: (e: ProgressEvent) => void, step: string, what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const message = `${what}: ${errorMessage(err)}`;
      emit({ step, status: 'error', message });
      throw new DsError('DS_ERR_PLUGIN_FAILED', message, { details: { plugin: WORKLOAD_NAME, step }, cause: err });
    }
  }

  /** Force-removes every echo container (running or not). Idempotent. @throws DsError DS_ERR_PLUGIN_FAILED */
  async teardown(input: WorkloadInput, call: WorkloadCallOptions = {}): Promise<void> {
    const emit = (e: ProgressEvent) => call.onProgress?.(e);
    const api = await this.docker(input.instance.socket);
    emit({ step: 'finding_containers', status: 'running', message: 'Finding echo containers' });
    const ids = await this.step(emit, 'finding_containers', 'listing echo containers', () => api.listEcho(true));
    emit({ step: 'finding_containers', status: 'done' });
    if (ids.length === 0) {
      emit({ step: 'complete', status: 'done', message: 'no echo containers to remove' });
      return;
    }
    emit({ step: 'removing_containers', status: 'running', message: `Removing ${ids.length} echo container(s)` });
    await this.step(emit, 'removing_containers', 'docker rm --force', () => api.remove(ids));
    emit({ step: 'removing_containers', status: 'done' });
    emit({ step: 'complete', status: 'done', message: `removed ${ids.length} echo container(s)` });
  }

  /** `ECHO_URL` and one endpoint once the port proxy forwards the container port; else empty. */
  async access(input: WorkloadInput): Promise<AccessResponse> {
    const { port } = echoOptions(input);
    const forward = (input.forwarded_ports ?? []).find((p) => p.container_port === port && p.protocol === 'tcp');
    if (!forward) return { contract_version: '1', env: {} };
    return {
      contract_version: '1',
      env: { ECHO_URL: `http://\${HOST}:\${PORT:${forward.label}}` },
      endpoints: [{ name: 'echo', scheme: 'http', host_port_label: forward.label, description: 'HTTP echo endpoint' }],
    };
  }

  /** Type, container state (or `missing`), the port, the resolved config and the container id. */
  async describe(input: WorkloadInput): Promise<Record<string, unknown>> {
    const options = echoOptions(input);
    const api = await this.docker(input.instance.socket);
    const id = await this.currentContainer(api);
    const state = id ? await api.inspect(id) : undefined;
    return {
      workload_type: WORKLOAD_NAME,
      status: state?.status ?? 'missing',
      ports: [{ label: 'echo', container_port: options.port, protocol: 'tcp' }],
      config: { ...options },
      ...(state ? { details: { container_id: state.id } } : {}),
    };
  }

  /** A running echo container first (newest), else the newest of any state. */
  private async currentContainer(api: EchoDockerApi): Promise<string | undefined> {
    return (await api.listEcho(false))[0] ?? (await api.listEcho(true))[0];
  }

  /**
   * Checks `container-lookup`, `container-state` (running) and `http` (a GET of the service at
   * the namespace address answers the configured text). Never throws for an unhealthy workload.
   */
  async health(input: WorkloadInput, call: WorkloadCallOptions = {}): Promise<HealthResponse> {
    const options = echoOptions(input);
    const unhealthy = (message: string): HealthResponse => ({ contract_version: '1', healthy: false, checks: [{ name: 'container-lookup', ok: false, message }] });
    let state;
    try {
      const api = await this.docker(input.instance.socket);
      const id = await this.currentContainer(api);
      state = id ? await api.inspect(id) : undefined;
    } catch (err) {
      return unhealthy(errorMessage(err));
    }
    if (!state) return unhealthy('no echo container found');
    const checks: HealthCheck[] = [
      { name: 'container-lookup', ok: true, message: `id ${short(state.id)}` },
      { name: 'container-state', ok: state.status === 'running', message: state.status },
      state.status === 'running' ? await this.httpCheck(input, options, state.ports, call.signal) : { name: 'http', ok: false, message: `not probed: container is ${state.status}` },
    ];
    return { contract_version: '1', healthy: checks.every((c) => c.ok), checks };
  }

  private async httpCheck(input: WorkloadInput, options: EchoOptions, ports: Record<string, Array<{ HostPort?: string }> | null>, signal?: AbortSignal): Promise<HealthCheck> {
    const published = (ports[`${options.port}/tcp`] ?? []).map((b) => Number(b.HostPort)).find((p) => Number.isInteger(p) && p > 0);
    if (published === undefined) return { name: 'http', ok: false, message: `container port ${options.port}/tcp is not published` };
    const url = `http://${input.instance.ns_veth_ip}:${published}/`;
    try {
      const reply = await httpGet(url, HTTP_PROBE_TIMEOUT_MS, signal ? { signal } : {});
      const text = replyText(reply.body);
      if (text === options.text) return { name: 'http', ok: true, message: `GET ${url} answered the configured text` };
      return { name: 'http', ok: false, message: `GET ${url} answered ${reply.status} ${JSON.stringify(text.slice(0, 80))}, expected ${JSON.stringify(options.text)}` };
    } catch (err) {
      return { name: 'http', ok: false, message: `GET ${url}: ${errorMessage(err)}` };
    }
  }
}
