import { StreamedOperation } from './client-operation.js';
import { isMissingRoute } from './errors.js';
import { HttpClient } from './http-client.js';
import type { AccessBundle, ClientOperation, CreateSpec, Instance, InstancePorts, ProgressEvent, RequestOptions, WorkloadDescription, WorkloadHealth } from './types.js';

const p = (name: string) => `/api/v1/instances/${encodeURIComponent(name)}`;

/** Request descriptions of the mutators, shared by their plain and streamed forms. */
const CALLS = {
  create: (spec: CreateSpec): RequestOptions => ({
    method: 'POST',
    path: '/api/v1/instances',
    body: spec.plugin ? { name: spec.name, workload_inline: { plugin: spec.plugin, ...(spec.config && Object.keys(spec.config).length > 0 ? { config: spec.config } : {}) } } : { name: spec.name },
  }),
  delete: (name: string): RequestOptions => ({ method: 'DELETE', path: p(name) }),
  start: (name: string): RequestOptions => ({ method: 'POST', path: `${p(name)}/start` }),
  stop: (name: string): RequestOptions => ({ method: 'POST', path: `${p(name)}/stop` }),
  restart: (name: string): RequestOptions => ({ method: 'POST', path: `${p(name)}/restart` }),
  snapshot: (name: string, label: string, tags: Record<string, string> | undefined, owner: string): RequestOptions => ({
    method: 'POST',
    path: `${p(name)}/snapshot`,
    body: { label, ...(tags && Object.keys(tags).length > 0 ? { tags } : {}), ...(owner ? { owner } : {}) },
  }),
  revert: (name: string, label: string, force: boolean): RequestOptions => ({ method: 'POST', path: `${p(name)}/revert`, body: { label, ...(force ? { force: true } : {}) } }),
  clone: (name: string, label: string, newName: string): RequestOptions => ({ method: 'POST', path: `${p(name)}/clone`, body: { label, new_name: newName } }),
  deleteSnapshot: (name: string, label: string, owner: string, force: boolean): RequestOptions => ({
    method: 'DELETE',
    path: `${p(name)}/snapshots/${encodeURIComponent(label)}`,
    body: { ...(owner ? { owner } : {}), ...(force ? { force: true } : {}) },
  }),
};

/** The streamed (NDJSON) form of every mutator: iterate for progress, await `.result`. */
export interface ProgressCalls {
  create(spec: CreateSpec | string): ClientOperation<Instance>;
  delete(name: string): ClientOperation<void>;
  start(name: string): ClientOperation<void>;
  stop(name: string): ClientOperation<void>;
  restart(name: string): ClientOperation<void>;
  snapshot(name: string, label: string, options?: { tags?: Record<string, string> }): ClientOperation<void>;
  revert(name: string, label: string, options?: { force?: boolean }): ClientOperation<void>;
  clone(name: string, label: string, newName: string): ClientOperation<Instance>;
  deleteSnapshot(name: string, label: string, options?: { force?: boolean }): ClientOperation<void>;
}

const asSpec = (spec: CreateSpec | string): CreateSpec => (typeof spec === 'string' ? { name: spec } : spec);
const nothing = async (): Promise<void> => undefined;

/** The instance calls of the REST API v1 on top of the HTTP layer. */
export class InstanceClient extends HttpClient {
  readonly progress: ProgressCalls;

  constructor(remote: string, token: string, timeoutMs: number, readonly owner: string) {
    super(remote, token, timeoutMs);
    const op = <R>(source: AsyncIterable<ProgressEvent>, finish: () => Promise<R>) => new StreamedOperation(source, finish);
    this.progress = {
      create: (spec) => op(this.stream(CALLS.create(asSpec(spec))), () => this.get(asSpec(spec).name)),
      delete: (name) => op(this.stream(CALLS.delete(name)), nothing),
      start: (name) => op(this.stream(CALLS.start(name)), nothing),
      stop: (name) => op(this.stream(CALLS.stop(name)), nothing),
      restart: (name) => op(this.restartEvents(name), nothing),
      snapshot: (name, label, options = {}) => op(this.stream(CALLS.snapshot(name, label, options.tags, this.owner)), nothing),
      revert: (name, label, options = {}) => op(this.stream(CALLS.revert(name, label, options.force === true)), nothing),
      clone: (name, label, newName) => op(this.stream(CALLS.clone(name, label, newName)), () => this.get(newName)),
      deleteSnapshot: (name, label, options = {}) => op(this.stream(CALLS.deleteSnapshot(name, label, this.owner, options.force === true)), nothing),
    };
  }

