/** The Registry HTTP API v2 client against a scripted fetch: Basic and Bearer challenges, catalog paging, refusals. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RegistryClient, RegistryError, nextLink } from '../../../src/core/registry/client';

interface Call {
  url: string;
  method: string;
  authorization?: string;
  body?: string;
}
type Route = (c: Call) => { status: number; headers?: Record<string, string>; body?: unknown };

function fakeFetch(route: Route, calls: Call[]) {
  return async (url: string, init: { method?: string; headers?: Record<string, string>; body?: string }) => {
    const call = { url, method: init.method ?? 'GET', authorization: init.headers?.authorization, body: init.body };
    calls.push(call);
    const r = route(call);
    const headers = Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    return { status: r.status, headers: { get: (n: string) => headers[n.toLowerCase()] ?? null }, json: async () => r.body, text: async () => JSON.stringify(r.body) };
  };
}
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

describe('RegistryClient', () => {
  it('talks HTTP to a loopback registry and lists catalog pages', async () => {
    const calls: Call[] = [];
    const client = new RegistryClient('127.0.0.1:5000', {
      fetch: fakeFetch((c) => {
        if (c.url === 'http://127.0.0.1:5000/v2/_catalog?n=100') return { status: 200, headers: { Link: '</v2/_catalog?last=b&n=100>; rel="next"' }, body: { repositories: ['a', 'b'] } };
        if (c.url === 'http://127.0.0.1:5000/v2/_catalog?last=b&n=100') return { status: 200, body: { repositories: ['c'] } };
        return { status: 404 };
      }, calls),
    });
    assert.deepEqual(await client.catalog(), ['a', 'b', 'c']);
  });

  it('answers a Basic challenge with the credentials and keeps using them', async () => {
    const calls: Call[] = [];
    const client = new RegistryClient('127.0.0.1:5001', {
      credentials: { username: 'ann', password: 's3cret', source: 'test' },
      fetch: fakeFetch((c) => (c.authorization === basic('ann', 's3cret') ? { status: 200, body: { tags: ['v2', 'v1'] } } : { status: 401, headers: { 'WWW-Authenticate': 'Basic realm="r"' } }), calls),
    });
    assert.deepEqual(await client.tags('lab/iris'), ['v1', 'v2']);
    assert.equal(calls.length, 2);
    assert.equal(calls[1].url, 'http://127.0.0.1:5001/v2/lab/iris/tags/list');
  });

  it('says the registry requires authentication when there are no credentials', async () => {
    const client = new RegistryClient('127.0.0.1:5001', { fetch: fakeFetch(() => ({ status: 401, headers: { 'WWW-Authenticate': 'Basic realm="r"' } }), []) });
    await assert.rejects(client.check(), (e: unknown) => e instanceof RegistryError && e.kind === 'unauthorized' && /127\.0\.0\.1:5001 requires authentication/.test(e.message));
  });

  it('says which user was refused, and never the password', async () => {
    const client = new RegistryClient('127.0.0.1:5001', {
      credentials: { username: 'ann', password: 'wrong-pw', source: 'the login form' },
      fetch: fakeFetch(() => ({ status: 401, headers: { 'WWW-Authenticate': 'Basic realm="r"' } }), []),
    });
    await assert.rejects(client.check(), (e: unknown) => e instanceof RegistryError && /refused the credentials of user "ann"/.test(e.message) && !e.message.includes('wrong-pw'));
  });

  it('gets a Bearer token from the realm with the scope and Basic credentials', async () => {
    const calls: Call[] = [];
    const client = new RegistryClient('ghcr.example', {
      credentials: { username: 'u', password: 'p', source: 'test' },
      fetch: fakeFetch((c) => {
        if (c.url.startsWith('https://auth.example/token')) return c.authorization === basic('u', 'p') ? { status: 200, body: { token: 'T1' } } : { status: 401 };
        if (c.authorization === 'Bearer T1') return { status: 200, body: { tags: ['x'] } };
        return { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="https://auth.example/token",service="reg.example",scope="repository:a/b:pull"' } };
      }, calls),
    });
    assert.deepEqual(await client.tags('a/b'), ['x']);
    const tokenCall = calls.find((c) => c.url.startsWith('https://auth.example/token'))!;
    assert.equal(tokenCall.url, 'https://auth.example/token?service=reg.example&scope=repository%3Aa%2Fb%3Apull');
  });

  it('trades an identity token for an access token with a POST', async () => {
    const calls: Call[] = [];
    const client = new RegistryClient('docker.io', {
      credentials: { identityToken: 'refresh-me', source: 'test' },
      fetch: fakeFetch((c) => {
        if (c.method === 'POST') return { status: 200, body: { access_token: 'A' } };
        if (c.authorization === 'Bearer A') return { status: 200, body: {} };
        return { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io"' } };
      }, calls),
    });
    await client.check();
    assert.equal(calls[0].url, 'https://registry-1.docker.io/v2/');
    const post = calls.find((c) => c.method === 'POST')!;
    assert.match(post.body ?? '', /grant_type=refresh_token&refresh_token=refresh-me/);
  });

  it('reports Docker Hub as having no catalog without asking it', async () => {
    const calls: Call[] = [];
    const client = new RegistryClient('index.docker.io', { fetch: fakeFetch(() => ({ status: 500 }), calls) });
    await assert.rejects(client.catalog(), (e: unknown) => e instanceof RegistryError && e.kind === 'noCatalog');
    assert.equal(calls.length, 0);
  });

  it('reports a registry whose catalog is missing as not listing it', async () => {
    const client = new RegistryClient('r.example', { fetch: fakeFetch(() => ({ status: 404 }), []) });
    await assert.rejects(client.catalog(), (e: unknown) => e instanceof RegistryError && e.kind === 'noCatalog' && /does not list its catalog/.test(e.message));
  });

  it('says a registry is not reachable', async () => {
    const client = new RegistryClient('127.0.0.1:9', {
      fetch: async () => {
        throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
      },
    });
    await assert.rejects(client.check(), (e: unknown) => e instanceof RegistryError && e.kind === 'unreachable' && /not reachable at http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\)/.test(e.message));
  });

  it('reads the next page from a Link header', () => {
    assert.equal(nextLink('</v2/_catalog?last=x&n=100>; rel="next"'), '/v2/_catalog?last=x&n=100');
    assert.equal(nextLink(null), undefined);
  });
});
