/**
 * A small Registry HTTP API v2 client: `GET /v2/` (is it there, do these credentials work),
 * `/v2/_catalog` and `/v2/<name>/tags/list`, with the two challenges registries send
 * (`WWW-Authenticate: Basic ...` and `Bearer realm=...,service=...,scope=...`, the token
 * flow of Docker Hub and most cloud registries). Loopback registries are spoken to over
 * plain HTTP, like dockerd does for its insecure registries; everything else over HTTPS.
 *
 * No message and no log line carries a credential or token.
 */
import { UserError } from '../errors';
import type { RegistryCredentials } from './auth';
import { parseWwwAuthenticate, type AuthChallenge } from './challenge';
import { DOCKER_HUB, normalizeRegistryHost, registryApiBase, registryDisplayName } from './reference';

export type RegistryErrorKind = 'unauthorized' | 'unreachable' | 'notFound' | 'noCatalog' | 'http';

export class RegistryError extends UserError {
  constructor(
    readonly registry: string,
    readonly kind: RegistryErrorKind,
    message: string,
    options?: { hint?: string; cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RegistryError';
  }
}

type FetchLike = (url: string, init: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal }) => Promise<{
  status: number;
  headers: { get(name: string): string | null };
  json(): Promise<unknown>;
  text(): Promise<string>;
}>;

export interface RegistryClientOptions {
  credentials?: RegistryCredentials;
  /** override of the API base URL (tests) */
  baseUrl?: string;
  /** per request, ms */
  timeoutMs?: number;
  fetch?: FetchLike;
}

/** Page size of catalog requests; the client follows `Link: <...>; rel="next"` up to `limit`. */
const CATALOG_PAGE = 100;

export class RegistryClient {
  readonly registry: string;
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly fetchImpl: FetchLike;
  /** Authorization header per scope, once a challenge was answered */
  private readonly authorization = new Map<string, string>();

  constructor(
    registry: string,
    private readonly options: RegistryClientOptions = {},
  ) {
    this.registry = normalizeRegistryHost(registry);
    this.base = (options.baseUrl ?? registryApiBase(this.registry)).replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.fetchImpl = options.fetch ?? (globalThis.fetch as unknown as FetchLike);
  }

  private get name(): string {
    return registryDisplayName(this.registry);
  }

  /** `GET /v2/`: resolves when the registry answers and accepts the credentials (or needs none). */
  async check(): Promise<void> {
    await this.get('/v2/', undefined);
  }

  /** Repository names from `/v2/_catalog`. Throws RegistryError 'noCatalog' where the registry does not list it (Docker Hub). */
  async catalog(limit = 1000): Promise<string[]> {
    if (this.registry === DOCKER_HUB) {
      throw new RegistryError(this.registry, 'noCatalog', 'Docker Hub does not list its repositories (no catalog API).', { hint: 'Pull by name with "Pull...".' });
    }
    const names: string[] = [];
    let next: string | undefined = `/v2/_catalog?n=${CATALOG_PAGE}`;
    while (next && names.length < limit) {
      let res;
      try {
        res = await this.get(next, 'registry:catalog:*');
      } catch (err) {
        if (err instanceof RegistryError && err.kind === 'notFound') {
          throw new RegistryError(this.registry, 'noCatalog', `${this.name} does not list its catalog.`, { cause: err });
        }
        throw err;
      }
      const body = (await res.json()) as { repositories?: string[] | null };
      names.push(...(body.repositories ?? []));
      next = nextLink(res.headers.get('link'));
    }
    return names.slice(0, limit);
  }

  /** Tags of one repository (`/v2/<name>/tags/list`), sorted. */
  async tags(repository: string): Promise<string[]> {
    const res = await this.get(`/v2/${repository}/tags/list`, `repository:${repository}:pull`);
    const body = (await res.json()) as { tags?: string[] | null };
    return [...(body.tags ?? [])].sort();
  }

  private async get(pathAndQuery: string, scope: string | undefined) {
    const key = scope ?? '';
    const first = await this.send(pathAndQuery, this.authorization.get(key));
    if (first.status !== 401) return this.check2xx(first, pathAndQuery);
    const challenges = parseWwwAuthenticate(first.headers.get('www-authenticate') ?? '');
    const header = await this.answer(challenges, scope);
    if (!header) throw this.unauthorized(false);
    this.authorization.set(key, header);
    const second = await this.send(pathAndQuery, header);
    if (second.status === 401 || second.status === 403) throw this.unauthorized(true);
    return this.check2xx(second, pathAndQuery);
  }

