import type { EventWatch } from './event-watch.js';
import type { ForwardRecord } from './forward-table.js';
import type { TcpForward } from './tcp-forward.js';

/** Where an instance's published ports are found and reached. */
export interface InstanceLocation {
  /** The instance's Docker socket. */
  socket: string;
  /** `nsIp`: the namespace address the host dials. */
  targetIp: string;
  /** `/run/netns/ds-<name>`. */
  netnsPath: string;
}

export interface Forward {
  record: ForwardRecord;
  listener: TcpForward;
}

/**
 * The proxy's state for one instance. `epoch` changes on every drop: work that started in an
 * older epoch (a scan, an adoption) must not change anything when it finishes.
 */
export class InstanceEntry {
  epoch = 0;
  /** Set by refresh (or adoption), cleared by drop: only tracked instances are scanned. */
  tracked = false;
  where: InstanceLocation | undefined;
  readonly forwards = new Map<number, Forward>();
  events: EventWatch | undefined;
  private chain: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;

  constructor(readonly name: string) {}

  /**
   * Runs `task` after every task queued before it. A task queued while another is still
   * waiting to start is merged into that one (both callers get the same promise).
   */
  enqueue(task: () => Promise<void>): Promise<void> {
    if (this.queued) return this.queued;
    const run = this.chain.then(() => {
      this.queued = undefined;
      return task();
    });
    this.queued = run;
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Resolves when everything queued so far has finished. */
  idle(): Promise<void> {
    return this.chain;
  }

  /** Forgets every forward and the event stream; returns the listeners to close. Bumps the epoch. */
  reset(): Forward[] {
    this.epoch += 1;
    this.tracked = false;
    this.events?.stop();
    this.events = undefined;
    const forwards = [...this.forwards.values()];
    this.forwards.clear();
    return forwards;
  }
}
