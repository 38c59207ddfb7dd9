/**
 * The SSH transport for `ssh://` engines (issue 11): what `docker -H ssh://host` does, through
 * the Engine API. Each HTTP connection to the engine is a `docker system dial-stdio` channel on
 * ONE shared SSH connection (dockerode's own ssh transport opens a new SSH connection per
 * request); the connection is made again after it drops. The host key is checked against
 * known_hosts before any credential is sent; an unknown host is accepted only when `askHostKey`
 * says yes (the UI shows the fingerprint, as `ssh` does), a changed key never.
 */
import { Agent, type ClientRequestArgs } from 'node:http';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Duplex } from 'node:stream';
import type { Client, ConnectConfig } from 'ssh2';
import { checkHostKey, fingerprint, keyType, knownHostsLine } from '../core/ssh/knownHosts';
import { resolveSshTarget, type SshTarget } from '../core/ssh/config';

/** A host key known_hosts does not list yet, as shown to the user. */
export interface HostKeyQuestion {
  /** `gpu-box` or `[gpu-box]:2222` */
  host: string;
  port: number;
  keyType: string;
  /** `SHA256:...` as `ssh` prints it */
  fingerprint: string;
  /** the raw key, to write to known_hosts once accepted */
  keyBlob: Buffer;
}

export interface SshOptions {
  /** asked on first contact with a host; resolve true to trust (and remember) the key. Unset: refuse. */
  askHostKey?: (q: HostKeyQuestion) => Promise<boolean>;
  /** home folder (default os.homedir()): ~/.ssh/config, ~/.ssh/known_hosts and default keys live there */
  home?: string;
  /** the local user name, OpenSSH's default User (default os.userInfo().username) */
  localUser?: string;
  /** ssh-agent socket (default SSH_AUTH_SOCK) */
  agentSocket?: string;
  /** extra known_hosts text (tests) checked with ~/.ssh/known_hosts */
  knownHostsText?: string;
}

/** Why an SSH engine connection was refused, in words that say what to do. */
export class SshError extends Error {
  constructor(message: string, readonly kind: 'hostKeyMismatch' | 'hostKeyUnknown' | 'auth' | 'connect' | 'unsupported' | 'forward') {
    super(message);
    this.name = 'SshError';
  }
}

/** Reads ~/.ssh/config and resolves the engine's address against it. */
export function sshTarget(address: { host: string; port?: number; user?: string }, o: SshOptions = {}): SshTarget {
  const home = o.home ?? os.homedir();
  const configFile = path.join(home, '.ssh', 'config');
  const text = existsSync(configFile) ? readFileSync(configFile, 'utf8') : '';
  return resolveSshTarget(address, text, { home, user: o.localUser ?? os.userInfo().username });
}

/**
 * An http.Agent whose connections are `docker system dial-stdio` channels on one SSH
 * connection to the target. Give it to dockerode as `agent` with `protocol: 'http'`.
 */
export class SshDialAgent extends Agent {
  private client: Promise<Client> | undefined;
  /** the last connection error, kept so every waiting request reports the same cause */
  private refused: SshError | undefined;
  /** told when an established SSH connection closes (a drop, or destroy()): port forwards close with it */
  private readonly closeListeners = new Set<() => void>();

  constructor(
    readonly target: SshTarget,
    private readonly options: SshOptions,
    private readonly loadSsh2: () => { Client: new () => Client },
  ) {
    // Keep-alive: an HTTP connection is a `docker system dial-stdio` process on the host, which
    // takes about 0.5-1 s to start there; reusing it for the next request, as the Docker CLI's
    // own HTTP client does, makes a list over SSH cost a round trip instead of a process start.
    super({ keepAlive: true, maxFreeSockets: 4 });
  }

