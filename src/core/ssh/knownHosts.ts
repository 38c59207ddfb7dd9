/**
 * Host-key verification against OpenSSH's known_hosts, as `ssh` does it (never trust
 * a remote engine's host key silently). Format: sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT":
 * `[marker] hostpatterns keytype base64-key [comment]`, where hostpatterns is a comma list of
 * patterns (`*` and `?` wildcards, `!` negation, `[host]:port` for a non-default port) or one
 * hashed entry `|1|<base64 salt>|<base64 HMAC-SHA1(salt, host)>`; marker `@revoked` revokes a
 * key, `@cert-authority` lines are CA keys (not used here: no certificates).
 */
import { createHash, createHmac } from 'node:crypto';

/** What known_hosts says about a host key. */
export type HostKeyStatus =
  /** a line for this host lists this very key */
  | { status: 'known' }
  /** no line names this host (first contact: ask, showing the fingerprint) */
  | { status: 'unknown' }
  /** lines name this host with another key of the same type, or the key is @revoked: refuse */
  | { status: 'mismatch'; line: number; reason: string };

/** `SHA256:<base64 without padding>` of a host key blob, as `ssh-keygen -lf` and ssh's prompt show it. */
export function fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type inside an SSH public key blob (RFC 4253 6.6: string "ssh-ed25519" first), e.g. `ssh-ed25519`. */
export function keyType(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return '';
  const n = keyBlob.readUInt32BE(0);
  return keyBlob.subarray(4, 4 + n).toString('latin1');
}

/** The name known_hosts uses for a host: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port = 22): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function globToRegExp(pattern: string): RegExp {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i');
}

/** Whether a hostpatterns field names `name`: any positive pattern matches and no negated one does. */
function patternsMatch(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  let matched = false;
  for (const p of field.split(',')) {
    if (p.startsWith('!')) {
      if (globToRegExp(p.slice(1)).test(name)) return false;
    } else if (globToRegExp(p).test(name)) {
      matched = true;
    }
  }
  return matched;
}

/**
 * Checks a host key against known_hosts text.
 * @param text the file's content (several files: join them with newlines)
 * @param host the host name or address as the user wrote it (after ~/.ssh/config's HostName)
 * @param port the SSH port (22 is written without brackets)
 * @param keyBlob the server's host key, as the SSH handshake gives it
 */
export function checkHostKey(text: string, host: string, port: number, keyBlob: Buffer): HostKeyStatus {
  const name = knownHostsName(host, port);
  const type = keyType(keyBlob);
  const key = keyBlob.toString('base64');
  let otherKeyLine = 0;
  let found = false;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    let marker: string | undefined;
    if (fields[0].startsWith('@')) marker = fields.shift();
    const [patterns, lineType, lineKey] = fields;
    if (!patterns || !lineType || !lineKey || !patternsMatch(patterns, name)) continue;
    if (marker === '@cert-authority') continue;
    if (marker === '@revoked') {
      if (lineKey === key) return { status: 'mismatch', line: i + 1, reason: `the host key of ${name} is marked @revoked in known_hosts (line ${i + 1})` };
      continue;
    }
    if (lineType === type && lineKey === key) found = true;
    else if (lineType === type && !otherKeyLine) otherKeyLine = i + 1;
  }
  if (found) return { status: 'known' };
  if (otherKeyLine) {
    return {
      status: 'mismatch',
      line: otherKeyLine,
      reason: `the host key of ${name} (${type} ${fingerprint(keyBlob)}) differs from the one in known_hosts line ${otherKeyLine}: someone may be intercepting the connection, or the host was reinstalled. If the change is expected, remove that line (ssh-keygen -R ${name}) and connect again.`,
    };
  }
  return { status: 'unknown' };
}

/** The line to append to known_hosts once the user accepts a new host key. */
export function knownHostsLine(host: string, port: number, keyBlob: Buffer): string {
  return `${knownHostsName(host, port)} ${keyType(keyBlob)} ${keyBlob.toString('base64')}`;
}
