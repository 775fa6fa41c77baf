import t from 'tap';
import { PolledWorkloadHealth, type HealthTarget, type PollTimers } from '../../bin/server/health-cache.js';
import { healthPollIntervalMs } from '../../bin/server/health-poller.js';
import type { HealthResponse } from '../../plugin-sdk/capabilities/workload.js';

/** A manual clock: timers fire only when the test advances time. */
class FakeClock implements PollTimers {
  ms = Date.UTC(2026, 0, 2, 3, 4, 5);
  private pending: Array<{ at: number; fn: () => void; id: number }> = [];
  private next = 1;

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.pending.push({ at: this.ms + ms, fn, id });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending = this.pending.filter((p) => p.id !== handle);
  }

  get scheduled(): number {
    return this.pending.length;
  }

  /** Moves time forward and runs the timers that are due. */
  advance(ms: number): void {
    this.ms += ms;
    const due = this.pending.filter((p) => p.at <= this.ms);
    this.pending = this.pending.filter((p) => p.at > this.ms);
    for (const p of due) p.fn();
  }
}

/** Instances whose health answers the test scripts; records the order of the calls. */
class World {
  readonly answers = new Map<string, HealthResponse | Error>();
  readonly calls: string[] = [];
  instances: Array<Pick<HealthTarget, 'instance' | 'status' | 'plugin'>> = [];
  inFlight = 0;
  maxInFlight = 0;

  targets = async (): Promise<HealthTarget[]> =>
    this.instances.map((i) => ({
      ...i,
      probe: async () => {
        this.calls.push(i.instance);
        this.inFlight += 1;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        await new Promise((r) => setImmediate(r));
        this.inFlight -= 1;
        const a = this.answers.get(i.instance) ?? { healthy: true };
        if (a instanceof Error) throw a;
        return a;
      },
    }));
}

function setup(threshold = 3) {
  const clock = new FakeClock();
  const world = new World();
  const cache = new PolledWorkloadHealth({ intervalMs: 10_000, threshold, targets: world.targets, timers: clock, now: () => new Date(clock.ms) });
  return { clock, world, cache };
}

const probeOf = (r: HealthResponse) => async () => r;

t.test('health_poll_interval: Go duration, default 30s, <= 0 disables', async (t) => {
  t.equal(healthPollIntervalMs('30s'), 30_000);
  t.equal(healthPollIntervalMs('1m30s'), 90_000);
  t.equal(healthPollIntervalMs(''), 30_000, 'empty is the default');
  t.equal(healthPollIntervalMs('soon'), 30_000, 'invalid is the default');
  t.equal(healthPollIntervalMs('0s'), 0, 'zero disables');
  t.equal(healthPollIntervalMs('-5s'), 0, 'negative disables');
});

t.test('only running instances with a workload are polled, sequentially; others are dropped', async (t) => {
  const { world, cache } = setup();
  world.instances = [
    { instance: 'a', status: 'running', plugin: 'echo' },
    { instance: 'b', status: 'running', plugin: undefined },
    { instance: 'c', status: 'stopped', plugin: 'echo' },
    { instance: 'd', status: 'running', plugin: 'kind' },
  ];
  await cache.pollOnce();
  t.same(world.calls, ['a', 'd'], 'running instances with a workload, in list order');
  t.equal(world.maxInFlight, 1, 'one health call at a time');
  t.same(cache.counts(), { healthy: 2, unhealthy: 0 });
  world.instances = [{ instance: 'a', status: 'stopped', plugin: 'echo' }];
  await cache.pollOnce();
  t.equal(cache.entry('a'), undefined, 'a stopped instance loses its entry');
  t.equal(cache.entry('d'), undefined, 'a deleted instance loses its entry');
  t.same(cache.counts(), { healthy: 0, unhealthy: 0 });
});

