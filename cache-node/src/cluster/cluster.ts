/**
 * One member's part of the cluster: membership (transport + heartbeats), the partition table it
 * serves, the clustered MapService, migration, and the invalidation broadcast. It implements the
 * protocol's ClusterView, so clients see its members and partition owners.
 *
 * The table served ("current") starts from the target table (a pure function of the members) and
 * after each membership change becomes the interim table (the previous one without the members
 * that are gone, so surviving backups take over); partitions then move to the target's replicas
 * in the background and each is committed when its data is there.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { InvalidationHub, Invalidation } from '../nearcache/invalidation.js';
import type { PartitionSequences } from '../nearcache/partition-sequences.js';
import type { NearCacheMetadataAnswer } from '../nearcache/partition-sequences.js';
import type { ClusterMember, ClusterView } from '../protocol/cluster-view.js';
import type { MapService } from '../service/map-service.js';
import type { StoreApi } from '../store/types.js';
import type { ClusterCredentials } from './auth.js';
import type { Message } from './channel.js';
import { BoundedWaits } from './bounded-waits.js';
import { ClusteredMapService, type Routing } from './data-path.js';
import type { Discovery } from './discovery/types.js';
import { ClusterUnavailableError } from './errors.js';
import { mayFoundCluster } from './founding.js';
import { MemberNearCache } from './member-near-cache.js';
import type { MemberInfo } from './member-info.js';
import { DEFAULT_TIMING, Membership, type MembershipTiming } from './membership.js';
import { outranks, standingOf } from './membership-rules.js';
import { Migrator } from './migration.js';
import {
  computePartitionTable,
  interimTable,
  partitionsOwnedBy,
  type PartitionTable,
} from './partition-table.js';
import { applyRecords, decodeRecords } from './replication.js';
import { MemberTransport, type ClusterLog } from './transport.js';

export interface ClusterSettings {
  clusterName: string;
  partitionCount: number;
  backupCount: number;
  backupMode: 'sync' | 'async';
  readFromBackup: boolean;
  memberNearCacheMaxEntries: number;
  handoffTimeoutSeconds: number;
  maxFrameBytes: number;
  writeBufferBytes: number;
  credentials?: ClusterCredentials | undefined;
}

/** The metrics the cluster feeds (a subset of NodeMetrics, so tests can pass fakes). */
export interface ClusterMetrics {
  clusterMembers: { set(v: number): void };
  partitionTableVersion: { set(v: number): void };
  partitionsOwned: { set(v: number): void };
  migrations: { inc(labels: { result: string }): void };
  migratedEntries: { inc(labels: { direction: string }, v: number): void };
  backupFailures: { inc(): void };
  invalidationsSent: { inc(labels: { map: string; target: string }): void };
  invalidationsReceived: { inc(labels: { map: string }): void };
  invalidationsDropped: { inc(labels: { map: string; reason: string }): void };
  invalidationLag: { observe(labels: { map: string }, v: number): void };
  nearCacheHits: { inc(labels: { map: string }, v?: number): void };
  nearCacheMisses: { inc(labels: { map: string }, v?: number): void };
}

