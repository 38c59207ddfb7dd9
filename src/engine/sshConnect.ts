/**
 * Making one SSH connection the way `ssh` would (src/core/ssh/config.ts reads the options):
 * the host key checked against UserKnownHostsFile and GlobalKnownHostsFile (under HostKeyAlias
 * when set) before any credential is sent, with StrictHostKeyChecking deciding about an unknown
 * key; the keys of IdentityFile and the agent (IdentityAgent, IdentitiesOnly); ConnectTimeout and
 * ServerAliveInterval; and the way there: TCP, a ProxyJump hop's `direct-tcpip` channel, or a
 * ProxyCommand's stdin/stdout.
 *
 * One question per host key: concurrent connections to a host whose key is unknown share one
 * pending question (two views refreshing at once must not ask twice), and a yes is written once.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Duplex } from 'node:stream';
import type { Client, ConnectConfig, ParsedKey } from 'ssh2';
import { checkHostKey, fingerprint, keyType, knownHostsLine, knownHostsName } from '../core/ssh/knownHosts';
import type { SshTarget } from '../core/ssh/config';

/** A host key known_hosts does not list yet, as shown to the user. */
export interface HostKeyQuestion {
  /** the name known_hosts uses: the HostName (or HostKeyAlias), e.g. `gpu-box` */
  host: string;
  port: number;
  keyType: string;
  /** `SHA256:...` as `ssh` prints it */
  fingerprint: string;
  /** the raw key, to write to known_hosts once accepted */
  keyBlob: Buffer;
  /** the file a yes adds the key to (the first UserKnownHostsFile) */
  knownHostsFile: string;
}

/** Why an SSH engine connection was refused, in words that say what to do. */
export class SshError extends Error {
  constructor(message: string, readonly kind: 'hostKeyMismatch' | 'hostKeyUnknown' | 'auth' | 'connect' | 'unsupported' | 'forward' | 'sessions') {
    super(message);
    this.name = 'SshError';
  }
}

/** What connecting needs besides the target: the user's answers and the local facts. */
export interface ConnectPolicy {
  /** asked on first contact with a host (StrictHostKeyChecking ask); true trusts and remembers the key */
  askHostKey?: (q: HostKeyQuestion) => Promise<boolean>;
  /** told once per host when StrictHostKeyChecking no adds an unknown key without asking */
  onWarning?: (message: string) => void;
  /** ssh-agent socket when the config names none (IdentityAgent unset): SSH_AUTH_SOCK's role */
  agentSocket?: string;
  /** extra known_hosts text (tests) checked with the known_hosts files */
  knownHostsText?: string;
  /** limit of the TCP connect and handshake without ConnectTimeout, in ms (the time a host-key question is open is not counted) */
  defaultConnectTimeoutMs: number;
  /** keep-alive interval without ServerAliveInterval, in ms: a host gone silent is noticed */
  defaultKeepaliveMs: number;
}

/** Pending host-key questions, by known_hosts name and key: concurrent connections share one. */
const pendingQuestions = new Map<string, Promise<boolean>>();
/** Hosts warned about under StrictHostKeyChecking no, so the warning comes once. */
const warnedHosts = new Set<string>();

/** `root@10.231.4.2:22`, the way messages name a host. */
export function describeTarget(t: SshTarget): string {
  return `${t.user}@${t.hostName}:${t.port}`;
}

/**
 * Appends an accepted host key to `file` (creating its folder with mode 700 and the file with
 * mode 600 when missing), as `ssh` does after "yes" on first contact.
 */
export function rememberHostKey(q: Pick<HostKeyQuestion, 'host' | 'port' | 'keyBlob'>, file: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  appendFileSync(file, `${knownHostsLine(q.host, q.port, q.keyBlob)}\n`, { mode: 0o600 });
}

/** The known_hosts text of the target's files (user files first, then global ones) and the test text. */
function knownHostsText(t: SshTarget, extra: string | undefined): string {
  const read = (f: string) => {
    try {
      return existsSync(f) ? readFileSync(f, 'utf8') : '';
    } catch {
      return ''; // an unreadable global file: as ssh, go on without it
    }
  };
  return [...t.userKnownHostsFiles, ...t.globalKnownHostsFiles].map(read).join('\n') + `\n${extra ?? ''}`;
}

/**
 * Decides about the server's host key: known keys pass, changed or revoked ones never do,
 * unknown ones as StrictHostKeyChecking says. Resolves true to go on; false with `refuse` called.
 */
