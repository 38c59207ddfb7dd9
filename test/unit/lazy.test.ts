/**
 * src/lazy.ts: what activation registers instead of the real commands and providers. Fakes stand
 * in for VS Code's command registry (plain logic: no VS Code needed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deferred, lazy, LazyLoadError, registerLazyCommands } from '../../src/lazy';

/** A command registry as VS Code keeps it: one handler per id, registering a taken id throws. */
function fakeCommands() {
  const handlers = new Map<string, (...args: unknown[]) => unknown>();
  return {
    handlers,
    register(id: string, run: (...args: unknown[]) => unknown) {
      if (handlers.has(id)) throw new Error(`command '${id}' already exists`);
      handlers.set(id, run);
      return { dispose: () => handlers.get(id) === run && handlers.delete(id) };
    },
    execute: (id: string, args: unknown[]) => {
      const h = handlers.get(id);
      if (!h) throw new Error(`command '${id}' not found`);
      return h(...args);
    },
  };
}

test('lazy() loads on the first get() only, and says whether it has', () => {
  let loads = 0;
  const l = lazy('the thing', () => ({ n: ++loads }));
  assert.equal(l.loaded(), false);
  assert.equal(loads, 0);
  const a = l.get();
  const b = l.get();
  assert.equal(loads, 1);
  assert.equal(a, b);
  assert.equal(l.loaded(), true);
});

test('lazy() turns a failed load into a LazyLoadError that names what failed and what to do, and does not run the load again', () => {
  let loads = 0;
  const l = lazy('its commands (dist/features.js)', () => {
    loads++;
    throw new Error("Cannot find module './features'");
  });
  assert.throws(() => l.get(), (err: unknown) => {
    assert.ok(err instanceof LazyLoadError);
    assert.match(err.message, /could not load its commands \(dist\/features\.js\): Cannot find module '\.\/features'/);
    assert.match(err.message, /Reload the window; if this happens again, reinstall the extension/);
    return true;
  });
  assert.throws(() => l.get(), LazyLoadError);
  assert.equal(loads, 1);
  assert.equal(l.loaded(), false);
});

test('a stand-in command loads the real commands once, swaps them in, and runs the called one with its arguments', async () => {
  const vs = fakeCommands();
  let loads = 0;
  const calls: Array<[string, unknown[]]> = [];
  const reported: unknown[] = [];
  const d = registerLazyCommands(['a.run', 'b.run'], {
    register: (id, run) => vs.register(id, run),
    module: lazy('commands', () => {
      loads++;
      return { make: (id: string) => (...args: unknown[]) => (calls.push([id, args]), `${id} done`) };
    }),
    install: (m) => ['a.run', 'b.run'].map((id) => vs.register(id, m.make(id))),
    execute: (id, args) => vs.execute(id, args),
    report: (err) => reported.push(err),
  });
  assert.equal(loads, 0, 'registering loads nothing');
  assert.deepEqual([...vs.handlers.keys()].sort(), ['a.run', 'b.run']);
  const standIn = vs.handlers.get('b.run')!;
  assert.equal(await vs.execute('b.run', [{ row: 1 }, [2]]), 'b.run done');
  assert.equal(await vs.execute('a.run', []), 'a.run done');
  // a stand-in captured before the swap (a menu that was already open) still reaches the real one
  assert.equal(await standIn('late'), 'b.run done');
  assert.equal(loads, 1);
  assert.deepEqual(calls, [['b.run', [{ row: 1 }, [2]]], ['a.run', []], ['b.run', ['late']]]);
  assert.deepEqual(reported, []);
  d.dispose();
  assert.equal(vs.handlers.size, 0, 'dispose removes the real commands');
});

test('when the real commands cannot be loaded, the stand-ins stay and each call reports the error', async () => {
  const vs = fakeCommands();
  const reported: unknown[] = [];
  let installs = 0;
  registerLazyCommands(['a.run'], {
    register: (id, run) => vs.register(id, run),
    module: lazy('its commands (dist/features.js)', () => {
      throw new SyntaxError('Unexpected end of input');
    }),
    install: () => (installs++, []),
    execute: (id, args) => vs.execute(id, args),
    report: (err) => reported.push(err),
  });
  assert.equal(await vs.execute('a.run', []), undefined);
  assert.equal(await vs.execute('a.run', []), undefined);
  assert.equal(installs, 0);
  assert.equal(reported.length, 2);
  assert.ok(reported[0] instanceof LazyLoadError);
  assert.match((reported[0] as Error).message, /could not load its commands \(dist\/features\.js\): Unexpected end of input/);
  assert.ok(vs.handlers.has('a.run'), 'the stand-in is still registered');
});

test('deferred() makes the real provider on the first call, keeps `this`, and offers only the listed methods', async () => {
  let made = 0;
  class Real {
    private readonly prefix = 'task';
    provideTasks() {
      return [`${this.prefix}:train`];
    }
    resolveTask(t: string) {
      return `${this.prefix}:${t}`;
    }
  }
  const p = deferred(lazy('tasks', () => (made++, new Real())), ['provideTasks', 'resolveTask'], () => assert.fail('no error expected'));
  assert.equal(made, 0);
  assert.deepEqual(Object.keys(p).sort(), ['provideTasks', 'resolveTask']);
  assert.deepEqual(await p.provideTasks(), ['task:train']);
  assert.equal(await p.resolveTask('eval'), 'task:eval');
  assert.equal(made, 1);
});

test('deferred() reports a failed load to the user and throws it to the caller', () => {
  const reported: unknown[] = [];
  const p = deferred(lazy('the run profile tasks', (): { provideTasks(): string[] } => {
    throw new Error('boom');
  }), ['provideTasks'], (err) => reported.push(err));
  assert.throws(() => p.provideTasks(), /could not load the run profile tasks: boom/);
  assert.equal(reported.length, 1);
});
