// `Instances.list({ maxAgeMs })`: the REST list route reuses live probes for a short while;
// the plain list and get always probe; an operation drops the probes of its instances.
import t from 'tap';
import { fakeWorld } from '../helpers/lifecycle-kernel.js';

t.test('list reuses a live probe within maxAgeMs; plain list, get and operations do not', async (t) => {
  const w = await fakeWorld();
  t.teardown(() => w.tk.close());
  const api = w.tk.kernel.instances;
  await api.create({ name: 'pr' }).result;
  let probes = 0;
  const isRunning = w.dockerd.isRunning.bind(w.dockerd);
  w.dockerd.isRunning = async (name: string) => {
    probes += 1;
    return isRunning(name);
  };
  const status = async (maxAgeMs?: number) => (await api.list(maxAgeMs === undefined ? {} : { maxAgeMs }))[0]?.status;

  t.equal(await status(60_000), 'running');
  t.equal(probes, 1, 'the first list probes');
  t.equal(await status(60_000), 'running');
  t.equal(probes, 1, 'a second list within maxAgeMs reuses the probe');
  await Promise.all([status(60_000), status(60_000), status(60_000)]);
  t.equal(probes, 1, 'so do concurrent lists');

  w.dockerd.running.delete('pr'); // the dockerd dies behind the kernel's back
  t.equal(await status(60_000), 'running', 'within maxAgeMs an outside change is not seen yet (documented)');
  t.equal(await status(), 'stopped', 'a list without maxAgeMs probes again');
  t.equal((await api.get('pr')).status, 'stopped', 'so does get');
  t.equal(await status(0), 'stopped');
  const before = probes;
  t.equal(await status(60_000), 'stopped', 'the fresh probe is what the next cached list sees');
  t.equal(probes, before);

  await api.start('pr').result;
  t.equal(await status(60_000), 'running', 'an operation drops the probe: the list sees the start at once');
  await api.stop('pr').result;
  t.equal(await status(60_000), 'stopped', 'and the stop');

  await api.start('pr').result;
  t.equal((await api.list({ maxAgeMs: 60_000 })).length, 1);
  await api.create({ name: 'pr2' }).result;
  t.same((await api.list({ maxAgeMs: 60_000 })).map((i) => i.name).sort(), ['pr', 'pr2'], 'a row an operation wrote shows at once');
  let views = 0;
  const view = w.state.view.bind(w.state);
  w.state.view = ((fn: Parameters<typeof view>[0]) => {
    views += 1;
    return view(fn);
  }) as typeof w.state.view;
  await api.list({ maxAgeMs: 60_000 });
  t.equal(views, 0, 'with no operation under way the list reuses the last one, state rows included');
  const snap = api.snapshot('pr', 'during');
  t.match((await api.list({ maxAgeMs: 60_000 })).find((i) => i.name === 'pr'), { status: 'busy' }, 'while an operation runs the list is read fresh');
  await snap.result;
  t.same((await api.list({ maxAgeMs: 60_000 })).find((i) => i.name === 'pr')?.snapshots.map((x) => x.label), ['during'], 'and after it the snapshot shows');
});
