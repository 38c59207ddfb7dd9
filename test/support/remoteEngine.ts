/**
 * A second machine for the remote-engine tests (issue 11), made by the test on this machine:
 * a network namespace joined to the host by a veth pair (host 10.231.<k>.1, namespace
 * 10.231.<k>.2), a second dockerd inside it with its own state, reachable
 *  - over TCP+TLS on <ns address>:2376 (a CA, a server certificate for the namespace address and
 *    a client certificate, all made here with openssl: the Docker docs' recipe), and
 *  - over SSH (Debian's openssh-server in the namespace, on <ns address>:22, a host key and a
 *    client key made here; `docker system dial-stdio` there reaches the namespace daemon through
 *    `SetEnv DOCKER_HOST`), when asked for.
 * Its unix socket is a file under the run folder, so the test can also reach it directly (to
 * load images: nothing can be pulled here). Traffic goes only to the addresses made here.
 * `stop()` ends both daemons and deletes the namespace, the veth pair and the folder; it is safe
 * to call twice and after a failed start. See ../../../shared/environment.md.
 *
 * Needs root, iproute2, nsenter, openssl and (for SSH) openssh-server; scripts/setup/remote.sh
 * installs what is missing.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export interface RemoteEngine {
  /** network namespace name */
  readonly ns: string;
  /** the host's end of the veth pair, e.g. 10.231.42.1 */
  readonly hostAddress: string;
  /** the namespace's address, where its dockerd and sshd listen, e.g. 10.231.42.2 */
  readonly address: string;
  /** `unix://<dir>/docker.sock`: the namespace daemon's socket, reachable from the host's file system */
  readonly unixHost: string;
  /** `tcp://<address>:2376` (TLS with client certificates) */
  readonly tlsHost: string;
  /** folder with ca.pem, cert.pem, key.pem for the client, as DOCKER_CERT_PATH expects */
  readonly certDir: string;
  /** SSH access, when started with `ssh: true` */
  readonly ssh?: {
    /** `ssh://root@<address>` */
    host: string;
    user: string;
    /** private key file (ed25519, no passphrase) */
    identityFile: string;
    /** the known_hosts line for the namespace's host key: `<address> ssh-ed25519 AAAA...` */
    knownHostsLine: string;
    /** a known_hosts line with another key for the same address (a host-key mismatch) */
    wrongKnownHostsLine: string;
  };
  /** runs `docker <args>` against the namespace daemon's unix socket; returns stdout */
  docker(args: string[], input?: Buffer): string;
  /** copies an image from the machine's engine to the namespace's (docker save | docker load) */
  loadImage(ref: string): void;
  stop(): Promise<void>;
}

const run = (cmd: string, args: string[], opts: { input?: Buffer | string; allowFail?: boolean } = {}): string => {
  const r = spawnSync(cmd, args, { input: opts.input, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
  if (r.status !== 0 && !opts.allowFail) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal}): ${r.stderr}`);
  return (r.stdout ?? '').trim();
};

/** Where running tests claim their 10.231.<k>.0/24 (one folder per k, made atomically by mkdir). */
const CLAIMS = path.join(tmpdir(), 'mllab-netns-claims');

/**
 * A /24 of 10.231.0.0/16 that no interface of this machine uses and no other test process has
 * claimed. Checking the interfaces alone let two test processes that start at the same moment
 * (helpers run tiers side by side) pick the same subnet; the claim is a folder made with mkdir,
 * which only one process can create, holding the claimer's pid (a dead claimer's is taken over).
 */
function claimSubnet(): { k: number; release: () => void } {
  mkdirSync(CLAIMS, { recursive: true });
  const used = run('ip', ['-o', '-4', 'addr', 'show']);
  for (let i = 0; i < 230; i++) {
    const k = 20 + ((process.pid + i) % 230);
    if (used.includes(`10.231.${k}.`)) continue;
    const claim = path.join(CLAIMS, String(k));
    try {
      mkdirSync(claim);
    } catch {
      const pidFile = path.join(claim, 'pid');
      const owner = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : 0;
      if (!owner || isAlive(owner)) continue; // no pid yet: another process is claiming it now
      rmSync(claim, { recursive: true, force: true });
      try { mkdirSync(claim); } catch { continue; }
    }
    writeFileSync(path.join(claim, 'pid'), String(process.pid));
    return { k, release: () => rmSync(claim, { recursive: true, force: true }) };
  }
  throw new Error('no free 10.231.<k>.0/24 subnet for a test namespace');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** openssl: a CA, a server certificate for `address` (subjectAltName IP), a client certificate (clientAuth). */
function makeCertificates(dir: string, address: string): { server: { ca: string; cert: string; key: string }; clientDir: string } {
  const o = (args: string[]) => run('openssl', args);
  const p = (f: string) => path.join(dir, f);
  o(['genrsa', '-out', p('ca-key.pem'), '2048']);
  o(['req', '-new', '-x509', '-days', '2', '-key', p('ca-key.pem'), '-sha256', '-subj', '/CN=mllab-test-ca', '-out', p('ca.pem')]);
  o(['genrsa', '-out', p('server-key.pem'), '2048']);
  o(['req', '-subj', `/CN=${address}`, '-sha256', '-new', '-key', p('server-key.pem'), '-out', p('server.csr')]);
  writeFileSync(p('server-ext.cnf'), `subjectAltName = IP:${address}\nextendedKeyUsage = serverAuth\n`);
  o(['x509', '-req', '-days', '2', '-sha256', '-in', p('server.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca-key.pem'), '-CAcreateserial', '-out', p('server-cert.pem'), '-extfile', p('server-ext.cnf')]);
  const clientDir = p('client');
  mkdirSync(clientDir);
  o(['genrsa', '-out', path.join(clientDir, 'key.pem'), '2048']);
  o(['req', '-subj', '/CN=mllab-test-client', '-new', '-key', path.join(clientDir, 'key.pem'), '-out', p('client.csr')]);
  writeFileSync(p('client-ext.cnf'), 'extendedKeyUsage = clientAuth\n');
  o(['x509', '-req', '-days', '2', '-sha256', '-in', p('client.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca-key.pem'), '-CAcreateserial', '-out', path.join(clientDir, 'cert.pem'), '-extfile', p('client-ext.cnf')]);
  writeFileSync(path.join(clientDir, 'ca.pem'), readFileSync(p('ca.pem')));
  return { server: { ca: p('ca.pem'), cert: p('server-cert.pem'), key: p('server-key.pem') }, clientDir };
}

function waitUntil(what: string, ok: () => boolean, timeoutMs: number, onTimeout: () => string): void {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs / 1000} s: ${onTimeout()}`);
    spawnSync('sleep', ['0.25']);
  }
}