export interface ClusterOptions {
  settings: ClusterSettings;
  self: MemberInfo;
  store: StoreApi;
  discovery: Discovery;
  log: ClusterLog;
  metrics?: ClusterMetrics;
  timing?: Partial<MembershipTiming>;
  /** How long a starting member looks for an established cluster before forming one. */
  joinWindowMs?: number;
  /** Member ids are StatefulSet pod names: only ordinal 0 founds a cluster (founding.ts). */
  statefulSetOrdinals?: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const INVALIDATION_ACK_WAIT_MS = 500;
/** How long StatefulSet ordinals other than 0 wait to join before founding (founding.ts). */
const ORDINAL_WAIT_MS = 30_000;
/** Larger values are not shipped with the invalidation broadcast (members just drop the key). */
const MAX_SHIPPED_VALUE_BYTES = 16 * 1024;

export class Cluster implements Routing {
  readonly selfId: string;
  readonly partitionCount: number;
  readonly mapService: ClusteredMapService;
  readonly view: ClusterView;
  readonly nearCache: MemberNearCache;
  private readonly transport: MemberTransport;
  private readonly membership: Membership;
  private readonly migrator: Migrator;
  private currentTable: PartitionTable | undefined;
  private targetTable: PartitionTable | undefined;
  /**
   * isConverged() memoized: every read of a key owned elsewhere asks it, and comparing the two
   * tables joins 2 × partitionCount replica lists (5 % of a member's CPU at 1000 writes/s).
   * Reset whenever a table is replaced and by tableChanged(), which follows every in-place edit.
   */
  private convergedMemo: boolean | undefined;
  private get current(): PartitionTable | undefined {
    return this.currentTable;
  }
  private set current(t: PartitionTable | undefined) {
    this.currentTable = t;
    this.convergedMemo = undefined;
  }
  private get target(): PartitionTable | undefined {
    return this.targetTable;
  }
  private set target(t: PartitionTable | undefined) {
    this.targetTable = t;
    this.convergedMemo = undefined;
  }
  private established = false;
  private clusterIdValue: string = randomUUID();
  private tableVersion = 0;
  private owners: string[] = [];
  private readonly viewListeners = new Set<() => void>();
  private readonly resetListeners = new Set<() => void>();
  private notifyScheduled = false;
  private readonly inflightWrites = new Map<number, Set<Promise<unknown>>>();
  private hub: InvalidationHub | undefined;
  private relaying = false;
  private collecting: Promise<unknown>[] | undefined;
  private readonly lastSequence = new Map<string, { uuid: string; seq: number }>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private splitTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly opts: ClusterOptions) {
    const s = opts.settings;
    this.selfId = opts.self.id;
    this.partitionCount = s.partitionCount;
    const timing = { ...DEFAULT_TIMING, ...opts.timing };
    this.transport = new MemberTransport(
      {
        self: opts.self,
        clusterName: s.clusterName,
        credentials: s.credentials,
        connectTimeoutMs: 2000,
        maxFrameBytes: Math.max(s.maxFrameBytes, 64 * 1024 * 1024),
        maxQueuedBytes: Math.max(s.writeBufferBytes * 4, 256 * 1024 * 1024),
        requestTimeoutMs: 10_000,
        log: opts.log,
      },
      {
        onRequest: (peer, msg) => this.onRequest(peer, msg),
        onOneWay: (_peer, msg) => this.onOneWay(msg),
      },
    );
    this.membership = new Membership(
      opts.self,
      this.transport,
      opts.discovery,
      timing,
      {
        onViewChange: () => this.onViewChange(),
        onEpoch: () => this.notifyView(),
        onEvicted: () => void this.resetAndRejoin(),
      },
      {
        extra: () => ({
          established: this.established,
          clusterId: this.clusterIdValue,
          pending: this.migrator.pending().length,
        }),
      },
      opts.log,
    );
    this.nearCache = new MemberNearCache(s.memberNearCacheMaxEntries);
    this.mapService = new ClusteredMapService(opts.store, this, this.nearCache, {
      backupMode: s.backupMode,
      backupTimeoutMs: 5000,
      onBackupFailure: (err) => {
        opts.metrics?.backupFailures.inc();
        opts.log.warn(`backup failed: ${err.message}`);
      },
      onNearCacheRead: (map, hit) =>
        (hit ? opts.metrics?.nearCacheHits : opts.metrics?.nearCacheMisses)?.inc({ map }),
    });
    this.migrator = new Migrator({
      selfId: this.selfId,
      store: opts.store,
      current: () => this.current,
      target: () => this.target,
      channelTo: (id) => this.membership.channelTo(id),
      sequences: () => this.hub?.sequences,
      clusterId: () => this.clusterIdValue,
      inflight: (p) => Promise.allSettled([...(this.inflightWrites.get(p) ?? [])]),
      commit: (p, replicas, except) => this.commit(p, replicas, except),
      log: opts.log,
      onMigrated: (result, n) => {
        opts.metrics?.migrations.inc({ result });
        if (n > 0) opts.metrics?.migratedEntries.inc({ direction: 'out' }, n);
      },
      bulkTimeoutMs: 30_000,
    });
    this.view = this.createView();
  }

  get services(): MapService {
    return this.mapService;
  }

  /** Listens, finds peers, and resolves once this member serves a table (joined or formed). */
  async start(): Promise<void> {
    await this.transport.listen();
    this.membership.start();
    this.splitTimer = setInterval(() => {
      this.checkSplit();
      this.sendClaims();
    }, 1000);
    this.splitTimer.unref();
    await this.join();
  }

  /** Receives the protocol's invalidation hub: owner-stamped invalidations are broadcast. */
  attachInvalidation(hub: InvalidationHub): void {
    this.hub = hub;
    hub.subscribe((inv) => this.broadcastInvalidation(inv));
  }

  isReady(): boolean {
    return this.established && !this.stopped && this.membership.isTrusted();
  }

