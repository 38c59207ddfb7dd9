/**
 * Loading on first use, for the activation wiring (src/extension.ts). Activation registers thin
 * stand-ins (commands, providers) and the code behind them, in dist/features.js, is `require`d the
 * first time one of them is used: activation then only parses and runs what the first frame needs
 * (views, status bar, the engine session). Plain Node: what VS Code does is passed in, so unit
 * tests run it without VS Code.
 */

/** Anything with a `dispose()`, as VS Code's `Disposable`. */
export interface DisposableLike {
  dispose(): unknown;
}

/** The error a lazily loaded part fails with: says what could not be loaded, why, and what to do. */
export class LazyLoadError extends Error {
  constructor(readonly what: string, cause: unknown) {
    super(
      `ML Container Lab could not load ${what}: ${cause instanceof Error ? cause.message : String(cause)}. ` +
        'Reload the window; if this happens again, reinstall the extension (its files may be incomplete).',
      { cause },
    );
    this.name = 'LazyLoadError';
  }
}

/** A memoised loader: `get()` loads on the first call and returns the same value after. */
export interface Lazy<T> {
  /**
   * The loaded value.
   * @throws {LazyLoadError} when loading failed (this call or an earlier one: a failure is kept,
   *   so a half-run module is never run a second time)
   */
  get(): T;
  /** Whether `get()` has succeeded (nothing is loaded by asking). */
  loaded(): boolean;
}

/**
 * Wraps `load` so that it runs at most once.
 * @param what what is loaded, for the error message, e.g. "its commands (dist/features.js)"
 * @param load e.g. `() => require('./features')`
 */
export function lazy<T>(what: string, load: () => T): Lazy<T> {
  let state: { ok: true; value: T } | { ok: false; error: LazyLoadError } | undefined;
  return {
    get() {
      if (!state) {
        try {
          state = { ok: true, value: load() };
        } catch (err) {
          state = { ok: false, error: err instanceof LazyLoadError ? err : new LazyLoadError(what, err) };
        }
      }
      if (!state.ok) throw state.error;
      return state.value;
    },
    loaded: () => state?.ok === true,
  };
}

/** What {@link registerLazyCommands} needs from VS Code and from the lazily loaded part. */
export interface LazyCommandHooks<T> {
  /** `vscode.commands.registerCommand` */
  register(id: string, run: (...args: unknown[]) => unknown): DisposableLike;
  /** the lazily loaded part (`get()` throws {@link LazyLoadError} when it cannot be loaded) */
  module: Lazy<T>;
  /** registers the real commands from the loaded part (called once, after the stand-ins are gone) */
  install(module: T): DisposableLike[];
  /** `vscode.commands.executeCommand`: runs the real command the stand-in was called for */
  execute(id: string, args: unknown[]): unknown;
  /** shows the user an error (a failed load): called once per failed command call */
  report(err: unknown): void;
}

/**
 * Registers a stand-in command for each id. The first call of any of them loads the real
 * commands, replaces every stand-in with them (in the same tick, so no id is ever missing) and
 * runs the called command with its arguments. When loading fails, the stand-ins stay, the call
 * resolves to `undefined` and `report` shows why (each call again).
 * @returns one disposable for the stand-ins or, once loaded, the real commands
 */
export function registerLazyCommands<T>(ids: readonly string[], hooks: LazyCommandHooks<T>): DisposableLike {
  let current: DisposableLike[] = [];
  let installed = false;
  const ensure = (): boolean => {
    if (installed) return true;
    let module: T;
    try {
      module = hooks.module.get();
    } catch (err) {
      hooks.report(err);
      return false;
    }
    for (const d of current) d.dispose();
    installed = true;
    try {
      current = hooks.install(module);
    } catch (err) {
      current = [];
      hooks.report(new LazyLoadError('its commands', err));
      return false;
    }
    return true;
  };
  current = ids.map((id) => hooks.register(id, (...args: unknown[]) => (ensure() ? hooks.execute(id, args) : undefined)));
  return {
    dispose: () => {
      for (const d of current) d.dispose();
      current = [];
    },
  };
}

/**
 * A stand-in object whose methods load the real one on their first call: for providers VS Code
 * asks only now and then (tasks, debug configurations, webview panels to restore). Only the
 * listed methods exist on the stand-in, so VS Code sees the same optional methods as on the real
 * provider.
 * @param make the real provider (made once, on the first call of any method)
 * @param methods the real provider's methods, e.g. `['provideTasks', 'resolveTask']`
 * @param report shows the user why the provider could not be loaded; the call then throws
 *   {@link LazyLoadError} to VS Code
 */
export function deferred<P extends object, K extends keyof P & string>(make: Lazy<P>, methods: readonly K[], report: (err: unknown) => void): Pick<P, K> {
  const out = {} as Pick<P, K>;
  for (const m of methods) {
    (out as Record<string, unknown>)[m] = (...args: unknown[]) => {
      let real: P;
      try {
        real = make.get();
      } catch (err) {
        report(err);
        throw err;
      }
      return (real[m] as (...a: unknown[]) => unknown).apply(real, args);
    };
  }
  return out;
}
