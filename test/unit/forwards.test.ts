import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ForwardTable, forwardTargetOf, forwardedUrl, isLoopbackOrAny, remoteHostUrl, type ForwardTarget, type OpenedForward } from '../../src/core/forwards';
import { UserError } from '../../src/core/errors';

/** A fake engine side: hands out local ports 50000, 50001, ... and records closes. */
function fakeOpener() {
  let next = 50_000;
  const opened: ForwardTarget[] = [];
  const closed: number[] = [];
  const drops = new Map<number, () => void>();
  const open = async (t: ForwardTarget): Promise<OpenedForward> => {
    opened.push(t);
    await new Promise((r) => setTimeout(r, 5));
    const localPort = next++;
    return { localPort, close: () => closed.push(localPort), onClose: (l) => drops.set(localPort, l) };
  };
  return { open, opened, closed, drop: (port: number) => drops.get(port)?.() };
}

describe('port forwards: URL rewriting', () => {
  const cases: Array<{ url: string; target: Omit<ForwardTarget, 'engine'>; forwarded: string }> = [
    { url: 'http://127.0.0.1:4000', target: { remoteHost: '127.0.0.1', remotePort: 4000 }, forwarded: 'http://127.0.0.1:50123/' },
    { url: 'http://localhost:8888/lab?token=abc123', target: { remoteHost: '127.0.0.1', remotePort: 8888 }, forwarded: 'http://127.0.0.1:50123/lab?token=abc123' },
    { url: 'http://0.0.0.0:7860/?__theme=dark#top', target: { remoteHost: '127.0.0.1', remotePort: 7860 }, forwarded: 'http://127.0.0.1:50123/?__theme=dark#top' },
    { url: 'http://[::]:8501/', target: { remoteHost: '127.0.0.1', remotePort: 8501 }, forwarded: 'http://127.0.0.1:50123/' },
    { url: 'http://[::1]:6006/#scalars', target: { remoteHost: '127.0.0.1', remotePort: 6006 }, forwarded: 'http://127.0.0.1:50123/#scalars' },
    { url: 'http://127.0.0.2:5000/api', target: { remoteHost: '127.0.0.1', remotePort: 5000 }, forwarded: 'http://127.0.0.1:50123/api' },
    // a port binding to one address of the remote machine is forwarded to that address
    { url: 'http://10.0.0.5:4000/x', target: { remoteHost: '10.0.0.5', remotePort: 4000 }, forwarded: 'http://127.0.0.1:50123/x' },
    { url: 'http://127.0.0.1/', target: { remoteHost: '127.0.0.1', remotePort: 80 }, forwarded: 'http://127.0.0.1:50123/' },
    { url: 'https://localhost/', target: { remoteHost: '127.0.0.1', remotePort: 443 }, forwarded: 'https://127.0.0.1:50123/' },
  ];
  for (const c of cases) {
    it(`${c.url} forwards to ${c.target.remoteHost}:${c.target.remotePort} and opens ${c.forwarded}`, () => {
      assert.deepEqual(forwardTargetOf(c.url, 'gpu-box'), { engine: 'gpu-box', ...c.target });
      assert.equal(forwardedUrl(c.url, 50123), c.forwarded);
    });
  }

  it('rejects what is not an http(s) URL, saying what to open', () => {
    assert.throws(() => forwardTargetOf('not a url', 'e'), (e: unknown) => e instanceof UserError && /is not a URL/.test(e.message));
    assert.throws(() => forwardTargetOf('ftp://127.0.0.1:21/', 'e'), (e: unknown) => e instanceof UserError && /only http and https/.test(e.message));
  });

  it('a TCP+TLS engine: loopback and all-interfaces hosts become the engine host; path and token stay', () => {
    assert.equal(remoteHostUrl('http://127.0.0.1:8888/lab?token=t', 'gpu-box.example.org'), 'http://gpu-box.example.org:8888/lab?token=t');
    assert.equal(remoteHostUrl('http://0.0.0.0:4000', '10.231.4.2'), 'http://10.231.4.2:4000/');
    assert.equal(remoteHostUrl('http://localhost:4000/', 'fd00::2'), 'http://[fd00::2]:4000/');
    assert.equal(remoteHostUrl('http://10.0.0.5:4000/', 'gpu-box'), 'http://10.0.0.5:4000/', 'a binding to one address keeps it');
  });

  it('loopback and all-interfaces names', () => {
    for (const h of ['127.0.0.1', 'LOCALHOST', '0.0.0.0', '[::]', '[::1]', '127.1.2.3']) assert.ok(isLoopbackOrAny(h), h);
    for (const h of ['10.0.0.5', 'gpu-box', '128.0.0.1']) assert.ok(!isLoopbackOrAny(h), h);
  });
});

describe('port forwards: the table', () => {
  const target = (engine: string, remotePort: number, remoteHost = '127.0.0.1'): ForwardTarget => ({ engine, remoteHost, remotePort });

  it('reuses the forward of the same target, also when asked twice while it opens', async () => {
    const f = fakeOpener();
    const t = new ForwardTable();
    const [a, b] = await Promise.all([t.get(target('gpu', 8888), f.open), t.get(target('gpu', 8888), f.open)]);
    const c = await t.get(target('gpu', 8888), f.open);
    assert.equal(f.opened.length, 1);
    assert.equal(a.localPort, 50_000);
    assert.equal(b.localPort, 50_000);
    assert.equal(c.localPort, 50_000);
    const d = await t.get(target('gpu', 8888, '10.0.0.5'), f.open);
    assert.equal(d.localPort, 50_001, 'another remote address is another forward');
    assert.deepEqual(t.list().map((x) => x.key), ['gpu|127.0.0.1:8888', 'gpu|10.0.0.5:8888']);
  });

  it('closes one forward, and every forward of an engine, calling the engine side once each', async () => {
    const f = fakeOpener();
    let clock = 1;
    const t = new ForwardTable(() => clock++);
    let changes = 0;
    t.onChange(() => changes++);
    const a = await t.get(target('gpu', 4000), f.open);
    await t.get(target('gpu', 8888), f.open);
    await t.get(target('cloud', 4000), f.open);
    assert.equal(t.close(a.key), true);
    assert.equal(t.close(a.key), false, 'already closed');
    assert.deepEqual(f.closed, [50_000]);
    assert.equal(t.closeEngine('gpu'), 1);
    assert.deepEqual(t.list().map((x) => x.engine), ['cloud']);
    t.closeAll();
    assert.deepEqual(t.list(), []);
    assert.deepEqual(f.closed, [50_000, 50_001, 50_002]);
    assert.equal(changes, 6, 'three opened, three closed');
  });

  it('a forward that closes by itself (SSH connection dropped) leaves the list; the next get opens a new one', async () => {
    const f = fakeOpener();
    const t = new ForwardTable();
    const a = await t.get(target('gpu', 4000), f.open);
    f.drop(a.localPort);
    assert.deepEqual(t.list(), []);
    const b = await t.get(target('gpu', 4000), f.open);
    assert.notEqual(b.localPort, a.localPort);
    assert.equal(f.opened.length, 2);
  });

  it('a forward that fails to open is not listed, and the error reaches the caller', async () => {
    const t = new ForwardTable();
    await assert.rejects(t.get(target('gpu', 4000), () => Promise.reject(new UserError('nothing answers'))), /nothing answers/);
    assert.deepEqual(t.list(), []);
  });
});
