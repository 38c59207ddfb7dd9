import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SharedList, replaceByIds } from '../../src/core/tree/sharedList';
import { containerOfEvent } from '../../src/core/tree/refreshPolicy';

/** A fake engine list: each call returns the engine's state at that moment, counting calls; `release()` settles calls held in flight. */
function fakeEngine() {
  let state = ['a'];
  let calls = 0;
  const held: Array<() => void> = [];
  let hold = false;
  return {
    set: (s: string[]) => (state = s),
    holdNext: () => (hold = true),
    release: () => held.splice(0).forEach((r) => r()),
    calls: () => calls,
    fetch: () => {
      calls++;
      const snapshot = [...state];
      if (!hold) return Promise.resolve(snapshot);
      hold = false;
      return new Promise<string[]>((r) => held.push(() => r(snapshot)));
    },
  };
}

describe('SharedList: one engine list per refresh, never older than the refresh request', () => {
  it('shares one request between readers of the same refresh', async () => {
    const engine = fakeEngine();
    let t = 0;
    const list = new SharedList(engine.fetch, 250, () => t);
    list.invalidate();
    const [x, y] = await Promise.all([list.get(), (t = 100, list.get())]);
    assert.deepEqual(x, ['a']);
    assert.equal(x, y);
    assert.equal(engine.calls(), 1);
  });

  it('asks again after a refresh request, however recent the last list (docker run: create, then start 200 ms later)', async () => {
    const engine = fakeEngine();
    let t = 0;
    const list = new SharedList(engine.fetch, 250, () => t);
    list.invalidate(); // refresh for the create event
    engine.set(['a', 'new (created)']);
    assert.deepEqual(await list.get(), ['a', 'new (created)']);
    t = 200;
    engine.set(['a', 'new (running)']);
    list.invalidate(); // refresh for the start event
    assert.deepEqual(await list.get(), ['a', 'new (running)']);
    assert.equal(engine.calls(), 2);
  });

  it('does not hand out a request that was in flight when the refresh was asked for', async () => {
    const engine = fakeEngine();
    const t = 0;
    const list = new SharedList(engine.fetch, 250, () => t);
    engine.holdNext();
    const before = list.get(); // started before the event
    engine.set(['a', 'b']);
    list.invalidate();
    const after = list.get();
    engine.release();
    assert.deepEqual(await before, ['a']);
    assert.deepEqual(await after, ['a', 'b']);
  });

  it('asks again once the list is older than maxAgeMs, even without a refresh request', async () => {
    const engine = fakeEngine();
    let t = 0;
    const list = new SharedList(engine.fetch, 250, () => t);
    await list.get();
    t = 251;
    engine.set(['b']);
    assert.deepEqual(await list.get(), ['b']);
  });

  it('does not share a failed request', async () => {
    let calls = 0;
    const list = new SharedList(async () => {
      calls++;
      if (calls === 1) throw new Error('engine down');
      return ['up'];
    }, 250, () => 0);
    await assert.rejects(list.get(), /engine down/);
    assert.deepEqual(await list.get(), ['up']);
  });
});

describe('SharedList.prefetch: the first view\'s list, fetched ahead', () => {
  it('serves readers for up to its own age limit without asking the engine again', async () => {
    const engine = fakeEngine();
    let t = 0;
    const list = new SharedList(engine.fetch, 250, () => t);
    list.prefetch(30_000);
    t = 10_000; // well past the usual 250 ms
    assert.deepEqual(await list.get(), ['a']);
    assert.equal(engine.calls(), 1);
    t = 30_001;
    engine.set(['b']);
    assert.deepEqual(await list.get(), ['b'], 'older than its limit: asked again');
    assert.equal(engine.calls(), 2);
  });
  it('is stale after a refresh request', async () => {
    const engine = fakeEngine();
    const list = new SharedList(engine.fetch, 250, () => 0);
    list.prefetch(30_000);
    engine.set(['b']);
    list.invalidate();
    assert.deepEqual(await list.get(), ['b']);
  });
  it('a failed prefetch is dropped and never rejects', async () => {
    let calls = 0;
    const list = new SharedList(() => (++calls === 1 ? Promise.reject(new Error('down')) : Promise.resolve(['up'])), 250, () => 0);
    list.prefetch(30_000);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(await list.get(), ['up']);
    assert.equal(calls, 2);
  });
});

describe('SharedList.patch: the last list with only the named containers asked again', () => {
  it('derives the next list from the last one without a full request', async () => {
    const engine = fakeEngine();
    const list = new SharedList(engine.fetch, 250, () => 0);
    assert.deepEqual(await list.get(), ['a']);
    assert.equal(list.patch(async (last) => [...last, 'b']), true);
    assert.deepEqual(await list.get(), ['a', 'b']);
    assert.equal(engine.calls(), 1, 'no full list asked');
  });
  it('falls back to a full request when there is no current list to start from', async () => {
    const engine = fakeEngine();
    const list = new SharedList(engine.fetch, 250, () => 0);
    assert.equal(list.patch(async (last) => last), false, 'nothing listed yet');
    engine.set(['b']);
    assert.deepEqual(await list.get(), ['b']);
    list.invalidate(); // a refresh request the last list does not answer
    assert.equal(list.patch(async (last) => last), false);
    engine.holdNext();
    const inFlight = list.get();
    assert.equal(list.patch(async (last) => last), false, 'a request in flight: its changes would be missed');
    engine.release();
    await inFlight;
  });
});

describe('replaceByIds', () => {
  const row = (id: string, v: string) => ({ id, v });
  it('replaces changed entries, drops gone ones and appends new ones', () => {
    const last = [row('1', 'a'), row('2', 'b'), row('3', 'c')];
    assert.deepEqual(replaceByIds(last, ['2', '3', '4'], [row('2', 'B'), row('4', 'd')]), [row('1', 'a'), row('2', 'B'), row('4', 'd')]);
  });
});

describe('containerOfEvent', () => {
  const ev = (type: string, action: string, id: string, attributes: Record<string, string> = {}) => ({ type, action, id, attributes });
  const cases: Array<{ name: string; e: ReturnType<typeof ev>; want: string | undefined }> = [
    { name: 'a container event names its container', e: ev('container', 'start', 'c1'), want: 'c1' },
    { name: 'a network connect names the container', e: ev('network', 'connect', 'n1', { container: 'c1' }), want: 'c1' },
    { name: 'a volume mount names the container', e: ev('volume', 'mount', 'v1', { container: 'c1' }), want: 'c1' },
    { name: 'a new network may change more', e: ev('network', 'create', 'n1'), want: undefined },
    { name: 'an image event may change more', e: ev('image', 'tag', 'sha256:x'), want: undefined },
    { name: 'a container event without an id', e: ev('container', 'start', ''), want: undefined },
  ];
  for (const c of cases) it(c.name, () => assert.equal(containerOfEvent(c.e), c.want));
});