t.test('consecutive failures reach the threshold; a healthy answer resets them', async (t) => {
  const { world, cache, clock } = setup(2);
  world.instances = [{ instance: 'a', status: 'running', plugin: 'echo' }];
  world.answers.set('a', { healthy: false, checks: [{ name: 'pods', ok: false, message: 'crashloop' }] });
  await cache.pollOnce();
  let read = await cache.read('a', 'echo', { fresh: false }, probeOf({ healthy: true }));
  t.match(read, { workload_plugin: 'echo', healthy: true, consecutive_fails: 1, checks: [{ name: 'pods', ok: false }], checked_at: '2026-01-02T03:04:05Z' }, 'one failure is under the threshold: still healthy');
  t.same(cache.counts(), { healthy: 1, unhealthy: 0 });
  world.answers.set('a', new Error('plugin echo health: exit status 1'));
  clock.ms += 1000;
  await cache.pollOnce();
  read = await cache.read('a', 'echo', { fresh: false }, probeOf({ healthy: true }));
  t.match(read, { healthy: false, consecutive_fails: 2, checks: [{ name: 'plugin', ok: false, message: /exit status 1/ }], checked_at: '2026-01-02T03:04:06Z' }, 'a plugin fault counts as a failure');
  t.same(cache.counts(), { healthy: 0, unhealthy: 1 });
  world.answers.set('a', { healthy: true });
  await cache.pollOnce();
  t.match(await cache.read('a', 'echo', { fresh: false }, probeOf({ healthy: false })), { healthy: true, consecutive_fails: 0 });
  t.same(cache.counts(), { healthy: 1, unhealthy: 0 });
});

t.test('fresh reads and misses call the plugin, return the raw answer and store nothing', async (t) => {
  const { world, cache } = setup(3);
  const raw = await cache.read('a', 'echo', { fresh: false }, probeOf({ healthy: false, checks: [{ name: 'x', ok: false }] }));
  t.same(raw, { workload_plugin: 'echo', healthy: false, checks: [{ name: 'x', ok: false }], contract_version: '1' }, 'a miss is the raw (unthresholded) answer');
  t.equal(cache.entry('a'), undefined, 'a miss is not stored');
  world.instances = [{ instance: 'a', status: 'running', plugin: 'echo' }];
  await cache.pollOnce();
  const fresh = await cache.read('a', 'echo', { fresh: true }, probeOf({ healthy: false }));
  t.same(fresh, { workload_plugin: 'echo', healthy: false, contract_version: '1' }, 'fresh is raw');
  t.equal(cache.entry('a')!.consecutive_fails, 0, 'a fresh read does not touch the entry');
  const thrown = await cache.read('a', 'echo', { fresh: true }, async () => {
    throw new Error('boom');
  });
  t.same(thrown.checks, [{ name: 'plugin', ok: false, message: 'boom' }], 'a failing fresh call is unhealthy, not an error');
});

t.test('first poll at start, then every interval after the previous one; close stops the timer', async (t) => {
  const { world, cache, clock } = setup();
  world.instances = [{ instance: 'a', status: 'running', plugin: 'echo' }];
  cache.start();
  cache.start();
  await waitFor(() => clock.scheduled === 1);
  t.same(world.calls, ['a'], 'polled once immediately (start is idempotent)');
  clock.advance(9_999);
  t.same(world.calls, ['a'], 'not before the interval');
  clock.advance(1);
  await waitFor(() => clock.scheduled === 1 && world.calls.length === 2);
  t.same(world.calls, ['a', 'a'], 'polled again after the interval');
  await cache.close();
  t.equal(clock.scheduled, 0, 'no timer left after close');
  clock.advance(60_000);
  t.equal(world.calls.length, 2, 'no poll after close');
});

t.test('a threshold below 1 means 3; a failing instance list keeps the cache', async (t) => {
  const clock = new FakeClock();
  const world = new World();
  let broken = false;
  const cache = new PolledWorkloadHealth({
    intervalMs: 1000,
    threshold: 0,
    targets: () => (broken ? Promise.reject(new Error('state unreadable')) : world.targets()),
    timers: clock,
  });
  world.instances = [{ instance: 'a', status: 'running', plugin: 'echo' }];
  world.answers.set('a', { healthy: false });
  for (let i = 0; i < 2; i++) await cache.pollOnce();
  t.same(cache.counts(), { healthy: 1, unhealthy: 0 }, 'two failures are under the default 3');
  await cache.pollOnce();
  t.same(cache.counts(), { healthy: 0, unhealthy: 1 }, 'the third reaches it');
  broken = true;
  await cache.pollOnce();
  t.equal(cache.entry('a')!.consecutive_fails, 3, 'unchanged when the list cannot be read');
});

/** Polls `cond` on the event loop (promise-driven work, no wall-clock sleeps). */
async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setImmediate(r));
  if (!cond()) throw new Error('condition not reached');
}
