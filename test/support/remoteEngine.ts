/**
 * A second machine for the remote-engine tests, made by the test on this machine:
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
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before } from 'node:test';
import { Engine } from '../../src/engine/engine';

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
    /** sshd's log so far (LogLevel VERBOSE: connections, logins, and `error: no more sessions` refusals) */
    log(): string;
    /**
     * Rewrites sshd_config with `extraLines` added (e.g. `MaxSessions 3`; [] for the stock
     * settings) and restarts sshd (SIGHUP: it re-executes itself with the new file; connections
     * already made keep their settings). Resolves when it answers again.
     */
    reconfigure(extraLines: string[]): Promise<void>;
    /** SIGKILLs sshd's per-connection processes: every SSH connection to it drops; returns how many processes */
    dropConnections(): number;
    /**
     * SIGKILLs the `docker system dial-stdio` processes that serve this engine's SSH channels
     * (found by their DOCKER_HOST): the channels close, and their SSH connections stay; returns how many
     */
    killDialStdio(): number;
  };
  /**
   * TLS certificates that must be refused (fault tests), each a folder as DOCKER_CERT_PATH
   * expects (ca.pem, cert.pem, key.pem): `expiredClient` a client certificate of the right CA that
   * expired in 2020; `untrustedClient` a client certificate signed by another CA; `otherCa` the
   * right client certificate with another CA's ca.pem (so the server's certificate looks signed
   * by an unknown CA).
   */
  readonly badTls: { expiredClient: string; untrustedClient: string; otherCa: string };
  /** the host's end of the veth pair (its name), e.g. for `tc`; with `via`, it lives in the jump host's namespace */
  readonly vethHost: string;
  /** SIGKILLs the namespace dockerd (a crash: its connections close at once) */
  killDaemon(): Promise<void>;
  /** starts the namespace dockerd again on the same state; `expiredServerCert` serves a certificate that expired in 2020 */
  startDaemon(options?: { expiredServerCert?: boolean }): Promise<void>;
  /** takes the link between host and namespace down or up (a host gone without closing connections) */
  setLink(up: boolean): void;
  /** limits both directions of the link to `kbit` kbit/s with `tc tbf`, or removes the limit (undefined) */
  shapeLink(kbit: number | undefined): void;
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

const claims = '/run/mllab-test-subnets';

/**
 * Claims a /24 of 10.231.0.0/16 that no interface of this machine uses and no other test run
 * has claimed: the claim is a folder `/run/mllab-test-subnets/<k>` made with mkdir (atomic, so
 * two runs starting at once, in any clone, never get the same subnet) holding the claimer's
 * pid; a claim whose process is gone is taken over. `release()` removes it.
 */
function claimSubnet(): { k: number; release: () => void } {
  mkdirSync(claims, { recursive: true });
  const used = run('ip', ['-o', '-4', 'addr', 'show']);
  for (let i = 0; i < 230; i++) {
    const k = 20 + ((process.pid + i) % 230);
    if (used.includes(`10.231.${k}.`)) continue;
    const claim = path.join(claims, String(k));
    const take = (): boolean => {
      try {
        mkdirSync(claim);
      } catch {
        return false;
      }
      writeFileSync(path.join(claim, 'pid'), String(process.pid));
      return true;
    };
    if (!take()) {
      let owner = 0;
      try {
        owner = Number(readFileSync(path.join(claim, 'pid'), 'utf8'));
      } catch {
        continue; // being claimed right now
      }
      if (owner && spawnSync('kill', ['-0', String(owner)]).status === 0) continue;
      rmSync(claim, { recursive: true, force: true });
      if (!take()) continue;
    }
    return { k, release: () => rmSync(claim, { recursive: true, force: true }) };
  }
  throw new Error('no free 10.231.<k>.0/24 subnet for a test namespace');
}

