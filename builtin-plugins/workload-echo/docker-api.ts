import type Docker from 'dockerode';
import { buildBusyboxImage } from '../../plugin-sdk/index.js';

/** The label every echo container carries; lookups filter on it alone (clones keep the source's instance label). */
export const PLUGIN_LABEL = 'dockersnap.plugin=echo';
export const INSTANCE_LABEL_KEY = 'dockersnap.instance';

/** What `docker run` needs for one echo container. */
export interface EchoRunSpec {
  image: string;
  cmd: string[];
  env: string[];
  labels: Record<string, string>;
  /** In-container TCP port, published on a port Docker picks inside the namespace. */
  port: number;
}

/** The part of `docker inspect` the plugin reads. */
export interface EchoContainerState {
  id: string;
  /** `running`, `exited`, `restarting` … */
  status: string;
  /** `NetworkSettings.Ports`: `"5678/tcp"` → bindings (null when exposed but not published). */
  ports: Record<string, Array<{ HostIp?: string; HostPort?: string }> | null>;
}

/**
 * The Docker operations the echo workload uses, against one instance's dockerd. An interface
 * so the unit tests can drive the plugin with a fake daemon.
 */
export interface EchoDockerApi {
  /** Ids of containers labelled `dockersnap.plugin=echo`: running ones, or all with `all`. */
  listEcho(all: boolean): Promise<string[]>;
  /** @returns undefined when the container does not exist (any more). */
  inspect(id: string): Promise<EchoContainerState | undefined>;
  hasImage(image: string): Promise<boolean>;
  /** Builds the busybox image and loads it under `tag` (no registry). */
  loadBusyboxImage(tag: string): Promise<void>;
  /** @throws Error with the daemon's message when the pull fails. */
  pull(image: string): Promise<void>;
  /** Creates and starts the container (removing it again if the start fails). @returns its id. */
  run(spec: EchoRunSpec): Promise<string>;
  /** Force-removes containers; ones already gone are fine. */
  remove(ids: readonly string[]): Promise<void>;
}

/** Factory for the API bound to an instance socket. */
export type EchoDockerFactory = (socketPath: string) => Promise<EchoDockerApi>;

const REQUEST_TIMEOUT_MS = 120_000;

function statusCode(err: unknown): number | undefined {
  return (err as { statusCode?: number } | undefined)?.statusCode;
}

/** The dockerode implementation (dockerode is imported on first use, off the CLI start path). */
export const dockerodeEchoApi: EchoDockerFactory = async (socketPath) => {
  const { default: Dockerode } = await import('dockerode');
  const docker: Docker = new Dockerode({ socketPath, timeout: REQUEST_TIMEOUT_MS });
  return {
    async listEcho(all) {
      const list = await docker.listContainers({ all, filters: { label: [PLUGIN_LABEL] } });
      return list.map((c) => c.Id);
    },
    async inspect(id) {
      try {
        const info = await docker.getContainer(id).inspect();
        return { id: info.Id, status: info.State.Status, ports: (info.NetworkSettings.Ports ?? {}) as EchoContainerState['ports'] };
      } catch (err) {
        if (statusCode(err) === 404) return undefined;
        throw err;
      }
    },
    async hasImage(image) {
      try {
        await docker.getImage(image).inspect();
        return true;
      } catch (err) {
        if (statusCode(err) === 404) return false;
        throw err;
      }
    },
    async loadBusyboxImage(tag) {
      await buildBusyboxImage(docker, tag);
    },
    async pull(image) {
      const stream = await docker.pull(image);
      await new Promise<void>((resolve, reject) => {
        docker.modem.followProgress(stream, (err: Error | null, events: Array<{ error?: string }>) => {
          const failed = events?.find((e) => e.error);
          if (err) reject(err);
          else if (failed) reject(new Error(failed.error));
          else resolve();
        });
      });
    },
    async run(spec) {
      const key = `${spec.port}/tcp`;
      const container = await docker.createContainer({
        Image: spec.image,
        Cmd: spec.cmd,
        Env: spec.env,
        Labels: spec.labels,
        ExposedPorts: { [key]: {} },
        HostConfig: { RestartPolicy: { Name: 'unless-stopped' }, PortBindings: { [key]: [{ HostPort: '0' }] } },
      });
      try {
        await container.start();
      } catch (err) {
        await container.remove({ force: true }).catch(() => undefined);
        throw err;
      }
      return container.id;
    },
    async remove(ids) {
      for (const id of ids) {
        try {
          await docker.getContainer(id).remove({ force: true });
        } catch (err) {
          if (statusCode(err) !== 404) throw err;
        }
      }
    },
  };
};
