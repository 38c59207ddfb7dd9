/**
 * Where an `ssh://` engine really is and how to trust and reach it, as `ssh` would decide:
 * ~/.ssh/config (parsed by the `ssh-config` package, the maintained parser of that format: `Host`
 * and `Match` blocks, first value wins) over the address's own parts, then OpenSSH's defaults.
 * Options read (ssh_config(5), OpenSSH 9): HostName, User, Port, IdentityFile, IdentitiesOnly,
 * IdentityAgent, UserKnownHostsFile, GlobalKnownHostsFile, StrictHostKeyChecking, HostKeyAlias,
 * ConnectTimeout, ServerAliveInterval, ServerAliveCountMax, ProxyJump, ProxyCommand; `~` and the
 * `%` tokens of ssh_config(5) "TOKENS" expanded where OpenSSH expands them. `ssh -G <host>`
 * prints the same resolution (the unit tests compare with it).
 */
import { createHash } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import type SSHConfigClass from 'ssh-config' with { 'resolution-mode': 'import' };

/** ssh-config's parser, loaded on first use (the package ships CommonJS for require). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sshConfig = () => (require('ssh-config') as { default: typeof SSHConfigClass }).default;

/** StrictHostKeyChecking: `yes` never asks and refuses unknown hosts; `accept-new` adds unknown keys without asking; `ask` asks; `no` adds them with a warning. */
export type StrictHostKeyChecking = 'yes' | 'accept-new' | 'ask' | 'no';

export interface SshTarget {
  /** the name as written (`gpu-box`), what ~/.ssh/config's Host patterns match (OpenSSH's %n) */
  alias: string;
  /** where to connect: HostName from the config (tokens expanded), else the alias (%h) */
  hostName: string;
  port: number;
  user: string;
  /** private key files to try, in order, with ~ and tokens expanded (they may not exist) */
  identityFiles: string[];
  /** IdentitiesOnly yes: only the IdentityFile keys, also from the agent (its other keys are not offered) */
  identitiesOnly: boolean;
  /**
   * IdentityAgent: the agent socket path; 'none' disables the agent; undefined (unset, or the
   * value SSH_AUTH_SOCK) means the SSH_AUTH_SOCK environment variable
   */
  identityAgent?: string;
  /** UserKnownHostsFile, expanded (default ~/.ssh/known_hosts ~/.ssh/known_hosts2); an accepted key is added to the first */
  userKnownHostsFiles: string[];
  /** GlobalKnownHostsFile (default /etc/ssh/ssh_known_hosts /etc/ssh/ssh_known_hosts2), read only */
  globalKnownHostsFiles: string[];
  strictHostKeyChecking: StrictHostKeyChecking;
  /** HostKeyAlias: the name looked up in (and written to) known_hosts instead of host[:port] */
  hostKeyAlias?: string;
  /** ConnectTimeout in ms (unset: undefined, the caller's default) */
  connectTimeoutMs?: number;
  /** ServerAliveInterval in ms; 0 turns the keep-alive off; unset: undefined (the caller's default) */
  serverAliveIntervalMs?: number;
  /** ServerAliveCountMax (default 3): unanswered keep-alives before the connection is given up */
  serverAliveCountMax: number;
  /** ProxyJump: the hops, first to last, as written (`user@host:port` or an alias); empty when unset or `none` */
  proxyJump: string[];
  /** ProxyCommand with %h %p %r %n %% expanded; undefined when unset or `none` */
  proxyCommand?: string;
}

/** ssh_config(5) default identity files that the ssh2 library can use, in the order OpenSSH 9 tries them (`ssh -G`). */
export const DEFAULT_IDENTITY_FILES = ['~/.ssh/id_rsa', '~/.ssh/id_ecdsa', '~/.ssh/id_ed25519'];
/** ssh_config(5) defaults of UserKnownHostsFile and GlobalKnownHostsFile. */
export const DEFAULT_USER_KNOWN_HOSTS = ['~/.ssh/known_hosts', '~/.ssh/known_hosts2'];
export const DEFAULT_GLOBAL_KNOWN_HOSTS = ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];

