import { defineCapability } from '../capability.js';
import type { NetnsInfo } from './netns.js';

export interface DockerdSpec {
  instance: string;
  dataRoot: string;
  storageDriver: string;
  netns: NetnsInfo;
}

export interface DockerdInfo {
  pid: number;
  socket: string;
}

export interface StopOptions {
  /** Seconds to give containers before dockerd kills them. */
  containerTimeoutSec?: number;
  /** Called between stopping containers and stopping dockerd (the `preStop` point). */
  beforeDaemonStop?: () => Promise<void>;
  /** Progress text for users (what the stop is waiting on). */
  onProgress?: (message: string) => void;
}

/** Starts, supervises and stops one dockerd per instance. */
export interface DockerdSupervisor {
  /** Starts dockerd and resolves once its API answers. @throws DS_ERR_DOCKERD */
  start(spec: DockerdSpec): Promise<DockerdInfo>;
  /** Robust stop; resolves when the data root is no longer busy. Idempotent. */
  stop(instance: string, options?: StopOptions): Promise<void>;
  isRunning(instance: string): Promise<boolean>;
  socketPath(instance: string): string;
  pidFile(instance: string): string;
  /** Forgets an instance for good (stops it if needed, removes its daemon.json, logs). Called by delete. Idempotent. */
  purge?(instance: string): Promise<void>;
}

export const dockerdCapability = defineCapability<DockerdSupervisor, 'single'>({
  id: 'dockerd',
  cardinality: 'single',
  description: 'per-instance docker daemon supervisor',
});
