/**
 * Migration: moves partitions this member owns (in the table it serves) to the replicas the target
 * table assigns, in the background, while it keeps serving them.
 *
 * A round takes one synchronous pass over the store, queues a bulk copy of every moving partition
 * on the (ordered) member connections in that same tick, waits for the copies and for writes still
 * replicating, then hands each partition to its new owner and tells every member. Writes made
 * during the round already go to the future replicas too (Routing.replicaTargets is the union of
 * current and target replicas), and they are queued after the bulk copy on the same connection,
 * so nothing written during migration is lost or overwritten by an older copy.
 */
import type { PartitionSequences } from '../nearcache/partition-sequences.js';
import type { StoreApi } from '../store/types.js';
import type { Channel } from './channel.js';
import { encodeRecords, recordOf, type ReplicaRecord } from './replication.js';
import type { PartitionTable } from './partition-table.js';
import type { ClusterLog } from './transport.js';

export interface MigrationDeps {
  selfId: string;
  store: StoreApi;
  current(): PartitionTable | undefined;
  target(): PartitionTable | undefined;
  channelTo(memberId: string): Channel | undefined;
  sequences(): PartitionSequences | undefined;
  clusterId(): string;
  /** Writes of p still replicating. */
  inflight(p: number): Promise<unknown>;
  /** Adopt new replicas for p locally and tell the other members. */
  commit(p: number, replicas: string[], except: string | undefined): void;
  log: ClusterLog;
  onMigrated(result: 'ok' | 'failed', entriesOut: number): void;
  bulkTimeoutMs: number;
}

/** Bulk frames stay well under the member frame limit. */
const MAX_BULK_BYTES = 4 * 1024 * 1024;

export class Migrator {
  private running = false;
  private again = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly deps: MigrationDeps) {}

  /** Partitions this member must move now: it owns them and the target assigns other replicas. */
  pending(): number[] {
    const cur = this.deps.current();
    const tgt = this.deps.target();
    if (!cur || !tgt) return [];
    const out: number[] = [];
    cur.replicas.forEach((r, p) => {
      if (r[0] === this.deps.selfId && !sameList(r, tgt.replicas[p] ?? [])) out.push(p);
    });
    return out;
  }

  reconcile(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.pending().length === 0) return;
    this.running = true;
    void this.round().finally(() => {
      this.running = false;
      if (this.stopped) return;
      if (this.again || this.pending().length > 0) {
        this.again = false;
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this.reconcile(), 200);
        this.retryTimer.unref();
      }
    });
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
  }

  private async round(): Promise<void> {
    const cur = this.deps.current()!;
    const tgt = this.deps.target()!;
    const moving = this.pending();
    const needCopy = new Map<number, string[]>();
    for (const p of moving) {
      const missing = tgt.replicas[p].filter((id) => !cur.replicas[p].includes(id));
      if (missing.length > 0) needCopy.set(p, missing);
    }
    const sends = this.sendCopies(needCopy);
    const outcomes = await Promise.all(
      moving.map(async (p) => {
        try {
          await sends.get(p);
          await this.deps.inflight(p);
          await this.handoff(p, tgt.replicas[p]);
          return true;
        } catch (err) {
          this.deps.log.warn(
            `migration of partition ${p} failed, will retry: ${(err as Error).message}`,
          );
          return false;
        }
      }),
    );
    const failed = outcomes.filter((ok) => !ok).length;
    if (moving.length > 0) {
      this.deps.log.info(
        `migration round: ${moving.length - failed} partitions moved, ${failed} to retry`,
      );
    }
  }

  /** One pass over the store, then every bulk frame queued in the same tick. */
  private sendCopies(needCopy: Map<number, string[]>): Map<number, Promise<void>> {
    const records = new Map<number, ReplicaRecord[]>();
    for (const p of needCopy.keys()) records.set(p, []);
    if (needCopy.size > 0) {
      for (const name of this.deps.store.mapNames()) {
        const map = this.deps.store.getMap(name);
        if (!map) continue;
        for (const e of map.entries()) records.get(e.partitionId)?.push(recordOf(name, e));
      }
    }
    const out = new Map<number, Promise<void>>();
    for (const [p, targets] of needCopy) {
      const chunks = chunk(records.get(p) ?? []);
      const sent = targets.flatMap((id) => {
        const channel = this.deps.channelTo(id);
        if (!channel) return [Promise.reject(new Error(`member ${id} is not connected`))];
        return chunks.map((c) => {
          const msg = encodeRecords('bulk', c, { p, cid: this.deps.clusterId() });
          return channel.request(msg.header, msg.buffers, this.deps.bulkTimeoutMs);
        });
      });
      const entries = records.get(p)?.length ?? 0;
      out.set(
        p,
        Promise.all(sent).then(
          () => this.deps.onMigrated('ok', entries * targets.length),
          (err: unknown) => {
            this.deps.onMigrated('failed', 0);
            throw err;
          },
        ),
      );
    }
    return out;
  }

  private async handoff(p: number, replicas: string[]): Promise<void> {
    const owner = replicas[0];
    if (owner !== undefined && owner !== this.deps.selfId) {
      const channel = this.deps.channelTo(owner);
      if (!channel) throw new Error(`new owner ${owner} is not connected`);
      const lineage = this.deps.sequences()?.export(p);
      await channel.request(
        { op: 'handoff', p, replicas, cid: this.deps.clusterId(), ...(lineage ? { lineage } : {}) },
        [],
        this.deps.bulkTimeoutMs,
      );
    }
    this.deps.commit(p, replicas, owner);
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function chunk(records: ReplicaRecord[]): ReplicaRecord[][] {
  const out: ReplicaRecord[][] = [[]];
  let bytes = 0;
  for (const r of records) {
    const size = r.key.length + (r.value?.length ?? 0) + 64;
    if (bytes + size > MAX_BULK_BYTES && out[out.length - 1].length > 0) {
      out.push([]);
      bytes = 0;
    }
    out[out.length - 1].push(r);
    bytes += size;
  }
  return out;
}