  /**
   * Graceful leave, within the configured time: returns once no partition lists this member and
   * the table served equals the target without it, i.e. every partition it owned has a new owner
   * and every partition it held (owned or as a backup) has its backups on other members again.
   * Waiting for ownership alone would let it exit while owners still re-create the backups it
   * held, and a crash right after would then lose those partitions.
   */
  async leave(): Promise<{ handedOff: boolean }> {
    if (!this.established || this.membership.members().length <= 1) return { handedOff: true };
    this.membership.announceLeaving();
    this.onViewChange();
    const deadline = Date.now() + this.opts.settings.handoffTimeoutSeconds * 1000;
    while (Date.now() < deadline) {
      if (this.target?.members.length === 0) {
        // Every member is leaving (the whole cluster is stopping): nobody can take partitions.
        this.opts.log.info('every member is leaving: no one to hand partitions to');
        return { handedOff: false };
      }
      if (this.handedOff()) {
        this.opts.log.info(
          'hand-off complete: every partition has its owner and backups elsewhere',
        );
        return { handedOff: true };
      }
      await sleep(100);
    }
    this.opts.log.warn(
      this.current?.replicas.some((r) => r[0] === this.selfId)
        ? 'hand-off timed out; leaving with partitions still owned'
        : 'hand-off timed out; leaving before every backup was re-created elsewhere',
    );
    return { handedOff: false };
  }

  private handedOff(): boolean {
    const held = this.current?.replicas.some((r) => r.includes(this.selfId)) ?? false;
    return !held && this.isConverged();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.migrator.stop();
    clearTimeout(this.sweepTimer);
    clearInterval(this.splitTimer);
    this.membership.stop();
    await this.transport.close();
  }

  /** Diagnostics (HTTP /cluster, tests). */
  describe() {
    return {
      self: this.selfId,
      established: this.established,
      ready: this.isReady(),
      epoch: this.membership.epoch,
      tableVersion: this.tableVersion,
      members: this.membership.members().map((m) => m.id),
      leaving: [...this.membership.leavingMembers()],
      owned: this.current ? partitionsOwnedBy(this.current, this.selfId).length : 0,
      pendingMigrations: this.migrator.pending().length,
      converged: this.isConverged(),
    };
  }

  stable(): boolean {
    return this.isConverged();
  }

  isConverged(): boolean {
    return (this.convergedMemo ??= tablesEqual(this.current, this.target));
  }

  // ---- Routing (used by the data path) -----------------------------------------------------------

  assertReady(): void {
    if (this.stopped) throw new ClusterUnavailableError('member is shutting down');
    if (!this.established) throw new ClusterUnavailableError('member is joining the cluster');
    const state = this.membership.servingState();
    if (state === 'stalled') {
      throw new ClusterUnavailableError('member is confirming its membership after a stall');
    }
    if (state === 'minority') {
      throw new ClusterUnavailableError(
        'member cannot reach a majority of the cluster (partitioned?); not serving until it can',
      );
    }
  }

  ownerOf(p: number): string | undefined {
    return this.current?.replicas[p]?.[0];
  }

  owns(p: number): boolean {
    return this.established && this.ownerOf(p) === this.selfId;
  }

  servesReadLocally(p: number): boolean {
    const r = this.current?.replicas[p];
    if (!r) return false;
    return r[0] === this.selfId || (this.opts.settings.readFromBackup && r.includes(this.selfId));
  }

  replicaTargets(p: number): string[] {
    const out = new Set<string>(this.current?.replicas[p]?.slice(1) ?? []);
    for (const id of this.target?.replicas[p] ?? []) out.add(id);
    out.delete(this.selfId);
    return [...out];
  }

  channelTo(memberId: string) {
    return this.membership.channelTo(memberId);
  }

  memberIds(): readonly string[] {
    return this.membership.members().map((m) => m.id);
  }

  trackWrite(p: number, done: Promise<unknown>): void {
    let set = this.inflightWrites.get(p);
    if (!set) this.inflightWrites.set(p, (set = new Set()));
    set.add(done);
    const remove = () => set.delete(done);
    done.then(remove, remove);
  }

  collectInvalidationAcks<T>(work: () => T): [T, Promise<unknown>[]] {
    const outer = this.collecting;
    const acks: Promise<unknown>[] = [];
    this.collecting = acks;
    try {
      return [work(), acks];
    } finally {
      this.collecting = outer;
    }
  }

  ownedCount(mapName: string): number {
    const map = this.opts.store.getMap(mapName);
    if (!map || !this.current) return 0;
    let n = 0;
    for (const e of map.entries())
      if (this.current.replicas[e.partitionId]?.[0] === this.selfId) n++;
    return n;
  }

  // ---- membership and table ----------------------------------------------------------------------

