/**
 * The real client against a node *process* (cache-node/dist/main.js; `npm run build` first):
 * values written over the binary protocol and read over HTTP, then a restart of the process
 * (new cluster id) while clients stay connected: the near-cache reader drops what it cached and
 * reads the value written after the restart; and kill -9 with the same outcome.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { ProcessGroup, type NodeProcess } from '../../helpers/processes.js';
import { eventually, type Client } from './support/node.js';
import hz from 'hazelcast-client';
import { readFile } from 'node:fs/promises';

const group = new ProcessGroup();
const clients: Client[] = [];

afterAll(async () => {
  await Promise.all(clients.map((c) => c.shutdown().catch(() => undefined)));
  await group.cleanup();
}, 30_000);

async function hazelcastAddress(node: NodeProcess): Promise<string> {
  const config = JSON.parse(await readFile(node.configFile, 'utf8')) as {
    member: { host: string; port: number };
  };
  return `${config.member.host}:${config.member.port}`;
}

async function connect(address: string, nearCache: boolean): Promise<Client> {
  const c = await hz.Client.newHazelcastClient({
    network: { clusterMembers: [address] },
    ...(nearCache ? { nearCaches: { nc: { invalidateOnChange: true } } } : {}),
    properties: { 'hazelcast.logging.level': 'OFF' },
  });
  clients.push(c);
  return c;
}

describe('node process', () => {
  it('serves clients across a graceful restart and a kill -9', async () => {
    let node = await group.startNode({ maps: [], undeclaredMaps: 'allow' });
    const address = await hazelcastAddress(node);
    const reader = await connect(address, true);
    const writer = await connect(address, false);
    const r = await reader.getMap<string, unknown>('nc');
    const w = await writer.getMap<string, unknown>('nc');

    await w.put('k', { v: 1 });
    expect(await r.get('k')).toEqual({ v: 1 });
    const http = await fetch(`${node.httpUrl}/v1/maps/nc/entries/k`);
    expect(await http.json()).toEqual({ v: 1 });

    for (const [i, signal] of (['SIGTERM', 'SIGKILL'] as const).entries()) {
      await node.stop(signal);
      node = await group.startNode({}, { configFile: node.configFile });
      const value = { v: 2 + i };
      // The writer reconnects on its own; retry until the node is back for it.
      await eventually(
        () =>
          w.put('k', value).then(
            () => true,
            () => false,
          ),
        (ok) => ok,
        20_000,
        200,
      );
      expect(
        await eventually(
          () => r.get('k'),
          (v) => JSON.stringify(v) === JSON.stringify(value),
          20_000,
          100,
        ),
      ).toEqual(value);
    }
  }, 90_000);
});