/** openssl: a CA, a server certificate for `address` (subjectAltName IP), a client certificate (clientAuth). */
function makeCertificates(dir: string, address: string): {
  server: { ca: string; cert: string; key: string; expiredCert: string };
  clientDir: string;
  bad: RemoteEngine['badTls'];
} {
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

  // Certificates that must be refused. `openssl x509 -days` takes no past dates (3.0), `openssl ca` does.
  mkdirSync(p('newcerts'));
  writeFileSync(p('index.txt'), '');
  writeFileSync(p('serial'), '1000\n');
  writeFileSync(p('ca.cnf'), [
    '[ca]', 'default_ca = d', '[d]', `database = ${p('index.txt')}`, `new_certs_dir = ${p('newcerts')}`, `serial = ${p('serial')}`,
    'default_md = sha256', 'policy = any', 'unique_subject = no', '[any]', 'commonName = supplied', '',
  ].join('\n'));
  const expired = (csr: string, ext: string, out: string) =>
    o(['ca', '-batch', '-notext', '-config', p('ca.cnf'), '-cert', p('ca.pem'), '-keyfile', p('ca-key.pem'), '-in', csr, '-out', out, '-extfile', ext, '-startdate', '20200101000000Z', '-enddate', '20200102000000Z']);
  expired(p('server.csr'), p('server-ext.cnf'), p('server-cert-expired.pem'));
  const variant = (name: string, files: { ca: string; cert: string; key: string }) => {
    const d = p(name);
    mkdirSync(d);
    writeFileSync(path.join(d, 'ca.pem'), readFileSync(files.ca));
    writeFileSync(path.join(d, 'cert.pem'), readFileSync(files.cert));
    writeFileSync(path.join(d, 'key.pem'), readFileSync(files.key));
    return d;
  };
  expired(p('client.csr'), p('client-ext.cnf'), p('client-cert-expired.pem'));
  const clientKey = path.join(clientDir, 'key.pem');
  const expiredClient = variant('bad-expired-client', { ca: p('ca.pem'), cert: p('client-cert-expired.pem'), key: clientKey });
  // Another CA, and a client certificate it signed.
  o(['genrsa', '-out', p('other-ca-key.pem'), '2048']);
  o(['req', '-new', '-x509', '-days', '2', '-key', p('other-ca-key.pem'), '-sha256', '-subj', '/CN=mllab-test-other-ca', '-out', p('other-ca.pem')]);
  o(['x509', '-req', '-days', '2', '-sha256', '-in', p('client.csr'), '-CA', p('other-ca.pem'), '-CAkey', p('other-ca-key.pem'), '-CAcreateserial', '-out', p('client-cert-other.pem'), '-extfile', p('client-ext.cnf')]);
  const untrustedClient = variant('bad-untrusted-client', { ca: p('ca.pem'), cert: p('client-cert-other.pem'), key: clientKey });
  const otherCa = variant('bad-other-ca', { ca: p('other-ca.pem'), cert: path.join(clientDir, 'cert.pem'), key: clientKey });
  return {
    server: { ca: p('ca.pem'), cert: p('server-cert.pem'), key: p('server-key.pem'), expiredCert: p('server-cert-expired.pem') },
    clientDir,
    bad: { expiredClient, untrustedClient, otherCa },
  };
}