  /**
   * Join an established cluster through any established peer, or, when none exists, form one:
   * only the member with the lowest id in its view forms it (once every discovered member
   * answered, or after the join window), so members starting together agree on one table; on a
   * StatefulSet, ordinal 0 (founding.ts explains why).
   */
  private async join(): Promise<void> {
    const windowMs = this.opts.joinWindowMs ?? 3000;
    const started = Date.now();
    while (!this.stopped) {
      const peers = this.membership.members().filter((m) => m.id !== this.selfId);
      // Prefer the group that wins a merge (the smallest cluster id), so a rejoin lands there.
      const established = peers
        .filter((m) => this.membership.reportOf(m.id)?.established === true)
        .sort((a, b) =>
          String(this.membership.reportOf(a.id)?.clusterId).localeCompare(
            String(this.membership.reportOf(b.id)?.clusterId),
          ),
        )[0];
      if (established) {
        if (await this.adoptTableFrom(established.id)) return;
      } else if (
        mayFoundCluster({
          selfId: this.selfId,
          peerIds: peers.map((m) => m.id),
          // Only answers since this join started: after an eviction, older ones are from peers
          // that may have removed us (founding alone on them split the cluster).
          allAnswered: this.membership.allDiscoveredAnswered(started),
          elapsedMs: Date.now() - started,
          joinWindowMs: windowMs,
          statefulSetOrdinals: this.opts.statefulSetOrdinals === true,
          ordinalWaitMs: ORDINAL_WAIT_MS,
        })
      ) {
        break;
      }
      await sleep(50);
    }
    if (this.stopped) return;
    const ids = this.membership
      .members()
      .map((m) => m.uuid)
      .sort();
    this.clusterIdValue = uuidFrom(`${this.opts.settings.clusterName}\n${ids.join('\n')}`);
    this.current = this.computeTarget();
    this.opts.log.info(`formed the cluster with ${ids.length} member(s)`);
    this.becomeEstablished();
  }

  /**
   * Two established groups that meet (members started apart, or a partition healed) would serve
   * conflicting tables: the lower-ranked group (fewer members; see outranks) drops its data and
   * rejoins, so the majority that kept taking writes keeps them; the cluster id breaks ties.
   */
  private checkSplit(): void {
    if (!this.established || this.stopped) return;
    const mine = this.membership.standing();
    for (const m of this.membership.members()) {
      const r = this.membership.reportOf(m.id);
      if (r?.established !== true || typeof r.clusterId !== 'string') continue;
      if (r.clusterId === this.clusterIdValue) continue;
      const theirs = standingOf(r);
      const theyWin = theirs
        ? outranks(theirs, mine) || (!outranks(mine, theirs) && r.clusterId < this.clusterIdValue)
        : r.clusterId < this.clusterIdValue;
      if (theyWin) {
        this.opts.log.warn(`met cluster ${r.clusterId} through ${m.id}; merging into it`);
        void this.resetAndRejoin();
        return;
      }
    }
  }

  private async adoptTableFrom(memberId: string): Promise<boolean> {
    const channel = this.membership.channelTo(memberId);
    if (!channel) return false;
    try {
      const res = await channel.request({ op: 'table' });
      const replicas = res.header.replicas;
      if (res.header.established !== true || !Array.isArray(replicas)) return false;
      this.current = {
        partitionCount: this.partitionCount,
        backupCount: this.opts.settings.backupCount,
        members: [...new Set((replicas as string[][]).flat())].sort(),
        replicas: replicas as string[][],
      };
      this.clusterIdValue = String(res.header.clusterId);
      this.becomeEstablished();
      this.opts.log.info(`joined the cluster through ${memberId}`);
      return true;
    } catch {
      return false;
    }
  }

  private becomeEstablished(): void {
    this.established = true;
    this.onViewChange();
    this.notifyView();
  }

  private computeTarget(): PartitionTable {
    const leaving = this.membership.leavingMembers();
    const members = this.membership
      .members()
      .filter((m) => !leaving.has(m.id))
      .map((m) => ({ id: m.id, ...(m.zone ? { zone: m.zone } : {}) }));
    return computePartitionTable(members, this.partitionCount, this.opts.settings.backupCount);
  }

  private onViewChange(): void {
    this.opts.metrics?.clusterMembers.set(this.membership.members().length);
    // Invalidations from a member that is gone may have been lost: drop what we cached.
    this.nearCache.clear();
    this.lastSequence.clear();
    if (!this.established || !this.current) {
      this.notifyView();
      return;
    }
    const before = this.current;
    this.target = this.computeTarget();
    const alive = new Set(this.membership.members().map((m) => m.id));
    this.current = interimTable(before, this.target, alive);
    this.current.replicas.forEach((r, p) => {
      // Promoted to owner without the previous owner's counters: start a new lineage.
      if (r[0] === this.selfId && before.replicas[p]?.[0] !== this.selfId)
        this.hub?.sequences.rotate(p);
    });
    this.tableChanged();
    this.migrator.reconcile();
  }