async function verifyHostKey(t: SshTarget, key: Buffer, p: ConnectPolicy, refuse: (e: SshError) => void): Promise<boolean> {
  // HostKeyAlias: looked up (and written) under that name, without a port (ssh's sshconnect.c)
  const name = t.hostKeyAlias ?? t.hostName;
  const port = t.hostKeyAlias ? 22 : t.port;
  const id = `${knownHostsName(name, port)} ${key.toString('base64')}`;
  const status = checkHostKey(knownHostsText(t, p.knownHostsText), name, port, key);
  const who = describeTarget(t);
  if (status.status === 'known') return true;
  if (status.status === 'mismatch') {
    // refused under every StrictHostKeyChecking value: the extension has no restricted mode to fall back to
    refuse(new SshError(`${who}: refused: ${status.reason}`, 'hostKeyMismatch'));
    return false;
  }
  const file = t.userKnownHostsFiles[0];
  const q: HostKeyQuestion = { host: name, port, keyType: keyType(key), fingerprint: fingerprint(key), keyBlob: key, knownHostsFile: file ?? '' };
  const files = [...t.userKnownHostsFiles, ...t.globalKnownHostsFiles].join(', ');
  if (t.strictHostKeyChecking === 'yes') {
    refuse(new SshError(`${who}: the host key (${q.keyType} ${q.fingerprint}) is in none of the known_hosts files (${files}), and ~/.ssh/config sets StrictHostKeyChecking yes, so it is never asked about. Add the key (connect once with ssh ${t.alias} after changing that setting, or append the output of ssh-keyscan ${t.hostName} after checking its fingerprint), then Retry.`, 'hostKeyUnknown'));
    return false;
  }
  let answer = pendingQuestions.get(id);
  if (!answer) {
    const decide = async (): Promise<boolean> => {
      if (t.strictHostKeyChecking === 'no' || t.strictHostKeyChecking === 'accept-new') {
        if (t.strictHostKeyChecking === 'no' && !warnedHosts.has(q.host)) {
          warnedHosts.add(q.host);
          p.onWarning?.(`${who}: the host key ${q.keyType} ${q.fingerprint} was not known and was added to ${file ?? 'no file'} without asking, because ~/.ssh/config sets StrictHostKeyChecking no for this host. Nothing checked that this is the right host.`);
        }
        return true;
      }
      if (!p.askHostKey) return false;
      return p.askHostKey(q).catch(() => false);
    };
    answer = decide().then((ok) => {
      if (ok && file) {
        try {
          rememberHostKey(q, file);
        } catch (err) {
          p.onWarning?.(`${who}: the host key was trusted for this connection but could not be added to ${file} (${(err as Error).message}); you will be asked again next time.`);
        }
      }
      return ok;
    }).finally(() => pendingQuestions.delete(id));
    pendingQuestions.set(id, answer);
  }
  const ok = await answer;
  if (!ok) {
    refuse(p.askHostKey || t.strictHostKeyChecking !== 'ask'
      ? new SshError(`${who}: the host key ${q.fingerprint} was not trusted; nothing was sent.`, 'hostKeyUnknown')
      : new SshError(`${who}: the host key (${q.keyType} ${q.fingerprint}) is not in known_hosts (${files}). Connect once with ssh ${t.alias} to check and add it, then try again.`, 'hostKeyUnknown'));
  }
  return ok;
}

/** The agent as IdentitiesOnly allows it: only the keys whose public half IdentityFile names. */
function agentFor(t: SshTarget, socket: string, ssh2: typeof import('ssh2')): string | InstanceType<typeof import('ssh2').OpenSSHAgent> {
  if (!t.identitiesOnly) return socket;
  const wanted = new Set<string>();
  for (const f of t.identityFiles) {
    for (const candidate of [`${f}.pub`, f]) {
      if (!existsSync(candidate)) continue;
      const k = ssh2.utils.parseKey(readFileSync(candidate));
      const parsed = Array.isArray(k) ? k[0] : k;
      if (parsed && !(parsed instanceof Error)) {
        wanted.add(parsed.getPublicSSH().toString('base64'));
        break;
      }
    }
  }
  return new (class extends ssh2.OpenSSHAgent {
    override getIdentities(cb: (err: Error | undefined, keys?: ParsedKey[]) => void): void {
      super.getIdentities((err, keys) => cb(err ?? undefined, (keys as ParsedKey[] | undefined)?.filter((k) => wanted.has(k.getPublicSSH().toString('base64')))));
    }
  })(socket);
}

/** A child process's stdin and stdout as one duplex stream: ProxyCommand's socket. */
function commandSocket(command: string, onExit: (message: string) => void): Duplex {
  const child = spawn(process.env.SHELL || '/bin/sh', ['-c', `exec ${command}`], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-500)));
  const sock = new Duplex({
    read() {
      child.stdout.resume();
    },
    write(chunk: Buffer, _enc, cb) {
      if (child.stdin.writable) child.stdin.write(chunk, cb);
      else cb(new Error('ProxyCommand exited'));
    },
    final(cb) {
      child.stdin.end();
      cb();
    },
    destroy(err, cb) {
      if (child.exitCode === null) child.kill();
      cb(err);
    },
  });
  child.stdout.on('data', (d: Buffer) => {
    if (!sock.push(d)) child.stdout.pause();
  });
  child.stdout.on('end', () => sock.push(null));
  child.stdin.on('error', () => undefined); // EPIPE once the command is gone: reported by exit below
  child.once('error', (e) => onExit(`could not start it: ${e.message}`));
  child.once('exit', (code, signal) => {
    if (code) onExit(`it exited with code ${code}${stderr.trim() ? `: ${stderr.trim()}` : ''}`);
    else if (signal && !sock.destroyed) onExit(`it was ended by ${signal}`);
  });
  return sock;
}