/** The local facts OpenSSH's defaults and tokens use. */
export interface SshEnv {
  home: string;
  /** the local user name (%u, the default User) */
  user: string;
  /** the local host name (%l; default os.hostname()) */
  localHost?: string;
  /** the local uid (%i; default os.userInfo().uid) */
  uid?: number;
  /** environment variables for `${VAR}` in paths and IdentityAgent $VAR (default process.env) */
  vars?: Record<string, string | undefined>;
}

const expandHome = (p: string, home: string) => (p === '~' ? home : p.startsWith('~/') ? path.join(home, p.slice(2)) : p);

/**
 * Expands ssh_config(5) tokens in `text`: %% %C %d %h %i %j %k %L %l %n %p %r %u, and `${VAR}`
 * environment references (as OpenSSH does for the same keywords).
 * @throws Error naming the token when it is not one of these
 */
export function expandTokens(text: string, t: { hostName: string; alias: string; port: number; user: string; hostKeyAlias?: string; proxyJump?: string[] }, env: SshEnv, allowed = 'CdhijkLlnpru%'): string {
  const local = env.localHost ?? os.hostname();
  const values: Record<string, () => string> = {
    '%': () => '%',
    C: () => createHash('sha1').update(`${local}${t.hostName}${t.port}${t.user}${t.proxyJump?.join(',') ?? ''}`).digest('hex'),
    d: () => env.home,
    h: () => t.hostName,
    i: () => String(env.uid ?? os.userInfo().uid),
    j: () => t.proxyJump?.join(',') ?? '',
    k: () => t.hostKeyAlias ?? t.alias,
    L: () => local.split('.')[0],
    l: () => local,
    n: () => t.alias,
    p: () => String(t.port),
    r: () => t.user,
    u: () => env.user,
  };
  const vars = env.vars ?? process.env;
  return text
    .replace(/%(.)/g, (_, c: string) => {
      if (!allowed.includes(c) || !values[c]) throw new Error(`~/.ssh/config: unknown token %${c} in "${text}" (ssh_config(5) TOKENS lists the ones allowed there)`);
      return values[c]();
    })
    .replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, v: string) => vars[v] ?? '');
}

const yes = (v: string | undefined) => /^(yes|true)$/i.test(v ?? '');

/**
 * Resolves an ssh:// engine address (or a ProxyJump hop) against ~/.ssh/config text.
 * @param address `{host, port?, user?}` from `ssh://[user@]host[:port]`; the address's own user
 *   and port win over the config, as with `ssh -p`/`user@`
 * @param configText ~/.ssh/config's content ('' when there is none)
 * @param env the home folder, the local user name and host (OpenSSH's defaults and tokens)
 * @throws Error from the parser when the config text is malformed (the message names the line),
 *   or naming the option when a value is not one OpenSSH accepts
 */
