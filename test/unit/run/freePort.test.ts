import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { isPortFree, nextFreePort } from '../../../src/core/run/freePort';
import { UserError } from '../../../src/core/errors';

/** Listens on `count` consecutive ports from an engine-chosen free one; returns them and a closer. */
async function occupy(count: number): Promise<{ ports: number[]; close: () => Promise<void> }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const servers: net.Server[] = [];
    const listen = (port: number): Promise<net.Server | undefined> =>
      new Promise((resolve) => {
        const s = net.createServer();
        s.once('error', () => resolve(undefined));
        s.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve(s));
      });
    const first = await listen(0);
    if (!first) continue;
    servers.push(first);
    const base = (first.address() as net.AddressInfo).port;
    let ok = base + count - 1 <= 65535;
    for (let i = 1; i < count && ok; i++) {
      const s = await listen(base + i);
      if (s) servers.push(s);
      else ok = false;
    }
    const close = (): Promise<void> => Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r())))).then(() => undefined);
    if (ok) return { ports: servers.map((s) => (s.address() as net.AddressInfo).port), close };
    await close();
  }
  throw new Error('could not occupy consecutive ports');
}

void test('isPortFree says false for a port something listens on', async () => {
  const { ports, close } = await occupy(1);
  try {
    assert.equal(await isPortFree(ports[0]), false);
  } finally {
    await close();
  }
});

void test('isPortFree says true for a port after it was released', async () => {
  const { ports, close } = await occupy(1);
  await close();
  assert.equal(await isPortFree(ports[0]), true);
});

void test('nextFreePort skips ports in use', async () => {
  const { ports, close } = await occupy(3);
  try {
    const port = await nextFreePort(ports[0]);
    assert.ok(port > ports[2], `${port} is after the occupied ${ports.join(',')}`);
    assert.equal(await isPortFree(port), true);
  } finally {
    await close();
  }
});

const bad: Array<{ name: string; run: () => Promise<unknown>; expected: RegExp }> = [
  { name: 'isPortFree rejects port 0', run: () => isPortFree(0), expected: /out of range 1-65535/ },
  { name: 'isPortFree rejects port 70000', run: () => isPortFree(70000), expected: /out of range/ },
  { name: 'isPortFree rejects a host IP that is not on this machine', run: () => isPortFree(4000, '203.0.113.9'), expected: /not an address of this machine/ },
];
for (const c of bad) {
  void test(c.name, async () => {
    await assert.rejects(c.run(), (e: unknown) => e instanceof UserError && c.expected.test(e.message));
  });
}

void test('nextFreePort gives up after the limit with a UserError naming the range', async () => {
  const { ports, close } = await occupy(3);
  try {
    await assert.rejects(nextFreePort(ports[0], '127.0.0.1', 3), (e: unknown) => e instanceof UserError && e.message === `No free host port on 127.0.0.1 between ${ports[0]} and ${ports[2]}.`);
  } finally {
    await close();
  }
});