  override createConnection(_options: ClientRequestArgs, callback: (err: Error | null, stream?: Duplex) => void): undefined {
    this.connection().then(
      (c) => c.exec('docker system dial-stdio', (err, stream) => {
        if (err) {
          callback(new SshError(`${this.describe()}: could not run "docker system dial-stdio" there: ${err.message}. Is the Docker CLI installed on that host?`, 'connect'));
          return;
        }
        // When dial-stdio fails on the host (its engine is down), say so with its own words
        // rather than the bare "socket hang up" the HTTP client would report.
        let stderr = '';
        stream.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-500)));
        stream.once('exit', (code: number | null) => {
          if (code) {
            stream.emit('error', new SshError(`${this.describe()}: "docker system dial-stdio" on the host stopped (exit ${code}): ${stderr.trim() || 'no message'}. Check that the Docker engine on that host runs, then Retry.`, 'connect'));
          }
        });
        callback(null, withSocketMethods(stream as unknown as Duplex));
      }),
      (err: Error) => callback(err),
    );
    return undefined;
  }

  /**
   * A TCP channel to `host:port` as the SSH host sees it (what `ssh -L` opens for each
   * connection), on the shared SSH connection. `host` is usually 127.0.0.1 on that machine.
   * @throws SshError when the SSH connection cannot be made, or (kind 'forward') the host refuses
   *   the channel (nothing listens there, or sshd has AllowTcpForwarding no)
   */
  async forwardOut(host: string, port: number): Promise<Duplex> {
    const c = await this.connection();
    return new Promise<Duplex>((resolve, reject) => {
      c.forwardOut('127.0.0.1', 0, host, port, (err, channel) => {
        if (err) reject(new SshError(`${this.describe()}: could not reach ${host}:${port} there: ${err.message.replace(/^\(SSH\) /, '')}. Is the container running with that port published, and does sshd allow TCP forwarding (AllowTcpForwarding)?`, 'forward'));
        else resolve(withSocketMethods(channel as unknown as Duplex));
      });
    });
  }

  /** Calls `listener` once when the current SSH connection closes (made first when there is none). */
  async onConnectionClose(listener: () => void): Promise<void> {
    await this.connection();
    const once = () => {
      this.closeListeners.delete(once);
      listener();
    };
    this.closeListeners.add(once);
  }

  /** `root@10.231.4.2:22` */
  describe(): string {
    return `${this.target.user}@${this.target.hostName}:${this.target.port}`;
  }

  private connection(): Promise<Client> {
    if (this.client) return this.client;
    if (this.target.proxyJump) {
      return Promise.reject(new SshError(`${this.describe()}: ~/.ssh/config asks for ProxyJump ${this.target.proxyJump}, which the extension does not support yet. Reach the engine directly, or forward its socket (ssh -NL /tmp/docker.sock:/var/run/docker.sock ${this.target.alias}) and use unix:///tmp/docker.sock.`, 'unsupported'));
    }
    const { Client: ClientCtor } = this.loadSsh2();
    const c = new ClientCtor();
    const p = new Promise<Client>((resolve, reject) => {
      c.once('ready', () => resolve(c));
      c.once('error', (e: Error & { level?: string }) => {
        if (this.client === p) this.client = undefined;
        reject(this.refused ?? explain(e, this));
        this.refused = undefined;
      });
      c.once('close', () => {
        if (this.client === p) this.client = undefined; // made again on the next request
        for (const l of [...this.closeListeners]) l();
        this.dropPooled();
      });
    });
    this.client = p;
    c.connect(this.connectConfig());
    return p;
  }

  private connectConfig(): ConnectConfig {
    const t = this.target;
    const keys = t.identityFiles.filter((f) => existsSync(f)).map((f) => ({ type: 'publickey' as const, username: t.user, key: readFileSync(f) }));
    const agent = this.options.agentSocket ?? process.env.SSH_AUTH_SOCK;
    const home = this.options.home ?? os.homedir();
    const knownHosts = [path.join(home, '.ssh', 'known_hosts')].filter((f) => existsSync(f)).map((f) => readFileSync(f, 'utf8')).join('\n') + `\n${this.options.knownHostsText ?? ''}`;
    return {
      host: t.hostName,
      port: t.port,
      username: t.user,
      readyTimeout: 20_000,
      keepaliveInterval: 15_000,
      authHandler: [...keys, ...(agent ? [{ type: 'agent' as const, username: t.user, agent }] : [])],
      hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
        const status = checkHostKey(knownHosts, t.hostName, t.port, key);
        if (status.status === 'known') return verify(true);
        if (status.status === 'mismatch') {
          this.refused = new SshError(`${this.describe()}: refused: ${status.reason}`, 'hostKeyMismatch');
          return verify(false);
        }
        const q: HostKeyQuestion = { host: t.hostName, port: t.port, keyType: keyType(key), fingerprint: fingerprint(key), keyBlob: key };
        const ask = this.options.askHostKey;
        if (!ask) {
          this.refused = new SshError(`${this.describe()}: the host key (${q.keyType} ${q.fingerprint}) is not in known_hosts. Connect once with ssh ${t.alias} to check and add it, then try again.`, 'hostKeyUnknown');
          return verify(false);
        }
        ask(q).then((ok) => {
          if (!ok) this.refused = new SshError(`${this.describe()}: the host key ${q.fingerprint} was not trusted; nothing was sent.`, 'hostKeyUnknown');
          verify(ok);
        }, () => verify(false));
      },
    } as ConnectConfig;
  }

  /**
   * Forgets the kept-alive channels: they die with their SSH connection, and an ssh2 channel's
   * destroy() does not mark it `destroyed` (Node's agent would hand it out again).
   */
  private dropPooled(): void {
    const free = this.freeSockets as Record<string, Array<{ destroy(): void }> | undefined>;
    for (const name of Object.keys(free)) {
      for (const socket of free[name] ?? []) socket.destroy();
      delete free[name];
    }
  }

  override destroy(): void {
    this.dropPooled();
    super.destroy();
    const c = this.client;
    this.client = undefined;
    void c?.then((x) => x.end(), () => undefined);
  }
}