  private check2xx(res: Awaited<ReturnType<FetchLike>>, what: string) {
    if (res.status >= 200 && res.status < 300) return res;
    if (res.status === 403) throw this.unauthorized(!!this.options.credentials);
    if (res.status === 404) throw new RegistryError(this.registry, 'notFound', `${this.name} has no ${what.replace(/\?.*$/, '')} (HTTP 404).`);
    throw new RegistryError(this.registry, 'http', `${this.name} answered HTTP ${res.status} to GET ${what.replace(/\?.*$/, '')}.`);
  }

  private unauthorized(withCredentials: boolean): RegistryError {
    const c = this.options.credentials;
    return new RegistryError(
      this.registry,
      'unauthorized',
      withCredentials && c
        ? `${this.name} refused the credentials${c.username ? ` of user "${c.username}"` : ''} (from ${c.source}).`
        : `${this.name} requires authentication.`,
      { hint: `Log in with "ML Lab: Log In to Registry..." (server ${this.registry}).` },
    );
  }

  /** The Authorization header that answers a challenge; undefined when we cannot (no credentials for Basic). */
  private async answer(challenges: AuthChallenge[], scope: string | undefined): Promise<string | undefined> {
    const c = this.options.credentials;
    const bearer = challenges.find((ch) => ch.scheme === 'bearer');
    if (bearer?.params.realm) {
      const token = await this.fetchToken(bearer, scope);
      return token ? `Bearer ${token}` : undefined;
    }
    if (challenges.some((ch) => ch.scheme === 'basic') && c?.username !== undefined && c.password !== undefined) {
      return `Basic ${Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64')}`;
    }
    return undefined;
  }

  /** The token flow: GET realm?service&scope with Basic credentials, or POST an OAuth refresh token. */
  private async fetchToken(ch: AuthChallenge, scope: string | undefined): Promise<string | undefined> {
    const c = this.options.credentials;
    const realm = ch.params.realm;
    const params = new URLSearchParams();
    if (ch.params.service) params.set('service', ch.params.service);
    const wanted = scope ?? ch.params.scope;
    if (wanted) params.set('scope', wanted);
    let res;
    try {
      if (c?.identityToken) {
        params.set('grant_type', 'refresh_token');
        params.set('refresh_token', c.identityToken);
        params.set('client_id', 'ml-container-lab');
        res = await this.fetchImpl(realm, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: params.toString(),
          signal: timeoutSignal(this.timeoutMs),
        });
      } else {
        const headers: Record<string, string> = {};
        if (c?.username !== undefined && c.password !== undefined) headers.authorization = `Basic ${Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64')}`;
        res = await this.fetchImpl(`${realm}${realm.includes('?') ? '&' : '?'}${params.toString()}`, { headers, signal: timeoutSignal(this.timeoutMs) });
      }
    } catch (err) {
      throw new RegistryError(this.registry, 'unreachable', `The token service of ${this.name} (${safeOrigin(realm)}) did not answer.`, { cause: err });
    }
    if (res.status === 401 || res.status === 403) throw this.unauthorized(!!c);
    if (res.status < 200 || res.status >= 300) throw new RegistryError(this.registry, 'http', `The token service of ${this.name} answered HTTP ${res.status}.`);
    const body = (await res.json()) as { token?: string; access_token?: string };
    return body.token ?? body.access_token;
  }

  private async send(pathAndQuery: string, authorization: string | undefined) {
    const url = pathAndQuery.startsWith('http') ? pathAndQuery : `${this.base}${pathAndQuery}`;
    try {
      return await this.fetchImpl(url, {
        headers: { accept: 'application/json', ...(authorization ? { authorization } : {}) },
        signal: timeoutSignal(this.timeoutMs),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
      throw new RegistryError(this.registry, 'unreachable', `${this.name} is not reachable at ${this.base} (${cause}).`, {
        hint: 'Check the host and port, and that the registry is running.',
        cause: err,
      });
    }
  }
}

/** The path of a `Link: </v2/_catalog?last=x&n=100>; rel="next"` header. */
export function nextLink(link: string | null): string | undefined {
  if (!link) return undefined;
  const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(link);
  return m?.[1];
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'its token URL';
  }
}

function timeoutSignal(ms: number): AbortSignal {
  const c = new AbortController();
  const t = setTimeout(() => c.abort(new Error('timeout')), ms);
  t.unref?.();
  return c.signal;
}
