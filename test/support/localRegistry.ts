/**
 * A throw-away local registry for engine, host, UI tests and the bench: Debian's
 * `docker-registry` (distribution 2.8) on 127.0.0.1:<free port> with filesystem storage in a
 * temp folder, optionally with htpasswd (bcrypt) authentication. dockerd treats 127.0.0.0/8 as
 * insecure registries, so push and pull work over plain HTTP (../shared/environment.md).
 *
 * While it runs, its pid is in <repo>/.cache/registry/<name>.pid: .ci/run stops leftovers.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, closeSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { repoRoot, waitFor } from './fixtures';

export interface LocalRegistry {
  /** `127.0.0.1:<port>` */
  host: string;
  port: number;
  /** the registry's storage, config and log */
  dir: string;
  stop(): Promise<void>;
}

/** A port nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * An htpasswd line with a bcrypt hash (the only kind docker-registry accepts): `htpasswd -B`
 * from apache2-utils when installed, else Python's crypt with the system's bcrypt.
 * The password goes through stdin, never the command line.
 */
export function htpasswdLine(user: string, password: string): string {
  const which = spawnSync('sh', ['-c', 'command -v htpasswd'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) {
    const r = spawnSync('htpasswd', ['-niB', user], { input: `${password}\n`, encoding: 'utf8' });
    if (r.status === 0) return r.stdout.trim();
  }
  const py = spawnSync(
    'python3',
    ['-W', 'ignore', '-c', 'import crypt,sys; print(crypt.crypt(sys.stdin.read(), crypt.mksalt(crypt.METHOD_BLOWFISH)))'],
    { input: password, encoding: 'utf8' },
  );
  const hash = py.stdout.trim();
  if (py.status !== 0 || !hash.startsWith('$2')) throw new Error('cannot make a bcrypt hash: install apache2-utils (htpasswd) or python3 with crypt');
  return `${user}:${hash}`;
}

export async function startLocalRegistry(name: string, options: { auth?: { user: string; password: string } } = {}): Promise<LocalRegistry> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), `mllab-registry-${name}-`));
  const storage = path.join(dir, 'storage');
  mkdirSync(storage);
  const lines = [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${storage}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
  ];
  if (options.auth) {
    const file = path.join(dir, 'htpasswd');
    writeFileSync(file, htpasswdLine(options.auth.user, options.auth.password) + '\n', { mode: 0o600 });
    lines.push('auth:', '  htpasswd:', '    realm: mllab-test', `    path: ${file}`);
  }
  const config = path.join(dir, 'config.yml');
  writeFileSync(config, lines.join('\n') + '\n');
  const logFile = path.join(dir, 'registry.log');
  const out = openSync(logFile, 'a');
  const child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', out, out], detached: true });
  closeSync(out);
  child.unref();
  const pidDir = path.join(repoRoot, '.cache', 'registry');
  mkdirSync(pidDir, { recursive: true });
  const pidFile = path.join(pidDir, `${name}.pid`);
  writeFileSync(pidFile, `${child.pid}\n`);
  let exited = false;
  child.once('exit', () => (exited = true));
  const stop = async () => {
    if (!exited && child.pid) {
      try {
        process.kill(child.pid, 'SIGTERM');
      } catch {
        /* gone */
      }
      await waitFor('the registry to stop', async () => (exited ? true : undefined), 10_000, 50).catch(() => {
        if (child.pid) process.kill(child.pid, 'SIGKILL');
      });
    }
    rmSync(pidFile, { force: true });
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(`docker-registry on 127.0.0.1:${port}`, async () => {
      if (exited) throw new Error(`docker-registry exited: ${readFileSync(logFile, 'utf8').slice(-2000)}`);
      const res = await fetch(`http://127.0.0.1:${port}/v2/`).catch(() => undefined);
      return res && (res.status === 200 || res.status === 401) ? true : undefined;
    }, 20_000, 100);
  } catch (err) {
    await stop();
    throw err;
  }
  return { host: `127.0.0.1:${port}`, port, dir, stop };
}