/** What went wrong connecting to `t`, for a person; `timeoutMs` is the limit that applied. */
export function explain(e: Error & { level?: string; code?: string }, t: SshTarget, timeoutMs: number): SshError {
  const who = describeTarget(t);
  if (e.level === 'client-authentication' || /authentication methods failed/i.test(e.message)) {
    return new SshError(`${who}: the SSH server refused every key offered (${t.identityFiles.map((f) => path.basename(f)).join(', ')}${t.identitiesOnly ? '; IdentitiesOnly yes: no other agent key' : ', and the ssh-agent when one is set'}). Add your key to the agent (ssh-add) or name it with IdentityFile in ~/.ssh/config.`, 'auth');
  }
  if (e.level === 'client-timeout' || /timed out/i.test(e.message)) return new SshError(`${who}: no answer within ${Math.round(timeoutMs / 1000)} s${t.connectTimeoutMs !== undefined ? ' (ConnectTimeout in ~/.ssh/config)' : ''}. Check that the host is up and reachable from here (network, VPN), then Retry; or switch to another engine in the Engines view.`, 'connect');
  const code = e.code;
  if (code && ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ETIMEDOUT', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN'].includes(code)) {
    const why = code === 'ECONNREFUSED' ? 'the host answered, but no SSH server listens on that port' : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'the host name is not known here' : 'the host did not answer';
    return new SshError(`${who}: could not connect (${code}): ${why}. Check that the host is up and reachable from here (network, VPN) and that sshd runs, then Retry; or switch to another engine in the Engines view.`, 'connect');
  }
  return new SshError(`${who}: ${e.message}`, 'connect');
}

/**
 * Connects and authenticates to `t`: over `sock` when given (a jump host's direct-tcpip
 * channel), else through its ProxyCommand, else over TCP. Resolves with the ready client.
 * @throws SshError saying what went wrong and what to do (host key, authentication, timeout,
 *   connection refused, ProxyCommand failed)
 */
export async function connectSsh(t: SshTarget, p: ConnectPolicy, ssh2: typeof import('ssh2'), sock?: Duplex): Promise<Client> {
  const who = describeTarget(t);
  let proxyError: SshError | undefined;
  if (!sock && t.proxyCommand) {
    sock = commandSocket(t.proxyCommand, (m) => {
      proxyError ??= new SshError(`${who}: the ProxyCommand of ~/.ssh/config (${t.proxyCommand}) failed: ${m}. Check that it works on its own (ssh ${t.alias}), then Retry.`, 'connect');
    });
  }
  const keys = t.identityFiles.filter((f) => existsSync(f)).map((f) => ({ type: 'publickey' as const, username: t.user, key: readFileSync(f) }));
  const agentSocket = t.identityAgent === 'none' ? undefined : (t.identityAgent ?? p.agentSocket);
  const timeoutMs = t.connectTimeoutMs ?? p.defaultConnectTimeoutMs;
  const c = new ssh2.Client();
  let refused: SshError | undefined;
  let asking = false;
  return new Promise<Client>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (asking) return; // the person is reading the fingerprint: not a slow host
        reject(explain(Object.assign(new Error('timed out'), { level: 'client-timeout' }), t, timeoutMs));
        c.end();
        sock?.destroy();
      }, timeoutMs);
    };
    arm();
    c.once('ready', () => {
      clearTimeout(timer);
      resolve(c);
    });
    c.once('error', (e: Error & { level?: string }) => {
      clearTimeout(timer);
      reject(refused ?? proxyError ?? explain(e, t, timeoutMs));
    });
    c.once('close', () => {
      clearTimeout(timer);
      reject(refused ?? proxyError ?? new SshError(`${who}: the connection closed during the handshake. Check that the host runs an SSH server there, then Retry.`, 'connect'));
    });
    c.connect({
      ...(sock ? { sock: sock as unknown as NodeJS.ReadableStream } : { host: t.hostName, port: t.port }),
      username: t.user,
      readyTimeout: 0, // our own timer: it must not run while a host-key question is open
      keepaliveInterval: t.serverAliveIntervalMs ?? p.defaultKeepaliveMs,
      keepaliveCountMax: t.serverAliveCountMax,
      authHandler: [...keys, ...(agentSocket ? [{ type: 'agent' as const, username: t.user, agent: agentFor(t, agentSocket, ssh2) }] : [])],
      hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
        asking = true;
        void verifyHostKey(t, key, p, (e) => (refused = e)).then((ok) => {
          asking = false;
          arm(); // the rest of the handshake gets the whole timeout again
          verify(ok);
        });
      },
    } as ConnectConfig);
  });
}