/**
 * Starts the second machine. `name` (letters and digits, at most 6) names the namespace and
 * the veth pair. `ssh` adds sshd; `ports` gives the daemon a bridge network so containers can
 * publish ports there (`-p 127.0.0.1:4000:8080` listens on the namespace's loopback).
 * `dockerdArgs` are added to the daemon's flags (e.g. `--node-generic-resource
 * NVIDIA-GPU=gpu0`, a fake GPU for Swarm placement tests). `hostname` gives the daemon a UTS
 * namespace with that host name (else it shares this machine's: two Swarm nodes would look alike).
 * Throws with the daemon's log when it does not come up (and cleans up first).
 */
export async function startRemoteEngine(name: string, options: { ssh?: boolean; ports?: boolean; dockerdArgs?: string[]; hostname?: string } = {}): Promise<RemoteEngine> {
  if (!/^[a-z0-9]{1,6}$/.test(name)) throw new Error(`remote engine name '${name}': 1-6 lower-case letters or digits`);
  const { k, release } = claimSubnet();
  const ns = `mllab-${name}-${process.pid}`;
  const vethHost = `mlh${name}${k}`.slice(0, 15);
  const vethNs = `mln${name}${k}`.slice(0, 15);
  const hostAddress = `10.231.${k}.1`;
  const address = `10.231.${k}.2`;
  const dir = mkdtempSync(path.join(tmpdir(), `mllab-remote-${name}-`));
  const children: ChildProcess[] = [];
  const inNs = (args: string[]) => ['--net=/var/run/netns/' + ns, ...args];
  const sock = path.join(dir, 'docker.sock');

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    for (const c of children.reverse()) {
      if (c.exitCode === null && c.signalCode === null) {
        c.kill('SIGTERM');
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => { c.kill('SIGKILL'); resolve(); }, 15_000);
          c.once('exit', () => { clearTimeout(t); resolve(); });
        });
      }
    }
    run('ip', ['netns', 'del', ns], { allowFail: true });
    run('ip', ['link', 'del', vethHost], { allowFail: true });
    // dockerd leaves its overlay and shm mounts under the data root when it is killed.
    const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1]).filter((m) => m?.startsWith(dir)).reverse();
    for (const m of mounts) run('umount', ['-l', m], { allowFail: true });
    rmSync(dir, { recursive: true, force: true });
    release();
  };

  try {
    run('ip', ['netns', 'add', ns]);
    run('ip', ['link', 'add', vethHost, 'type', 'veth', 'peer', 'name', vethNs]);
    run('ip', ['link', 'set', vethNs, 'netns', ns]);
    run('ip', ['addr', 'add', `${hostAddress}/24`, 'dev', vethHost]);
    run('ip', ['link', 'set', vethHost, 'up']);
    run('ip', ['netns', 'exec', ns, 'ip', 'addr', 'add', `${address}/24`, 'dev', vethNs]);
    run('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', vethNs, 'up']);
    run('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);

    const certs = makeCertificates(dir, address);
    const log = path.join(dir, 'dockerd.log');
    // nsenter --net, not `ip netns exec`: the latter remounts /sys and dockerd then stops with
    // "Devices cgroup isn't mounted" (environment.md).
    // With a host name of its own: `unshare --uts` (no fork: the pid stays dockerd's) then `hostname`.
    const ownHostname = options.hostname ? ['unshare', '--uts', 'sh', '-c', `hostname ${options.hostname} && exec "$@"`, 'sh'] : [];
    const dockerd = spawn('nsenter', inNs([...ownHostname, 'dockerd',
      '--data-root', path.join(dir, 'root'), '--exec-root', path.join(dir, 'exec'), '--pidfile', path.join(dir, 'dockerd.pid'),
      '-H', `unix://${sock}`, '-H', `tcp://${address}:2376`,
      '--tlsverify', '--tlscacert', certs.server.ca, '--tlscert', certs.server.cert, '--tlskey', certs.server.key,
      // With `ports`, the default bridge network (its own subnet inside the namespace) and
      // docker-proxy give published ports on the namespace's addresses; else no bridge at all.
      ...(options.ports ? ['--bip', `172.30.${k}.1/24`] : ['--bridge', 'none']), '--iptables=false', '--ip-masq=false', ...(options.dockerdArgs ?? [])]), { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(dockerd);
    const out = [] as Buffer[];
    dockerd.stdout?.on('data', (d: Buffer) => out.push(d));
    dockerd.stderr?.on('data', (d: Buffer) => out.push(d));
    dockerd.once('exit', () => writeFileSync(log, Buffer.concat(out)));
    waitUntil('the namespace dockerd did not answer', () => {
      if (dockerd.exitCode !== null) throw new Error(`the namespace dockerd exited: ${Buffer.concat(out).toString().slice(-2000)}`);
      return existsSync(sock) && spawnSync('docker', ['-H', `unix://${sock}`, 'version'], { timeout: 5000 }).status === 0;
    }, 60_000, () => Buffer.concat(out).toString().slice(-2000));

    let ssh: RemoteEngine['ssh'];
    if (options.ssh) {
      mkdirSync('/run/sshd', { recursive: true });
      const hostKey = path.join(dir, 'ssh_host_ed25519_key');
      const clientKey = path.join(dir, 'id_ed25519');
      const otherKey = path.join(dir, 'other_host_key');
      for (const f of [hostKey, clientKey, otherKey]) run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', f]);
      writeFileSync(path.join(dir, 'authorized_keys'), readFileSync(`${clientKey}.pub`));
      const config = path.join(dir, 'sshd_config');
      writeFileSync(config, [
        `ListenAddress ${address}`, 'Port 22', `HostKey ${hostKey}`, `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
        `PidFile ${path.join(dir, 'sshd.pid')}`, 'UsePAM no', 'StrictModes no', 'PermitRootLogin prohibit-password',
        'PasswordAuthentication no', 'KbdInteractiveAuthentication no', `SetEnv DOCKER_HOST=unix://${sock}`,
        'AllowTcpForwarding yes', 'AllowStreamLocalForwarding yes', 'LogLevel ERROR', '',
      ].join('\n'));
      const sshd = spawn('nsenter', inNs(['/usr/sbin/sshd', '-D', '-e', '-f', config]), { stdio: ['ignore', 'ignore', 'pipe'] });
      children.push(sshd);
      const errs = [] as Buffer[];
      sshd.stderr?.on('data', (d: Buffer) => errs.push(d));
      const keyLine = (f: string) => readFileSync(`${f}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
      waitUntil('sshd in the namespace did not answer', () => {
        if (sshd.exitCode !== null) throw new Error(`sshd exited: ${Buffer.concat(errs).toString()}`);
        return spawnSync('ssh-keyscan', ['-T', '2', '-t', 'ed25519', address], { encoding: 'utf8', timeout: 5000 }).stdout?.includes('ssh-ed25519') ?? false;
      }, 30_000, () => Buffer.concat(errs).toString());
      ssh = {
        host: `ssh://root@${address}`,
        user: 'root',
        identityFile: clientKey,
        knownHostsLine: `${address} ${keyLine(hostKey)}`,
        wrongKnownHostsLine: `${address} ${keyLine(otherKey)}`,
      };
    }

    const docker = (args: string[], input?: Buffer) => {
      const r = spawnSync('docker', ['-H', `unix://${sock}`, ...args], { input, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
      if (r.status !== 0) throw new Error(`docker -H unix://${sock} ${args.join(' ')} failed: ${r.stderr}`);
      return r.stdout.trim();
    };
    return {
      ns, hostAddress, address, unixHost: `unix://${sock}`, tlsHost: `tcp://${address}:2376`, certDir: certs.clientDir, ssh,
      docker,
      loadImage: (ref) => {
        const image = execFileSync('docker', ['save', ref], { maxBuffer: 4 << 30 });
        docker(['load'], image);
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
