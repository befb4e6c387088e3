/**
 * A mixed HTTP load for failure tests: writers own disjoint key sets and write increasing values,
 * so the last acknowledged value of every key is known; each acknowledged write is read back from
 * a random member, and a read older than the acknowledged value is recorded as stale.
 */
import hz from 'hazelcast-client';
import { httpGet, httpPut, type Member } from './harness.js';

interface KeyState {
  acked: number;
  /**
   * The latest value sent. Every value after `acked` up to this one was refused, failed or is in
   * flight: the cluster may or may not have applied it (a write that failed when a member died
   * can still have been applied), so any of them is a correct value, and nothing older than
   * `acked` is.
   */
  sent: number;
}

/** Whether `v` (0 = absent) is a value the key may hold given what was acknowledged and sent. */
const possible = (st: KeyState, v: number): boolean => v >= st.acked && v <= st.sent;

export class WriteLoad {
  readonly keys = new Map<string, KeyState>();
  readonly staleReads: string[] = [];
  acks = 0;
  /** The last refused or failed write, for failure messages. */
  lastFailure = '';
  private stopping = false;
  private running: Promise<void>[] = [];

  constructor(
    private readonly map: string,
    private readonly members: () => Member[],
    private readonly keyCount = 200,
    private readonly writers = 8,
  ) {}

  private pick(): Member {
    const live = this.members();
    return live[Math.floor(Math.random() * live.length)];
  }

  start(): void {
    this.running = Array.from({ length: this.writers }, (_, w) => this.writer(w));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.running);
  }

  private async writer(w: number): Promise<void> {
    for (let round = 1; !this.stopping; round++) {
      for (let i = w; i < this.keyCount && !this.stopping; i += this.writers) {
        const key = `k${i}`;
        const st = this.keys.get(key) ?? { acked: 0, sent: 0 };
        this.keys.set(key, st);
        st.sent = round;
        const target = this.pick();
        const status = await httpPut(target, this.map, key, String(round)).catch((err: Error) => {
          this.lastFailure = `${target?.name}: ${err.message}`;
          return 0;
        });
        if (status < 200 || status > 299) {
          if (status !== 0) this.lastFailure = `${target.name}: HTTP ${status}`;
          // Refused or unreachable: back off a little so a failing member never starves the loop.
          await new Promise((r) => setTimeout(r, 5));
          continue;
        }
        st.acked = round;
        this.acks++;
        const read = await httpGet(this.pick(), this.map, key).catch(() => undefined);
        if (read?.status === 200 && Number(read.body) < st.acked) {
          this.staleReads.push(`${key}: read ${read.body} after ack of ${st.acked}`);
        }
      }
    }
  }

  /** Keys whose value on `m` is older than acknowledged (or was never sent). */
  lostOn(m: Member): Promise<string[]> {
    return lostOn(m, this.map, this.keys);
  }
}

type HzClient = Awaited<ReturnType<typeof hz.Client.newHazelcastClient>>;

/** The same load through a smart hazelcast-client (writes routed to owners, retried on failover). */
export class ClientWriteLoad {
  readonly keys = new Map<string, KeyState>();
  acks = 0;
  private stopping = false;
  private running: Promise<void>[] = [];
  private client: HzClient | undefined;

  constructor(
    private readonly map: string,
    private readonly keyCount = 50,
    private readonly writers = 4,
  ) {}

  async start(members: Member[]): Promise<void> {
    this.client = await hz.Client.newHazelcastClient({
      clusterName: 'dev',
      network: { clusterMembers: members.map((m) => `${m.host}:${m.port}`) },
      properties: {
        'hazelcast.logging.level': 'OFF',
        'hazelcast.client.invocation.timeout.millis': 20000,
        // A member cut off by the network closes no connection: notice it as a real deployment
        // would tune it, in seconds rather than the default minute.
        'hazelcast.client.heartbeat.interval': 1000,
        'hazelcast.client.heartbeat.timeout': 5000,
      },
    });
    const map = await this.client.getMap<string, string>(this.map);
    this.running = Array.from({ length: this.writers }, async (_, w) => {
      for (let round = 1; !this.stopping; round++) {
        for (let i = w; i < this.keyCount && !this.stopping; i += this.writers) {
          const key = `hz${i}`;
          const st = this.keys.get(key) ?? { acked: 0, sent: 0 };
          this.keys.set(key, st);
          st.sent = round;
          try {
            await map.set(key, String(round));
            st.acked = round;
            this.acks++;
          } catch {
            await new Promise((r) => setTimeout(r, 5));
          }
        }
      }
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.running);
    const client = this.client;
    this.client = undefined;
    await client?.shutdown();
  }

  /** Keys whose value read over HTTP on `m` is neither acknowledged nor in flight. */
  lostOn(m: Member): Promise<string[]> {
    return lostOn(m, this.map, this.keys);
  }
}

/** Keys of `keys` whose value read over HTTP on `m` is neither acknowledged nor in flight. */
async function lostOn(m: Member, map: string, keys: Map<string, KeyState>): Promise<string[]> {
  const lost: string[] = [];
  for (const [key, st] of keys) {
    const { status, body } = await httpGet(m, map, key);
    const v = status === 200 ? Number(body) : 0;
    if (!possible(st, v)) lost.push(`${m.name} ${key}: ${v} (acked ${st.acked})`);
  }
  return lost;
}