  /** Adopt new replicas for p (after a migration hand-off) and tell the others. */
  private commit(p: number, replicas: string[], except: string | undefined): void {
    if (!this.current) return;
    this.current.replicas[p] = replicas;
    const msg = { op: 'moved', p, replicas, cid: this.clusterIdValue };
    for (const m of this.membership.members()) {
      if (m.id !== this.selfId && m.id !== except) this.membership.channelTo(m.id)?.send(msg);
    }
    this.tableChanged();
  }

  private tableChanged(): void {
    this.convergedMemo = undefined;
    this.tableVersion = Math.max(this.tableVersion + 1, this.membership.epoch * 1000);
    this.opts.metrics?.partitionTableVersion.set(this.tableVersion);
    if (this.current) {
      this.opts.metrics?.partitionsOwned.set(partitionsOwnedBy(this.current, this.selfId).length);
    }
    this.scheduleSweep();
    this.notifyView();
  }

  /** Drop copies of partitions this member no longer holds (after they moved away). */
  private scheduleSweep(): void {
    clearTimeout(this.sweepTimer);
    this.sweepTimer = setTimeout(() => this.sweep(), 1000);
    this.sweepTimer.unref();
  }

  private sweep(): void {
    if (!this.current || !this.target || this.stopped) return;
    if (!this.isConverged()) {
      this.scheduleSweep();
      return;
    }
    const held = new Set<number>();
    this.current.replicas.forEach((r, p) => {
      if (r.includes(this.selfId)) held.add(p);
    });
    for (const name of this.opts.store.mapNames()) {
      const map = this.opts.store.getMap(name);
      if (!map) continue;
      const stale = [...map.entries()].filter((e) => !held.has(e.partitionId)).map((e) => e.key);
      for (const key of stale) map.delete(key);
    }
  }

  /** Partition data only flows between members of the same cluster incarnation. */
  private assertSameCluster(h: Record<string, unknown>): void {
    if (!this.established || h.cid !== this.clusterIdValue) {
      throw new ClusterUnavailableError('member belongs to another cluster incarnation (merging)');
    }
  }

  clusterId(): string {
    return this.clusterIdValue;
  }

  /**
   * Called when this member drops its data to rejoin (it was cut off and the others moved on).
   * The protocol closes its client connections then: a request a client sent while the network
   * was cut can still sit in TCP's retransmission queue and arrive after the rejoin, where it
   * would overwrite newer acknowledged writes; and the clients' near caches missed the
   * invalidations of the cut, so they must re-register (which clears them).
   */
  onReset(fn: () => void): () => void {
    this.resetListeners.add(fn);
    return () => this.resetListeners.delete(fn);
  }

  private async resetAndRejoin(): Promise<void> {
    if (!this.established) {
      this.membership.newIncarnation();
      return;
    }
    this.opts.log.warn('dropping local data and rejoining as a new incarnation');
    this.established = false;
    this.current = undefined;
    this.target = undefined;
    this.nearCache.clear();
    for (const name of this.opts.store.mapNames()) this.opts.store.getMap(name)?.clear();
    for (const fn of this.resetListeners) fn();
    this.membership.newIncarnation();
    await this.join();
  }

  // ---- requests from peers -----------------------------------------------------------------------

  private onRequest(peer: MemberInfo, msg: Message): Message | Promise<Message> {
    const h = msg.header;
    switch (h.op) {
      case 'ping':
        return this.membership.answerPing(peer, h);
      case 'table':
        return {
          header: {
            established: this.established,
            replicas: this.current?.replicas ?? [],
            clusterId: this.clusterIdValue,
          },
          buffers: [],
        };
      case 'key':
        return this.mapService.serveKey(msg);
      case 'getAll':
        return this.mapService.serveGetAll(msg);
      case 'putAll':
        return this.mapService.servePutAll(msg);
      case 'mapop':
        return this.mapService.serveMapOp(msg);
      case 'size':
        return this.mapService.serveSize(msg);
      case 'backup':
      case 'bulk': {
        this.assertSameCluster(h);
        // Only from members in our view: a removed one's data may be older than ours.
        if (!this.membership.members().some((m) => m.id === peer.id)) {
          throw new ClusterUnavailableError(`member ${peer.id} is not in this member's view`);
        }
        const n = applyRecords(
          this.opts.store,
          decodeRecords(msg),
          this.partitionCount,
          Date.now(),
        );
        if (h.op === 'bulk') this.opts.metrics?.migratedEntries.inc({ direction: 'in' }, n);
        return { header: {}, buffers: [] };
      }
      case 'handoff':
        return this.acceptHandoff(h);
      case 'invs':
        this.applyInvalidations(h, msg.buffers);
        return { header: {}, buffers: [] };
      case 'describe':
        return { header: this.describe(), buffers: [] };
      case 'meta':
        return { header: { answer: this.localMetadata(h.names as string[]) }, buffers: [] };
      default:
        throw new Error(`unknown member request "${String(h.op)}"`);
    }
  }