  async list(): Promise<Instance[]> {
    return (await this.request<Instance[] | null>({ method: 'GET', path: '/api/v1/instances' })) ?? [];
  }

  get(name: string): Promise<Instance> {
    return this.request<Instance>({ method: 'GET', path: p(name) });
  }

  create(spec: CreateSpec | string): Promise<Instance> {
    return this.request<Instance>(CALLS.create(asSpec(spec)));
  }

  async delete(name: string): Promise<void> {
    await this.request(CALLS.delete(name));
  }

  async start(name: string): Promise<void> {
    await this.request(CALLS.start(name));
  }

  async stop(name: string): Promise<void> {
    await this.request(CALLS.stop(name));
  }

  /** Our one-operation restart; against the original daemon (no such route) stop, errors ignored, then start — as its CLI. */
  async restart(name: string): Promise<void> {
    try {
      await this.request(CALLS.restart(name));
    } catch (err) {
      if (!isMissingRoute(err)) throw err;
      await this.stop(name).catch(() => undefined);
      await this.start(name);
    }
  }

  async snapshot(name: string, label: string, options: { tags?: Record<string, string> } = {}): Promise<void> {
    await this.request(CALLS.snapshot(name, label, options.tags, this.owner));
  }

  async revert(name: string, label: string, options: { force?: boolean } = {}): Promise<void> {
    await this.request(CALLS.revert(name, label, options.force === true));
  }

  clone(name: string, label: string, newName: string): Promise<Instance> {
    return this.request<Instance>(CALLS.clone(name, label, newName));
  }

  fromSnapshot(source: string, label: string, newName: string): Promise<Instance> {
    return this.clone(source, label, newName);
  }

  async deleteSnapshot(name: string, label: string, options: { force?: boolean } = {}): Promise<void> {
    await this.request(CALLS.deleteSnapshot(name, label, this.owner, options.force === true));
  }

  async ports(name: string): Promise<InstancePorts> {
    const res = await this.request<InstancePorts>({ method: 'GET', path: `${p(name)}/ports` });
    return { ...res, ports: res.ports ?? [] };
  }

  async refreshPorts(name: string): Promise<InstancePorts> {
    const res = await this.request<InstancePorts>({ method: 'POST', path: `${p(name)}/ports/refresh` });
    return { ...res, ports: res.ports ?? [] };
  }

  access(name: string): Promise<AccessBundle> {
    return this.request<AccessBundle>({ method: 'GET', path: `${p(name)}/access` });
  }

  workload(name: string): Promise<WorkloadDescription> {
    return this.request<WorkloadDescription>({ method: 'GET', path: `${p(name)}/workload` });
  }

  workloadHealth(name: string, options: { fresh?: boolean } = {}): Promise<WorkloadHealth> {
    return this.request<WorkloadHealth>({ method: 'GET', path: `${p(name)}/workload/health${options.fresh ? '?fresh=true' : ''}` });
  }

  private async *restartEvents(name: string): AsyncGenerator<ProgressEvent> {
    try {
      yield* this.stream(CALLS.restart(name));
      return;
    } catch (err) {
      if (!isMissingRoute(err)) throw err;
    }
    try {
      for await (const e of this.stream(CALLS.stop(name))) if (e.status !== 'error') yield e;
    } catch {
      // ignored, as the original CLI's restart does
    }
    yield* this.stream(CALLS.start(name));
  }
}
