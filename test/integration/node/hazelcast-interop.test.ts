/** The HTTP API and an unchanged hazelcast-client see the same entries on a real node process. */
import { jest } from '@jest/globals';
import hz from 'hazelcast-client';
import { ProcessGroup, type NodeProcess } from '../../helpers/processes.js';

jest.setTimeout(60_000);

type Client = Awaited<ReturnType<typeof hz.Client.newHazelcastClient>>;

describe('HTTP and Hazelcast clients share entries', () => {
  const group = new ProcessGroup();
  let node: NodeProcess;
  let client: Client | undefined;

  beforeAll(async () => {
    node = await group.startNode({ clusterName: 'interop' });
    const port = JSON.parse(node.lines.find((l) => l.includes('"msg":"ready"')) ?? '{}') as {
      hazelcast?: string;
    };
    client = await hz.Client.newHazelcastClient({
      clusterName: 'interop',
      network: { clusterMembers: [String(port.hazelcast)] },
      properties: { 'hazelcast.logging.level': 'OFF' },
    });
  });
  afterAll(async () => {
    await client?.shutdown();
    await group.cleanup();
  });

  const put = (key: string, body: string, type: string) =>
    fetch(`${node.httpUrl}/v1/maps/shared/entries/${encodeURIComponent(key)}`, {
      method: 'PUT',
      body,
      headers: { 'content-type': type },
    });

  it('a JSON body reads back as a JSON value, text as a string', async () => {
    expect((await put('j', '{"a":[1,2]}', 'application/json')).status).toBe(201);
    expect((await put('t', 'plain text', 'text/plain')).status).toBe(201);
    const map = await client!.getMap<string, unknown>('shared');
    // The Node.js client parses HazelcastJsonValue eagerly by default.
    expect(await map.get('j')).toEqual({ a: [1, 2] });
    expect(await map.get('t')).toBe('plain text');
  });

  it('what a client writes, HTTP reads with the matching content type', async () => {
    const map = await client!.getMap<string, unknown>('shared');
    await map.put('from-client', 'héllo');
    await map.put('number', 42);
    const text = await fetch(`${node.httpUrl}/v1/maps/shared/entries/from-client`);
    expect(text.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await text.text()).toBe('héllo');
    const num = await fetch(`${node.httpUrl}/v1/maps/shared/entries/number`);
    expect(num.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await num.json()).toBe(42);
  });

  it('a delete over HTTP is seen by the client', async () => {
    const map = await client!.getMap<string, unknown>('shared');
    await map.put('gone', 'x');
    const res = await fetch(`${node.httpUrl}/v1/maps/shared/entries/gone`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(await map.get('gone')).toBeNull();
  });
});
