/**
 * Where an `ssh://` engine really is, as `ssh` would connect: ~/.ssh/config (HostName, User,
 * Port, IdentityFile; parsed by the `ssh-config` package, the maintained parser of that format)
 * over the address's own parts, then OpenSSH's defaults (ssh_config(5): port 22, the local user,
 * identity files ~/.ssh/id_ecdsa, id_ed25519, id_rsa tried in that order when none is named).
 */
import * as path from 'node:path';
import type SSHConfigClass from 'ssh-config' with { 'resolution-mode': 'import' };

/** ssh-config's parser, loaded on first use (the package ships CommonJS for require). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sshConfig = () => (require('ssh-config') as { default: typeof SSHConfigClass }).default;

export interface SshTarget {
  /** the name as written (`gpu-box`), what ~/.ssh/config's Host patterns match */
  alias: string;
  /** where to connect: HostName from the config, else the alias */
  hostName: string;
  port: number;
  user: string;
  /** private key files to try, in order, with ~ expanded (they may not exist) */
  identityFiles: string[];
  /** ProxyJump from the config, when set (not supported yet: the caller says so) */
  proxyJump?: string;
}

/** ssh_config(5) default identity files, in the order OpenSSH 9 tries them. */
export const DEFAULT_IDENTITY_FILES = ['~/.ssh/id_ecdsa', '~/.ssh/id_ed25519', '~/.ssh/id_rsa'];

const expandHome = (p: string, home: string) => (p === '~' ? home : p.startsWith('~/') ? path.join(home, p.slice(2)) : p);

/**
 * Resolves an ssh:// engine address against ~/.ssh/config text.
 * @param address `{host, port?, user?}` from `ssh://[user@]host[:port]`; the address's own user
 *   and port win over the config, as with `ssh -p`/`user@`
 * @param configText ~/.ssh/config's content ('' when there is none)
 * @param env the home folder and the local user name (OpenSSH's defaults)
 * @throws Error from the parser when the config text is malformed (the message names the line)
 */
export function resolveSshTarget(address: { host: string; port?: number; user?: string }, configText: string, env: { home: string; user: string }): SshTarget {
  const computed = configText.trim() ? sshConfig().parse(configText).compute(address.host) : {};
  const get = (key: string): string | undefined => {
    const v = (computed as Record<string, string | string[] | undefined>)[key];
    return Array.isArray(v) ? v[0] : v;
  };
  const files = (computed as Record<string, string | string[] | undefined>).IdentityFile;
  const identityFiles = (Array.isArray(files) ? files : files ? [files] : DEFAULT_IDENTITY_FILES).map((f) => expandHome(f, env.home));
  const portText = get('Port');
  return {
    alias: address.host,
    hostName: get('HostName') ?? address.host,
    port: address.port ?? (portText ? Number(portText) : 22),
    user: address.user ?? get('User') ?? env.user,
    identityFiles,
    proxyJump: get('ProxyJump'),
  };
}