/** What went wrong connecting, for a person. */
function explain(e: Error & { level?: string }, agent: SshDialAgent): SshError {
  const who = agent.describe();
  if (e.level === 'client-authentication' || /authentication methods failed/i.test(e.message)) {
    return new SshError(`${who}: the SSH server refused every key offered (${agent.target.identityFiles.map((f) => path.basename(f)).join(', ')}, and the ssh-agent when SSH_AUTH_SOCK is set). Add your key to the agent (ssh-add) or name it with IdentityFile in ~/.ssh/config.`, 'auth');
  }
  if (e.level === 'client-timeout' || /timed out/i.test(e.message)) return new SshError(`${who}: no answer within 20 s. Check that the host is up and reachable from here (network, VPN), then Retry; or switch to another engine in the Engines view.`, 'connect');
  const code = (e as { code?: string }).code;
  if (code && ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ETIMEDOUT', 'ECONNRESET'].includes(code)) {
    return new SshError(`${who}: could not connect (${code}): ${code === 'ECONNREFUSED' ? 'the host answered, but no SSH server listens on that port' : 'the host did not answer'}. Check that the host is up and reachable from here (network, VPN) and that sshd runs, then Retry; or switch to another engine in the Engines view.`, 'connect');
  }
  return new SshError(`${who}: ${e.message}`, 'connect');
}

/** http's ClientRequest may call these on its socket; an SSH channel has none of them. */
function withSocketMethods(stream: Duplex): Duplex {
  const s = stream as Duplex & Record<string, unknown>;
  for (const m of ['setTimeout', 'setNoDelay', 'setKeepAlive', 'ref', 'unref']) {
    if (typeof s[m] !== 'function') s[m] = () => stream;
  }
  return stream;
}

/**
 * Appends an accepted host key to ~/.ssh/known_hosts (creating ~/.ssh with mode 700 and the
 * file with mode 600 when missing), as `ssh` does after "yes" on first contact.
 */
export function rememberHostKey(q: HostKeyQuestion, home: string = os.homedir()): void {
  const dir = path.join(home, '.ssh');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  appendFileSync(path.join(dir, 'known_hosts'), `${knownHostsLine(q.host, q.port, q.keyBlob)}\n`, { mode: 0o600 });
}