  private onOneWay(msg: Message): void {
    if (msg.header.op === 'moved') this.applyMoved(msg.header);
    else if (msg.header.op === 'claims') this.applyClaims(msg.header);
  }

  /**
   * Anti-entropy for the table: every second each member tells the others the replicas of the
   * partitions it owns (it is the authority for those), so a `moved` message a member missed
   * (it joined while the partition moved, or it was briefly disconnected) is repaired.
   */
  private sendClaims(): void {
    if (!this.established || !this.current || this.stopped) return;
    const parts = partitionsOwnedBy(this.current, this.selfId);
    const msg = {
      op: 'claims',
      cid: this.clusterIdValue,
      parts,
      replicas: parts.map((p) => this.current!.replicas[p]),
    };
    for (const m of this.membership.members()) {
      if (m.id !== this.selfId) this.membership.channelTo(m.id)?.send(msg);
    }
  }

  private applyClaims(h: Record<string, unknown>): void {
    if (!this.current || h.cid !== this.clusterIdValue) return;
    if (!Array.isArray(h.parts) || !Array.isArray(h.replicas)) return;
    const alive = new Set(this.membership.members().map((m) => m.id));
    let changed = false;
    (h.parts as unknown[]).forEach((pv, i) => {
      const p = Number(pv);
      const replicas = (h.replicas as unknown[])[i];
      if (!(p >= 0 && p < this.partitionCount) || !Array.isArray(replicas)) return;
      const mine = this.current!.replicas[p];
      // Never give away a partition this member owns: it is the authority for it.
      if (mine?.[0] === this.selfId) return;
      const next = (replicas as string[]).filter((id) => alive.has(id));
      if (next.length === 0 || next.join() === mine?.join()) return;
      this.current!.replicas[p] = next;
      changed = true;
    });
    if (changed) {
      this.tableChanged();
      this.migrator.reconcile();
    }
  }

  private acceptHandoff(h: Record<string, unknown>): Message {
    this.assertSameCluster(h);
    const p = Number(h.p);
    const replicas = h.replicas as string[];
    if (!this.current || !Array.isArray(replicas)) {
      throw new ClusterUnavailableError('not established');
    }
    const lineage = h.lineage as Parameters<PartitionSequences['import']>[1] | undefined;
    if (lineage) this.hub?.sequences.import(p, lineage);
    this.current.replicas[p] = replicas;
    this.tableChanged();
    this.migrator.reconcile();
    return { header: {}, buffers: [] };
  }

  private applyMoved(h: Record<string, unknown>): void {
    const p = Number(h.p);
    if (!this.current || !Array.isArray(h.replicas) || h.cid !== this.clusterIdValue) return;
    const alive = new Set(this.membership.members().map((m) => m.id));
    const replicas = (h.replicas as string[]).filter((id) => alive.has(id));
    if (replicas.length === 0 || !(p >= 0 && p < this.partitionCount)) return;
    // Only an owner moves its partition, and it updates its own table when it does: a `moved`
    // that would take p from us is an older owner's message overtaken by the hand-off to us
    // (one-way messages from different members are not ordered). Applying it left p ownerless.
    if (this.current.replicas[p]?.[0] === this.selfId && replicas[0] !== this.selfId) return;
    this.current.replicas[p] = replicas;
    this.tableChanged();
    this.migrator.reconcile();
  }

  // ---- invalidation broadcast --------------------------------------------------------------------

  private broadcastInvalidation(inv: Invalidation): void {
    if (this.relaying) return;
    this.nearCache.invalidate(inv.map, inv.key);
    // The key's state right after the change (the store announces changes once applied): members
    // that cache the key refresh it in place, so their next read needs no round trip to us.
    const value = inv.key ? this.opts.store.getMap(inv.map)?.peek(inv.key) : undefined;
    const shipped = value && value.length <= MAX_SHIPPED_VALUE_BYTES ? value : undefined;
    // Every connected member, even one our view does not list yet: it may already read through us.
    for (const id of this.membership.reachableIds()) {
      // A write waits for members' acks (read-your-writes over HTTP on any member), but at most
      // INVALIDATION_ACK_WAIT_MS: a member that does not answer is about to be removed.
      // Enqueue first: `collecting?.push(enqueue())` would skip the send when nobody collects acks
      // (expiry, eviction, a clear relayed by another member).
      const ack = this.enqueueInvalidation(id, inv, shipped);
      this.collecting?.push(ack);
      this.opts.metrics?.invalidationsSent.inc({ map: inv.map, target: 'member' });
    }
  }

