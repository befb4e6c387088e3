/**
 * `npm start` as a user runs it (the built local-cluster entry with flags), driven over HTTP.
 */
import { jest } from '@jest/globals';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import {
  freePortRange,
  isAlive,
  LOCAL_CLUSTER,
  ProcessGroup,
  type LocalClusterProcess,
} from '../../helpers/processes.js';

jest.setTimeout(60_000);

const METRIC_NAMES = [
  'metadatacache_operations_total',
  'metadatacache_operation_duration_seconds',
  'metadatacache_cache_hits_total',
  'metadatacache_entries',
  'metadatacache_bytes',
  'metadatacache_ready',
  'process_cpu_user_seconds_total',
];

describe('npm start (local cluster)', () => {
  const group = new ProcessGroup();
  let cluster: LocalClusterProcess;
  let dataDir: string;
  let url: string;

  beforeAll(async () => {
    dataDir = await group.tempDir('mdc-local-data-');
    const port = await freePortRange(3);
    const httpPort = await freePortRange(3);
    cluster = await group.startLocalCluster([
      '--nodes',
      '3',
      '--port',
      String(port),
      '--http-port',
      String(httpPort),
      '--data-dir',
      dataDir,
    ]);
    url = cluster.nodes[0].httpUrl;
  });
  afterAll(() => group.cleanup());

  const put = (path: string, body: string | Buffer, type: string) =>
    fetch(`${url}${path}`, { method: 'PUT', body, headers: { 'content-type': type } });

  it('prints one ready line per node, on the requested ports', () => {
    expect(cluster.nodes.map((n) => n.name)).toEqual(['node-0', 'node-1', 'node-2']);
    const ports = cluster.nodes.map((n) => Number(new URL(n.httpUrl).port));
    expect(ports).toEqual([ports[0], ports[0] + 1, ports[0] + 2]);
  });

  it('serves health and readiness on every node', async () => {
    for (const node of cluster.nodes) {
      expect((await fetch(`${node.httpUrl}/healthz`)).status).toBe(200);
      expect((await fetch(`${node.httpUrl}/readyz`)).status).toBe(200);
    }
  });

  it('puts, gets and deletes JSON, text and bytes', async () => {
    expect((await put('/v1/maps/users/entries/u1', '{"n":1}', 'application/json')).status).toBe(
      201,
    );
    expect((await put('/v1/maps/users/entries/t1', 'hello', 'text/plain')).status).toBe(201);
    const bytes = Buffer.from([0, 255, 7]);
    expect((await put('/v1/maps/users/entries/b1', bytes, 'application/octet-stream')).status).toBe(
      201,
    );

    const json = await fetch(`${url}/v1/maps/users/entries/u1`);
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await json.json()).toEqual({ n: 1 });
    expect(await (await fetch(`${url}/v1/maps/users/entries/t1`)).text()).toBe('hello');
    const raw = await fetch(`${url}/v1/maps/users/entries/b1`);
    expect(Buffer.from(await raw.arrayBuffer())).toEqual(bytes);

    expect((await fetch(`${url}/v1/maps/users/entries/t1`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${url}/v1/maps/users/entries/t1`)).status).toBe(404);
  });

  it('refuses bad input with a JSON error', async () => {
    const res = await put('/v1/maps/users/entries/k?ttl=soon', 'x', 'text/plain');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'bad_ttl' } });
  });

  it('expires an entry put with ?ttl on every node', async () => {
    expect((await put('/v1/maps/users/entries/short?ttl=1', 'x', 'text/plain')).status).toBe(201);
    // Real processes run on the real clock: poll (bounded) instead of sleeping a fixed time.
    const statuses = () =>
      Promise.all(
        cluster.nodes.map(
          async (n) => (await fetch(`${n.httpUrl}/v1/maps/users/entries/short`)).status,
        ),
      );
    const deadline = Date.now() + 15_000;
    let seen = await statuses();
    while (seen.some((s) => s !== 404) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      seen = await statuses();
    }
    expect(seen).toEqual([404, 404, 404]);
  });

  it('serves stats, hot keys, recommendations and prefetch', async () => {
    // Read on every node: the owner's own reads reach its store (others may answer from their
    // near cache), and hot-key tracking samples reads, so read often enough to be certain.
    for (const node of cluster.nodes) {
      for (let i = 0; i < 40; i++) await fetch(`${node.httpUrl}/v1/maps/users/entries/u1`);
    }
    const stats = (await (await fetch(`${url}/v1/stats`)).json()) as { maps: { map: string }[] };
    expect(Array.isArray(stats.maps)).toBe(true);
    const recs = await fetch(`${url}/v1/recommendations`);
    expect(recs.status).toBe(200);
    const prefetch = await fetch(`${url}/v1/maps/users/prefetch`, {
      method: 'POST',
      body: JSON.stringify({ keys: ['p1', 'p2'] }),
      headers: { 'content-type': 'application/json' },
    });
    expect(prefetch.status).toBe(202);
    // Hot keys are per member: the member holding u1 reports it.
    const hot = await Promise.all(
      cluster.nodes.map(async (n) => {
        const res = await fetch(`${n.httpUrl}/v1/maps/users/hot-keys`);
        return res.status === 200 ? ((await res.json()) as { keys: { key: string }[] }).keys : [];
      }),
    );
    expect(hot.flat().map((k) => k.key)).toContain('u1');
  });

  it('exposes the documented metrics', async () => {
    const text = await (await fetch(`${url}/metrics`)).text();
    for (const name of METRIC_NAMES) expect(text).toContain(name);
  });

  it('stops every node on SIGTERM, saving their snapshots', async () => {
    const exit = await cluster.stop('SIGTERM', 30_000);
    expect(exit).toEqual({ code: 0, signal: null });
    for (const node of cluster.nodes) expect(isAlive(node.pid)).toBe(false);
    for (const node of cluster.nodes) {
      expect(existsSync(join(dataDir, `${node.name}.snapshot`))).toBe(true);
    }
  });
});

describe('npm start failures', () => {
  const group = new ProcessGroup();
  afterAll(() => group.cleanup());

  it('exits 2 with usage on a bad flag', async () => {
    const proc = group.spawn('local-cluster', [LOCAL_CLUSTER, '--nodes', 'many']);
    expect(await proc.exited).toEqual({ code: 2, signal: null });
    expect(proc.tail()).toContain('--nodes must be a whole number');
  });

  it('exits non-zero and stops the others when a node cannot start', async () => {
    const httpPort = await freePortRange(2);
    // Occupy node-1's HTTP port so that node fails while node-0 starts.
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(httpPort + 1, '127.0.0.1', r));
    try {
      const port = await freePortRange(2);
      const proc = group.spawn('local-cluster', [
        LOCAL_CLUSTER,
        '--nodes',
        '2',
        '--port',
        String(port),
        '--http-port',
        String(httpPort),
      ]);
      const exit = await proc.exited;
      expect(exit.code).toBe(1);
      expect(proc.tail(40)).toContain('failed to start');
      expect(
        await fetch(`http://127.0.0.1:${httpPort}/healthz`).then(
          () => 'up',
          () => 'down',
        ),
      ).toBe('down');
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});
