/** One node from `main.js --config FILE`: bad config, credentials from env, snapshot across restarts. */
import { jest } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NODE_MAIN, ProcessGroup } from '../../helpers/processes.js';

jest.setTimeout(60_000);

describe('cache node process', () => {
  const group = new ProcessGroup();
  afterAll(() => group.cleanup());

  it('refuses a bad config with exit code 2, naming the key and the rule', async () => {
    const file = join(await group.tempDir(), 'bad.yaml');
    await writeFile(file, 'maps:\n  - name: users\n  - name: orders\n    maxEntries: 0\n');
    const proc = group.spawn('bad-config', [NODE_MAIN, '--config', file]);
    expect(await proc.exited).toEqual({ code: 2, signal: null });
    expect(proc.tail()).toContain('maps[1].maxEntries: must be >= 1');
  });

  it('requires the token from METADATACACHE_TOKEN on /v1, leaving /healthz open', async () => {
    const token = 'env-token-0123456789';
    const node = await group.startNode({}, { env: { METADATACACHE_TOKEN: token } });
    expect((await fetch(`${node.httpUrl}/v1/stats`)).status).toBe(401);
    const ok = await fetch(`${node.httpUrl}/v1/stats`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(ok.status).toBe(200);
    expect((await fetch(`${node.httpUrl}/healthz`)).status).toBe(200);
    expect(await node.stop()).toEqual({ code: 0, signal: null });
  });

  it('expires an entry put with ?ttl', async () => {
    const node = await group.startNode();
    const entry = `${node.httpUrl}/v1/maps/m/entries/short`;
    const put = await fetch(`${entry}?ttl=1`, {
      method: 'PUT',
      body: 'x',
      headers: { 'content-type': 'text/plain' },
    });
    expect(put.status).toBe(201);
    // A real process runs on the real clock: poll (bounded) rather than sleep a fixed time.
    const deadline = Date.now() + 10_000;
    let status = (await fetch(entry)).status;
    while (status === 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      status = (await fetch(entry)).status;
    }
    expect(status).toBe(404);
    expect(await node.stop()).toEqual({ code: 0, signal: null });
  });

  it('keeps its entries across a graceful restart (snapshot)', async () => {
    const dir = await group.tempDir();
    const config = { snapshot: { path: join(dir, 'node.snapshot') }, maps: [{ name: 'm' }] };
    const first = await group.startNode(config);
    const res = await fetch(`${first.httpUrl}/v1/maps/m/entries/k`, {
      method: 'PUT',
      body: '{"kept":true}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(201);
    expect(await first.stop()).toEqual({ code: 0, signal: null });
    expect(first.lines.some((l) => l.includes('"msg":"snapshot saved"'))).toBe(true);

    const second = await group.startNode({}, { configFile: first.configFile });
    const got = await fetch(`${second.httpUrl}/v1/maps/m/entries/k`);
    expect(got.status).toBe(200);
    expect(await got.json()).toEqual({ kept: true });
    expect(await second.stop()).toEqual({ code: 0, signal: null });
  });

  it('starts with a corrupt snapshot, reporting and skipping it', async () => {
    const dir = await group.tempDir();
    const path = join(dir, 'node.snapshot');
    await writeFile(path, 'not a snapshot at all');
    const node = await group.startNode({ snapshot: { path, saveOnShutdown: false } });
    expect(node.lines.some((l) => l.includes('"msg":"snapshot not loaded"'))).toBe(true);
    expect((await fetch(`${node.httpUrl}/readyz`)).status).toBe(200);
    expect(await node.stop()).toEqual({ code: 0, signal: null });
  });
});