function waitUntil(what: string, ok: () => boolean, timeoutMs: number, onTimeout: () => string): void {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs / 1000} s: ${onTimeout()}`);
    spawnSync('sleep', ['0.25']);
  }
}

/** The names and addresses of a test namespace `name` on a freshly claimed subnet, and its folder. */
function planNamespace(name: string, what: string) {
  if (!/^[a-z0-9]{1,6}$/.test(name)) throw new Error(`${what} name '${name}': 1-6 lower-case letters or digits`);
  const subnet = claimSubnet();
  const k = subnet.k;
  return {
    subnet, k,
    ns: `mllab-${name}-${process.pid}`,
    vethHost: `mlh${name}${k}`.slice(0, 15),
    vethNs: `mln${name}${k}`.slice(0, 15),
    hostAddress: `10.231.${k}.1`,
    address: `10.231.${k}.2`,
    dir: mkdtempSync(path.join(tmpdir(), `mllab-${what === 'jump host' ? 'jump' : 'remote'}-${name}-`)),
  };
}

/**
 * Makes the namespace and its veth pair: the namespace's end addressed `address`, the other end
 * (`hostAddress`) on this machine, or in namespace `peerNs`. This machine gets an unreachable
 * route for the subnet behind any real one: traffic for it never takes the default route (if the
 * veth goes away while a client still dials the address, or when the subnet hangs off `peerNs`).
 */
function joinNamespace(p: ReturnType<typeof planNamespace>, peerNs?: string): void {
  run('ip', ['netns', 'add', p.ns]);
  run('ip', ['link', 'add', p.vethHost, 'type', 'veth', 'peer', 'name', p.vethNs]);
  run('ip', ['link', 'set', p.vethNs, 'netns', p.ns]);
  const inPeer = (args: string[]) => (peerNs ? run('ip', ['netns', 'exec', peerNs, ...args]) : run(args[0], args.slice(1)));
  if (peerNs) run('ip', ['link', 'set', p.vethHost, 'netns', peerNs]);
  inPeer(['ip', 'addr', 'add', `${p.hostAddress}/24`, 'dev', p.vethHost]);
  inPeer(['ip', 'link', 'set', p.vethHost, 'up']);
  run('ip', ['route', 'add', 'unreachable', `10.231.${p.k}.0/24`, 'metric', '4000']);
  run('ip', ['netns', 'exec', p.ns, 'ip', 'addr', 'add', `${p.address}/24`, 'dev', p.vethNs]);
  run('ip', ['netns', 'exec', p.ns, 'ip', 'link', 'set', p.vethNs, 'up']);
  run('ip', ['netns', 'exec', p.ns, 'ip', 'link', 'set', 'lo', 'up']);
}

/** A login node: a network namespace joined to this machine with sshd only (no Docker engine), to jump through. */
export interface JumpHost {
  readonly ns: string;
  /** where its sshd listens, e.g. 10.231.43.2 */
  readonly address: string;
  readonly ssh: Omit<NonNullable<RemoteEngine['ssh']>, 'killDialStdio'>;
  /** takes its sshd down (SIGTERM) or starts it again: the jump host gone */
  setSshd(up: boolean): Promise<void>;
  /** deletes the namespace, its veth and folder; stop the engines behind it first */
  stop(): Promise<void>;
}

/**
 * sshd in namespace `ns` on `address`:22 with its own host key, a client key (root may log in
 * with it) and a config written to `dir`; it logs at VERBOSE to `dir`/sshd.log (refusals of
 * session channels, `error: no more sessions`, are ERROR lines, so they are in it too).
 * `scanFrom`: the namespace to check it answers from (default: this machine's).
 */
function startSshd(o: { dir: string; ns: string; address: string; children: ChildProcess[]; extraConfig: string[]; scanFrom?: string }): Omit<NonNullable<RemoteEngine['ssh']>, 'killDialStdio'> & { process: () => ChildProcess; start: () => void } {
  const { dir, address } = o;
  mkdirSync('/run/sshd', { recursive: true });
  const hostKey = path.join(dir, 'ssh_host_ed25519_key');
  const clientKey = path.join(dir, 'id_ed25519');
  const otherKey = path.join(dir, 'other_host_key');
  for (const f of [hostKey, clientKey, otherKey]) run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', f]);
  writeFileSync(path.join(dir, 'authorized_keys'), readFileSync(`${clientKey}.pub`));
  const config = path.join(dir, 'sshd_config');
  const logFile = path.join(dir, 'sshd.log');
  const writeConfig = (extra: string[]) => writeFileSync(config, [
    `ListenAddress ${address}`, 'Port 22', `HostKey ${hostKey}`, `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
    `PidFile ${path.join(dir, 'sshd.pid')}`, 'UsePAM no', 'StrictModes no', 'PermitRootLogin prohibit-password',
    'PasswordAuthentication no', 'KbdInteractiveAuthentication no', ...o.extraConfig,
    'AllowTcpForwarding yes', 'AllowStreamLocalForwarding yes', 'LogLevel VERBOSE', ...extra, '',
  ].join('\n'));
  writeConfig([]);
  const keyLine = (f: string) => readFileSync(`${f}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const answers = () => {
    const scan = ['ssh-keyscan', '-T', '2', '-t', 'ed25519', address];
    const r = o.scanFrom ? spawnSync('nsenter', [`--net=/var/run/netns/${o.scanFrom}`, ...scan], { encoding: 'utf8', timeout: 5000 }) : spawnSync(scan[0], scan.slice(1), { encoding: 'utf8', timeout: 5000 });
    return r.stdout?.includes('ssh-ed25519') ?? false;
  };
  let sshd: ChildProcess | undefined;
  const start = () => {
    // -E: its log to a file the tests read (not a pipe: waitUntil blocks this event loop)
    const d = spawn('nsenter', [`--net=/var/run/netns/${o.ns}`, '/usr/sbin/sshd', '-D', '-E', logFile, '-f', config], { stdio: 'ignore' });
    sshd = d;
    o.children.push(d);
    waitUntil('sshd in the namespace did not answer', () => {
      if (d.exitCode !== null) throw new Error(`sshd exited: ${log().slice(-2000)}`);
      return answers();
    }, 30_000, () => log().slice(-2000));
  };
  start();
  return {
    host: `ssh://root@${address}`,
    user: 'root',
    identityFile: clientKey,
    knownHostsLine: `${address} ${keyLine(hostKey)}`,
    wrongKnownHostsLine: `${address} ${keyLine(otherKey)}`,
    log,
    reconfigure: async (extra) => {
      writeConfig(extra);
      const before = log().length;
      sshd!.kill('SIGHUP');
      // re-executed: it logs that it listens again (VERBOSE), then answers
      waitUntil('sshd did not come back after SIGHUP', () => log().slice(before).includes('Server listening') && answers(), 30_000, () => log().slice(-2000));
    },
    dropConnections: () => {
      const out = spawnSync('nsenter', [`--net=/var/run/netns/${o.ns}`, 'ss', '-Htnp', 'state', 'established', '( sport = :22 )'], { encoding: 'utf8' }).stdout;
      const pids = [...new Set([...out.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1])))].filter((pid) => pid !== sshd?.pid);
      for (const pid of pids) process.kill(pid, 'SIGKILL');
      return pids.length;
    },
    process: () => sshd!,
    start,
  };
}