  /** Writes wait for members' invalidation acks at most INVALIDATION_ACK_WAIT_MS (one timer). */
  private readonly invalidationAckWaits = new BoundedWaits<NodeJS.Timeout>(
    INVALIDATION_ACK_WAIT_MS,
    { now: () => performance.now(), setTimeout, clearTimeout },
  );

  /** Invalidations for one member made in one turn of the event loop travel as one request. */
  private readonly invBatches = new Map<
    string,
    {
      items: Invalidation[];
      values: (Buffer | undefined)[];
      done: Promise<void>;
      bounded: Promise<unknown>;
    }
  >();

  private enqueueInvalidation(
    memberId: string,
    inv: Invalidation,
    value: Buffer | undefined,
  ): Promise<unknown> {
    const open = this.invBatches.get(memberId);
    if (open) {
      open.items.push(inv);
      open.values.push(value);
      return open.bounded;
    }
    const batch = {
      items: [inv],
      values: [value],
      done: Promise.resolve(),
      bounded: Promise.resolve() as Promise<unknown>,
    };
    batch.done = new Promise<void>((resolve) => {
      process.nextTick(() => {
        this.invBatches.delete(memberId);
        const channel = this.membership.channelTo(memberId);
        const drop = () => {
          for (const i of batch.items) {
            this.opts.metrics?.invalidationsDropped.inc({ map: i.map, reason: 'disconnected' });
          }
          resolve();
        };
        if (!channel) {
          drop();
          return;
        }
        const t = Date.now();
        const items = batch.items.map((i) => [
          i.map,
          i.partitionId,
          i.sourceUuid,
          i.partitionUuid,
          i.sequence,
          i.key ? 1 : 0,
        ]);
        const keys = batch.items.flatMap((i) => (i.key ? [i.key] : []));
        // Values travel after every key, indexed by item in `vals`: a member that does not know
        // `vals` (older version) reads the keys as before and ignores the rest.
        const vals: number[] = [];
        const values: Buffer[] = [];
        batch.values.forEach((v, n) => {
          if (v && batch.items[n].key) {
            vals.push(n);
            values.push(v);
          }
        });
        const header = { op: 'invs', t, items, ...(vals.length > 0 ? { vals } : {}) };
        channel.request(header, [...keys, ...values], 5000).then(() => resolve(), drop);
      });
    });
    batch.bounded = this.invalidationAckWaits.bound(batch.done);
    this.invBatches.set(memberId, batch);
    return batch.bounded;
  }

  private applyInvalidations(h: Record<string, unknown>, buffers: Buffer[]): void {
    if (!Array.isArray(h.items)) throw new Error('invalidations missing');
    const withValue = valueIndex(h.vals, buffers.length);
    let k = 0;
    let n = 0;
    let v = buffers.length - withValue.size;
    for (const item of h.items as unknown[]) {
      if (!Array.isArray(item) || item.length !== 6) throw new Error('malformed invalidation');
      const [map, p, src, puuid, seq, hasKey] = item as [
        string,
        number,
        string | null,
        string,
        number,
        number,
      ];
      const key = hasKey ? buffers[k++] : undefined;
      const value = withValue.has(n++) && key ? buffers[v++] : undefined;
      this.applyInvalidation({ map, p, src, puuid, seq, t: h.t }, key, value);
    }
  }

