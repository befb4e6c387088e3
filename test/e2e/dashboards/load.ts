/**
 * Traffic that makes every data-plane panel show something: reads and writes over HTTP and the
 * Hazelcast protocol, hits and misses, evictions (a small maxEntries), expirations (a short TTL),
 * a hot key, refused requests, a bad protocol preamble, member near-cache reads, and a member
 * paused for a while (dropped invalidations, backup failures, migrations when it comes back).
 * Bounded in count and time; loopback only.
 */
import { connect } from 'node:net';
import hz from 'hazelcast-client';

export const LOAD_CONFIG = `
maps:
  - name: orders
    maxEntries: 40
    eviction: lru
  - name: sessions
    maxSizeBytes: 65536
    ttlSeconds: 2
maintenance:
  expirySweepIntervalSeconds: 1
hotKeys:
  topK: 5
`;

async function http(method: string, url: string, body?: string): Promise<number> {
  const res = await fetch(url, {
    method,
    signal: AbortSignal.timeout(10_000),
    ...(body !== undefined ? { body, headers: { 'content-type': 'application/json' } } : {}),
  });
  await res.arrayBuffer();
  return res.status;
}

const entry = (base: string, map: string, key: string) =>
  `${base}/v1/maps/${map}/entries/${encodeURIComponent(key)}`;

/** HTTP traffic against every member; returns the number of requests made. */
export async function httpLoad(urls: string[]): Promise<number> {
  let requests = 0;
  const at = (i: number) => urls[i % urls.length];
  const send = async (method: string, url: string, body?: string) => {
    requests++;
    return http(method, url, body);
  };
  for (let i = 0; i < 150; i++) {
    await send('PUT', entry(at(i), 'orders', `order-${i}`), JSON.stringify({ id: i }));
  }
  for (let round = 0; round < 2; round++) {
    // Reads through a member that may not own the key fill (then hit) its near cache.
    for (let i = 100; i < 150; i++) await send('GET', entry(at(0), 'orders', `order-${i}`));
  }
  for (let i = 0; i < 40; i++) await send('GET', entry(at(i), 'orders', 'order-149'));
  for (let i = 0; i < 20; i++) await send('GET', entry(at(i), 'orders', `missing-${i}`));
  for (let i = 0; i < 30; i++) {
    await send('PUT', entry(at(i), 'sessions', `session-${i}`), JSON.stringify({ user: i }));
    await send('GET', entry(at(i + 1), 'sessions', `session-${i}`));
  }
  // Refused: a TTL that is not a number, and a malformed JSON body.
  await send('PUT', `${entry(at(0), 'orders', 'bad')}?ttl=soon`, '{}');
  await send('PUT', entry(at(1), 'orders', 'bad'), '{not json');
  return requests;
}

/** Hazelcast-protocol traffic with a client near cache (client invalidations, connections). */
export async function hazelcastLoad(port: number): Promise<() => Promise<void>> {
  const client = await hz.Client.newHazelcastClient({
    clusterName: 'dev',
    network: { clusterMembers: [`127.0.0.1:${port}`] },
    nearCaches: { orders: { invalidateOnChange: true } },
    properties: { 'hazelcast.logging.level': 'OFF' },
  });
  const map = await client.getMap<string, string>('orders');
  for (let i = 0; i < 40; i++) await map.put(`hz-${i}`, `value-${i}`);
  for (let i = 0; i < 40; i++) await map.get(`hz-${i}`);
  for (let i = 0; i < 40; i++) await map.get(`hz-${i}`);
  // Changes to keys the client's near cache holds: invalidation events to the client.
  for (let i = 0; i < 20; i++) await map.put(`hz-${i}`, `changed-${i}`);
  return () => client.shutdown();
}

/** A connection that does not speak the protocol: counted as a protocol error. */
export function badPreamble(port: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\n\r\n'));
    socket.on('error', () => resolve());
    socket.on('close', () => resolve());
    socket.setTimeout(5000, () => socket.destroy());
  });
}

/**
 * Pauses one member (SIGSTOP) while writes go on, then resumes it: the others time out on it
 * (dropped invalidations, failed backups) and rebalance, and rebalance again when it returns.
 */
export async function pauseMember(
  pid: number,
  urls: string[],
  pauseMs: number,
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  process.kill(pid, 'SIGSTOP');
  try {
    const writes = Array.from({ length: 20 }, (_, i) =>
      http('PUT', entry(urls[i % urls.length], 'orders', `during-pause-${i}`), '{"p":1}').catch(
        () => 0,
      ),
    );
    await Promise.all([Promise.all(writes), sleep(pauseMs)]);
  } finally {
    process.kill(pid, 'SIGCONT');
  }
}