/**
 * Starts a login node (`name`: 1-6 lower-case letters or digits): a namespace joined to this
 * machine by a veth pair (this machine 10.231.<k>.1, the node 10.231.<k>.2) with sshd only.
 * Engines made with `startRemoteEngine(..., { via })` hang off it and only it reaches them.
 */
export async function startJumpHost(name: string): Promise<JumpHost> {
  const plan = planNamespace(name, 'jump host');
  const { subnet, k, ns, vethHost, address, dir } = plan;
  const children: ChildProcess[] = [];
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    run('ip', ['netns', 'del', ns], { allowFail: true });
    run('ip', ['link', 'del', vethHost], { allowFail: true });
    run('ip', ['route', 'del', 'unreachable', `10.231.${k}.0/24`, 'metric', '4000'], { allowFail: true });
    subnet.release();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    joinNamespace(plan);
    const sshd = startSshd({ dir, ns, address, children, extraConfig: [] });
    const { process: current, start, ...ssh } = sshd;
    return {
      ns, address, ssh, stop,
      setSshd: async (up) => {
        const p = current();
        if (!up) {
          if (p.exitCode !== null || p.signalCode !== null) return;
          const gone = new Promise<void>((resolve) => p.once('exit', () => resolve()));
          p.kill('SIGTERM');
          await gone;
        } else if (p.exitCode !== null || p.signalCode !== null) {
          start();
        }
      },
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * Starts the second machine. `name` (letters and digits, at most 6) names the namespace and
 * the veth pair. Throws with the daemon's log when it does not come up (and cleans up first).
 * `ssh` adds sshd. `bridge`: the daemon gets its default bridge network (`--bip 172.31.<k>.1/24`,
 * inside the namespace only), so containers can publish ports on the namespace's address (and
 * its loopback); without it (`--bridge none`) containers run with the none or host network.
 * `dockerdArgs` are added to the daemon's flags (e.g. `--node-generic-resource
 * NVIDIA-GPU=gpu0`, a fake GPU for Swarm placement tests). `hostname` gives the daemon a UTS
 * namespace with that host name (else it shares this machine's: two Swarm nodes would look alike).
 * `via`: the namespace hangs off that jump host's namespace instead of this machine (a GPU box
 * behind a login node): its veth peer lives there, and this machine has no route to it at all
 * (an unreachable route for its subnet), so only SSH through the jump host reaches its sshd.
 */
export async function startRemoteEngine(name: string, options: { ssh?: boolean; bridge?: boolean; dockerdArgs?: string[]; hostname?: string; via?: JumpHost } = {}): Promise<RemoteEngine> {
  const plan = planNamespace(name, 'remote engine');
  const { subnet, k, ns, vethHost, vethNs, hostAddress, address, dir } = plan;
  const children: ChildProcess[] = [];
  const inNs = (args: string[]) => ['--net=/var/run/netns/' + ns, ...args];
  const sock = path.join(dir, 'docker.sock');

  let stopped = false;
  let logFd: number | undefined;
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
    if (logFd !== undefined) closeSync(logFd);
    run('ip', ['netns', 'del', ns], { allowFail: true });
    run('ip', options.via ? ['netns', 'exec', options.via.ns, 'ip', 'link', 'del', vethHost] : ['link', 'del', vethHost], { allowFail: true });
    run('ip', ['route', 'del', 'unreachable', `10.231.${k}.0/24`, 'metric', '4000'], { allowFail: true });
    // A dockerd killed with SIGKILL leaves its containerd running.
    const containerdPid = path.join(dir, 'exec', 'containerd', 'containerd.pid');
    if (existsSync(containerdPid)) run('kill', ['-9', readFileSync(containerdPid, 'utf8').trim()], { allowFail: true });
    subnet.release();
    // dockerd leaves its overlay and shm mounts under the data root when it is killed.
    const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1]).filter((m) => m?.startsWith(dir)).reverse();
    for (const m of mounts) run('umount', ['-l', m], { allowFail: true });
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    joinNamespace(plan, options.via?.ns);

    const certs = makeCertificates(dir, address);
    const log = path.join(dir, 'dockerd.log');
    logFd = openSync(log, 'a');
    let dockerd: ChildProcess | undefined;
    const startDaemon = async (o: { expiredServerCert?: boolean } = {}): Promise<void> => {
      // nsenter --net, not `ip netns exec`: the latter remounts /sys and dockerd then stops with
      // "Devices cgroup isn't mounted" (environment.md).
      // With a host name of its own: `unshare --uts` (no fork: the pid stays dockerd's) then `hostname`.
      const ownHostname = options.hostname ? ['unshare', '--uts', 'sh', '-c', `hostname ${options.hostname} && exec "$@"`, 'sh'] : [];
      const d = spawn('nsenter', inNs([...ownHostname, 'dockerd',
        '--data-root', path.join(dir, 'root'), '--exec-root', path.join(dir, 'exec'), '--pidfile', path.join(dir, 'dockerd.pid'),
        '-H', `unix://${sock}`, '-H', `tcp://${address}:2376`,
        '--tlsverify', '--tlscacert', certs.server.ca, '--tlscert', o.expiredServerCert ? certs.server.expiredCert : certs.server.cert, '--tlskey', certs.server.key,
        ...(options.bridge ? ['--bip', `172.31.${k}.1/24`] : ['--bridge', 'none']), '--iptables=false', '--ip-masq=false', ...(options.dockerdArgs ?? [])]),
      // Its log goes to a file, not a pipe: waitUntil blocks this process's event loop, and a
      // daemon restarted after a crash logs enough to fill a pipe and block on it.
      { stdio: ['ignore', logFd!, logFd!] });
      dockerd = d;
      children.push(d);
      const tail = () => readFileSync(log, 'utf8').slice(-2000);
      waitUntil('the namespace dockerd did not answer', () => {
        if (d.exitCode !== null) throw new Error(`the namespace dockerd exited: ${tail()}`);
        return existsSync(sock) && spawnSync('docker', ['-H', `unix://${sock}`, 'version'], { timeout: 5000 }).status === 0;
      }, 60_000, tail);
    };
    const killDaemon = async (): Promise<void> => {
      const d = dockerd;
      if (!d || d.exitCode !== null || d.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => d.once('exit', () => resolve()));
      d.kill('SIGKILL');
      await exited;
      rmSync(sock, { force: true });
      // Its containerd goes with it; a stale pid file would make the next dockerd wait for that one.
      const containerd = path.join(dir, 'exec', 'containerd');
      if (existsSync(path.join(containerd, 'containerd.pid'))) run('kill', ['-9', readFileSync(path.join(containerd, 'containerd.pid'), 'utf8').trim()], { allowFail: true });
      rmSync(path.join(containerd, 'containerd.pid'), { force: true });
      rmSync(path.join(containerd, 'containerd.sock'), { force: true });
    };
    await startDaemon();

    let ssh: RemoteEngine['ssh'];
    if (options.ssh) {
      const made = startSshd({ dir, ns, address, children, extraConfig: [`SetEnv DOCKER_HOST=unix://${sock}`], scanFrom: options.via?.ns });
      ssh = { host: made.host, user: made.user, identityFile: made.identityFile, knownHostsLine: made.knownHostsLine, wrongKnownHostsLine: made.wrongKnownHostsLine, log: made.log, reconfigure: made.reconfigure, dropConnections: made.dropConnections,
        killDialStdio: () => {
          const pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((pid) => {
            try {
              return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('dial-stdio') && readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`DOCKER_HOST=unix://${sock}`);
            } catch {
              return false; // gone meanwhile
            }
          });
          for (const pid of pids) process.kill(Number(pid), 'SIGKILL');
          return pids.length;
        } };
    }

    const docker = (args: string[], input?: Buffer) => {
      const r = spawnSync('docker', ['-H', `unix://${sock}`, ...args], { input, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
      if (r.status !== 0) throw new Error(`docker -H unix://${sock} ${args.join(' ')} failed: ${r.stderr}`);
      return r.stdout.trim();
    };
    return {
      ns, hostAddress, address, unixHost: `unix://${sock}`, tlsHost: `tcp://${address}:2376`, certDir: certs.clientDir, ssh,
      badTls: certs.bad, vethHost,
      killDaemon,
      startDaemon,
      // The namespace's end: the host's end (and so its route to the namespace) stays, and
      // packets for the namespace go nowhere else while the link is down.
      setLink: (up) => run('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', vethNs, up ? 'up' : 'down']),
      shapeLink: (kbit) => {
        // tbf, not netem: this machine's kernel has no netem qdisc ("Specified qdisc kind is unknown").
        const peer = options.via ? ['ip', 'netns', 'exec', options.via.ns] : [];
        for (const [prefix, dev] of [[peer, vethHost], [['ip', 'netns', 'exec', ns], vethNs]] as const) {
          const tc = [...prefix, 'tc', 'qdisc'];
          if (kbit === undefined) run(tc[0], [...tc.slice(1), 'del', 'dev', dev, 'root'], { allowFail: true });
          else run(tc[0], [...tc.slice(1), 'replace', 'dev', dev, 'root', 'tbf', 'rate', `${kbit}kbit`, 'burst', '1600', 'latency', '5s']);
        }
      },
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

/**
 * A home folder for `sshOptions.home`: `.ssh/config` with the alias `gpu-box` for the namespace's
 * sshd (HostName, User root, the test's key), as a user would write it.
 * @returns the folder (under the system temp dir; the caller removes it)
 */
export function makeSshHome(remote: RemoteEngine, prefix: string): string {
  const home = mkdtempSync(path.join(tmpdir(), `mllab-${prefix}-home-`));
  mkdirSync(path.join(home, '.ssh'));
  writeFileSync(path.join(home, '.ssh', 'config'), `Host gpu-box\n  HostName ${remote.address}\n  User root\n  IdentityFile ${remote.ssh!.identityFile}\n`);
  return home;
}

/**
 * For a `describe` block of engine tests: before its tests, a second machine with SSH and the
 * given images, and Engines reaching it over SSH (through the `gpu-box` alias of
 * {@link makeSshHome}) and over TCP+TLS; after them, all of it closed and removed.
 */
export function useRemoteEngines(name: string, images: string[]): { remote(): RemoteEngine; ssh(): Engine; tls(): Engine } {
  let remote: RemoteEngine | undefined;
  let home: string | undefined;
  let ssh: Engine | undefined;
  let tls: Engine | undefined;
  before(async () => {
    remote = await startRemoteEngine(name, { ssh: true });
    for (const image of images) remote.loadImage(image);
    home = makeSshHome(remote, name);
    tls = new Engine({
      address: { kind: 'tcp', host: remote.address, port: 2376, tls: { caPath: path.join(remote.certDir, 'ca.pem'), certPath: path.join(remote.certDir, 'cert.pem'), keyPath: path.join(remote.certDir, 'key.pem'), verify: true } },
      source: 'setting', describe: `${remote.tlsHost} TLS (test)`,
    }, 30_000);
    ssh = new Engine({ address: { kind: 'ssh', host: 'gpu-box' }, source: 'setting', describe: 'ssh://gpu-box (test)' }, 30_000,
      { home, localUser: 'nobody', agentSocket: '', knownHostsText: remote.ssh!.knownHostsLine });
  });
  after(async () => {
    ssh?.close();
    tls?.close();
    await remote?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });
  return { remote: () => remote!, ssh: () => ssh!, tls: () => tls! };
}