  private applyInvalidation(
    h: Record<string, unknown>,
    key: Buffer | undefined,
    value?: Buffer,
  ): void {
    const map = String(h.map);
    const p = Number(h.p);
    const inv: Invalidation = {
      map,
      key: key ?? null,
      partitionId: p,
      sourceUuid: typeof h.src === 'string' ? h.src : null,
      partitionUuid: String(h.puuid),
      sequence: Number(h.seq),
    };
    this.opts.metrics?.invalidationsReceived.inc({ map });
    this.opts.metrics?.invalidationLag.observe(
      { map },
      Math.max(0, Date.now() - Number(h.t)) / 1000,
    );
    const last = this.lastSequence.get(`${map}\0${p}`);
    if (last && last.uuid === inv.partitionUuid && inv.sequence > last.seq + 1) {
      // A gap: some invalidation of this partition never arrived; nothing cached from it is safe.
      this.opts.metrics?.invalidationsDropped.inc({ map, reason: 'sequence_gap' });
      this.nearCache.invalidateMap(map);
    }
    const sameLineage = last !== undefined && last.uuid === inv.partitionUuid;
    if (!sameLineage || inv.sequence > last.seq) {
      this.lastSequence.set(`${map}\0${p}`, { uuid: inv.partitionUuid, seq: inv.sequence });
    }
    // Refresh in place only when this is provably the partition's next change. Otherwise (first
    // one seen, a gap, or an older owner's message arriving late during a migration) a shipped
    // value might be older than one already applied: just drop the key.
    if (inv.key && value && sameLineage && inv.sequence === last.seq + 1) {
      this.nearCache.update(map, inv.key, value);
    } else this.nearCache.invalidate(map, inv.key);
    this.relaying = true;
    try {
      this.hub?.publish(inv);
    } finally {
      this.relaying = false;
    }
  }

  private localMetadata(names: readonly string[]): NearCacheMetadataAnswer {
    const owned = this.current ? partitionsOwnedBy(this.current, this.selfId) : [];
    return (
      this.hub?.sequences.metadata(names, owned) ?? {
        sequences: names.map((n) => [n, []]),
        uuids: [],
      }
    );
  }

  // ---- ClusterView -------------------------------------------------------------------------------

  /**
   * Owners are recomputed synchronously (the invalidation hub asks who owns a partition in the
   * same tick as a write); clients are told on the next turn, once per burst of changes.
   */
  private notifyView(): void {
    this.owners = this.computeOwners();
    if (this.notifyScheduled) return;
    this.notifyScheduled = true;
    setImmediate(() => {
      this.notifyScheduled = false;
      this.owners = this.computeOwners();
      for (const fn of this.viewListeners) fn();
    });
  }

  private computeOwners(): string[] {
    const uuidOf = new Map(this.membership.members().map((m) => [m.id, m.uuid]));
    const self = this.opts.self.uuid;
    return Array.from({ length: this.partitionCount }, (_, p) => {
      const owner = this.current?.replicas[p]?.[0];
      return (owner !== undefined ? uuidOf.get(owner) : undefined) ?? self;
    });
  }

  private createView(): ClusterView {
    const toMember = (m: MemberInfo): ClusterMember => ({
      uuid: m.uuid,
      address: { host: m.host, port: m.port },
    });
    const clusterId = () => this.clusterIdValue;
    return {
      localMember: toMember(this.opts.self),
      get clusterId() {
        return clusterId();
      },
      partitionCount: this.partitionCount,
      members: () => this.membership.members().map(toMember),
      memberListVersion: () => Math.max(1, this.membership.epoch),
      partitionOwners: () =>
        this.owners.length > 0 ? this.owners : (this.owners = this.computeOwners()),
      partitionTableVersion: () => Math.max(1, this.tableVersion),
      onChange: (fn) => {
        this.viewListeners.add(fn);
        return () => this.viewListeners.delete(fn);
      },
      forward: () => Promise.resolve(undefined),
      fetchMetadata: (memberUuid, names) => this.fetchMetadata(memberUuid, names),
    };
  }

  private async fetchMetadata(
    memberUuid: string,
    names: readonly string[],
  ): Promise<NearCacheMetadataAnswer> {
    const member = this.membership.members().find((m) => m.uuid === memberUuid);
    if (!member || member.id === this.selfId) return this.localMetadata(names);
    const channel = this.membership.channelTo(member.id);
    if (!channel) return { sequences: names.map((n) => [n, []]), uuids: [] };
    try {
      const res = await channel.request({ op: 'meta', names: [...names] });
      return res.header.answer as NearCacheMetadataAnswer;
    } catch {
      return { sequences: names.map((n) => [n, []]), uuids: [] };
    }
  }
}

/** Whether the table served is the target (no migration left); false before both exist. */
function tablesEqual(current: PartitionTable | undefined, target: PartitionTable | undefined) {
  if (!current || !target) return false;
  return current.replicas.every((r, p) => r.join() === target.replicas[p].join());
}

/** Items of an `invs` batch whose new value travels with it (validated against the buffers). */
function valueIndex(vals: unknown, buffers: number): Set<number> {
  if (vals === undefined) return new Set();
  if (!Array.isArray(vals) || vals.length > buffers || !vals.every((i) => Number.isInteger(i))) {
    throw new Error('malformed invalidation values');
  }
  return new Set(vals as number[]);
}

/** A UUID-shaped id derived from text (every member derives the same cluster id). */
function uuidFrom(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