export function resolveSshTarget(address: { host: string; port?: number; user?: string }, configText: string, env: SshEnv): SshTarget {
  const computed = (configText.trim() ? sshConfig().parse(configText).compute(address.host) : {}) as Record<string, string | string[] | undefined>;
  // ssh-config keeps keywords as written; OpenSSH's are case-insensitive
  const byLower = new Map<string, string | string[]>();
  for (const [k, v] of Object.entries(computed)) if (v !== undefined && !byLower.has(k.toLowerCase())) byLower.set(k.toLowerCase(), v);
  const all = (key: string): string[] => {
    const v = byLower.get(key.toLowerCase());
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
  };
  const get = (key: string): string | undefined => all(key)[0];
  const seconds = (key: string): number | undefined => {
    const v = get(key);
    if (v === undefined || /^none$/i.test(v)) return undefined;
    if (!/^\d+$/.test(v)) throw new Error(`~/.ssh/config: ${key} ${v} for ${address.host}: a number of seconds was expected`);
    return Number(v) * 1000;
  };

  const alias = address.host;
  const portText = get('Port');
  const port = address.port ?? (portText ? Number(portText) : 22);
  const user = address.user ?? get('User') ?? env.user;
  const hostKeyAlias = get('HostKeyAlias');
  // ProxyJump and ProxyCommand compete: whichever the config sets first wins (ssh_config(5))
  const order = Object.keys(computed).map((k) => k.toLowerCase());
  const jumpFirst = order.indexOf('proxyjump') >= 0 && (order.indexOf('proxycommand') < 0 || order.indexOf('proxyjump') < order.indexOf('proxycommand'));
  const jumpText = jumpFirst ? get('ProxyJump') : undefined;
  const proxyJump = jumpText && !/^none$/i.test(jumpText) ? jumpText.split(',').map((h) => h.trim()).filter(Boolean) : [];
  const base = { alias, port, user, hostKeyAlias, proxyJump, hostName: alias };
  // HostName may hold %h (the alias) and %% only
  const hostName = expandTokens(get('HostName') ?? alias, base, env, 'h%');
  const t = { ...base, hostName };
  const expandPath = (p: string) => expandHome(expandTokens(expandHome(p, env.home), t, env), env.home);

  const files = all('IdentityFile');
  const identityFiles = (files.length ? files : DEFAULT_IDENTITY_FILES).map(expandPath);
  const agentText = get('IdentityAgent');
  let identityAgent: string | undefined;
  if (agentText && agentText !== 'SSH_AUTH_SOCK') {
    // `$VAR` names an environment variable holding the path; `none` turns the agent off
    identityAgent = /^none$/i.test(agentText) ? 'none' : agentText.startsWith('$') ? ((env.vars ?? process.env)[agentText.slice(1)] ?? 'none') : expandPath(agentText);
  }
  const strict = (get('StrictHostKeyChecking') ?? 'ask').toLowerCase();
  const strictHostKeyChecking: StrictHostKeyChecking =
    strict === 'yes' || strict === 'true' ? 'yes'
    : strict === 'no' || strict === 'off' || strict === 'false' ? 'no'
    : strict === 'accept-new' ? 'accept-new'
    : strict === 'ask' ? 'ask'
    : (() => { throw new Error(`~/.ssh/config: StrictHostKeyChecking ${strict} for ${alias}: use yes, accept-new, no or ask`); })();
  const userKnown = all('UserKnownHostsFile').filter((f) => !/^none$/i.test(f));
  const globalKnown = all('GlobalKnownHostsFile').filter((f) => !/^none$/i.test(f));
  const proxyCommandText = jumpFirst ? undefined : get('ProxyCommand');
  const countMax = get('ServerAliveCountMax');
  return {
    alias,
    hostName,
    port,
    user,
    identityFiles,
    identitiesOnly: yes(get('IdentitiesOnly')),
    ...(identityAgent ? { identityAgent } : {}),
    userKnownHostsFiles: (all('UserKnownHostsFile').length ? userKnown : DEFAULT_USER_KNOWN_HOSTS).map(expandPath),
    globalKnownHostsFiles: all('GlobalKnownHostsFile').length ? globalKnown.map((f) => expandHome(f, env.home)) : DEFAULT_GLOBAL_KNOWN_HOSTS,
    strictHostKeyChecking,
    ...(hostKeyAlias ? { hostKeyAlias } : {}),
    ...(seconds('ConnectTimeout') !== undefined ? { connectTimeoutMs: seconds('ConnectTimeout') } : {}),
    ...(seconds('ServerAliveInterval') !== undefined ? { serverAliveIntervalMs: seconds('ServerAliveInterval') } : {}),
    serverAliveCountMax: countMax && /^\d+$/.test(countMax) ? Number(countMax) : 3,
    proxyJump,
    ...(proxyCommandText && !/^none$/i.test(proxyCommandText) ? { proxyCommand: expandTokens(proxyCommandText, t, env, 'hnpr%') } : {}),
  };
}

/**
 * One ProxyJump hop as written: `[user@]host[:port]`, or `ssh://[user@]host[:port]`, or a bracketed
 * IPv6 address `[::1]:22`.
 * @throws Error naming the hop when it cannot be read
 */
export function parseJumpHop(hop: string): { host: string; port?: number; user?: string } {
  const m = /^(?:ssh:\/\/)?(?:([^@\s]+)@)?(\[[^\]]+\]|[^:@\s]+)(?::(\d+))?$/.exec(hop.trim());
  if (!m) throw new Error(`~/.ssh/config: ProxyJump hop "${hop}": expected [user@]host[:port]`);
  const port = m[3] ? Number(m[3]) : undefined;
  if (port !== undefined && (port < 1 || port > 65535)) throw new Error(`~/.ssh/config: ProxyJump hop "${hop}": port ${port} is not between 1 and 65535`);
  return { host: m[2].replace(/^\[|\]$/g, ''), ...(port ? { port } : {}), ...(m[1] ? { user: m[1] } : {}) };
}
