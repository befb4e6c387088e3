/**
 * Membership: connects to the members discovery reports, heartbeats them, and keeps the list of
 * members that answer. A member that stops answering for failureTimeoutMs (or whose connection
 * drops) is removed; it rejoins when it answers again. Every member bumps an epoch when its list
 * changes and adopts a peer's higher epoch for the same list, so versions agree and only grow.
 *
 * A member that was stopped (SIGSTOP) long enough to be removed learns it from its first heartbeat
 * answer (`evicted`): its data may be stale, so the cluster drops it and rejoins as a new
 * incarnation.
 */
import type { Channel, Message } from './channel.js';
import type { DiscoveredAddress, Discovery } from './discovery/types.js';
import type { MemberInfo } from './member-info.js';
import { memberPortFor } from './member-info.js';
import {
  adoptEpoch,
  aliveIds,
  epochAfterChange,
  inMinority,
  nextQuorumBase,
  outranks,
  stalled,
  standingOf,
  viewKey,
  type GroupStanding,
} from './membership-rules.js';
import type { ClusterLog, MemberTransport } from './transport.js';

export interface MembershipTiming {
  heartbeatIntervalMs: number;
  failureTimeoutMs: number;
  reconnectIntervalMs: number;
  /** The watchdog ticks every 100 ms; a gap over this means the process was stalled. */
  stallThresholdMs: number;
}

/**
 * Heartbeats every 500 ms; a member silent for 5 s is removed (a killed process is removed at
 * once: its connections close). A stall shorter than the failure timeout but long enough to
 * matter (2.5 s) makes a member re-confirm its membership before serving again. Generous
 * because a loaded 2-core machine delays timers by seconds. The node takes the interval and the
 * timeout from `member.heartbeatIntervalMillis` / `member.failureTimeoutMillis`
 * (`membershipTiming` in service.ts); these are the schema defaults.
 */
export const DEFAULT_TIMING: MembershipTiming = {
  heartbeatIntervalMs: 500,
  failureTimeoutMs: 5000,
  reconnectIntervalMs: 300,
  stallThresholdMs: 2500,
};

export interface MembershipListener {
  /** Members (this one included) or their leaving flags changed. */
  onViewChange(): void;
  /** Only the agreed version moved (same members). */
  onEpoch(): void;
  /**
   * Peers removed this member while it was unreachable, and their group outranks ours: our data
   * can no longer be trusted.
   */
  onEvicted(): void;
}

interface Peer {
  key: string;
  host: string;
  memberPort: number;
  discovered: boolean;
  channel?: Channel;
  info?: MemberInfo;
  connecting: boolean;
  lastHeardAt?: number;
  /** Send time of the latest ping this peer answered without evicting us. */
  confirmedAt?: number;
  lastReport?: Record<string, unknown>;
  leaving: boolean;
}

export interface PingState {
  /** Extra fields the cluster adds to every heartbeat (e.g. established, migration progress). */
  extra(): Record<string, unknown>;
}

export class Membership {
  private readonly peers = new Map<string, Peer>();
  private view: MemberInfo[];
  private viewId: string;
  private leavingIds = new Set<string>();
  epoch = 0;
  /** Changes on every eviction so peers can tell the old, removed self from the new one. */
  incarnation = Math.floor(Math.random() * 0x7fffffff);
  leaving = false;
  private readonly removed = new Map<string, number>();
  private lastTickAt: number;
  private graceUntil = 0;
  private stallAt = 0;
  private suspect = false;
  /** See nextQuorumBase; `viewSince` is when the view last changed. */
  private quorumBase = 1;
  private viewSince: number;
  private minority = false;
  private timers: NodeJS.Timeout[] = [];
  private stopped = false;

  constructor(
    private readonly self: MemberInfo,
    private readonly transport: MemberTransport,
    private readonly discovery: Discovery,
    private readonly timing: MembershipTiming,
    private readonly listener: MembershipListener,
    private readonly state: PingState,
    private readonly log: ClusterLog,
    private readonly now: () => number = Date.now,
  ) {
    this.view = [self];
    this.viewId = viewKey([self.id]);
    this.lastTickAt = now();
    this.viewSince = now();
  }

  start(): void {
    this.discovery.start((addresses) => this.onDiscovered(addresses));
    this.timers.push(
      setInterval(() => this.watchdog(), 100),
      setInterval(() => this.heartbeat(), this.timing.heartbeatIntervalMs),
      setInterval(() => this.reconnect(), this.timing.reconnectIntervalMs),
    );
    for (const t of this.timers) t.unref();
    this.reconnect();
  }

  stop(): void {
    this.stopped = true;
    this.discovery.stop();
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const p of this.peers.values()) p.channel?.close('member stopping');
  }

  /** Members in this member's view, itself included, sorted by id. */
  members(): readonly MemberInfo[] {
    return this.view;
  }

  /** Members that announced a graceful leave (still serving, handing their partitions off). */
  leavingMembers(): ReadonlySet<string> {
    return this.leavingIds;
  }

  /** Our connection to a member, or else its connection to us (both carry requests). */
  channelTo(memberId: string): Channel | undefined {
    for (const p of this.peers.values()) {
      if (p.info?.id === memberId && p.channel?.isOpen) return p.channel;
    }
    return this.transport.inboundFrom(memberId);
  }

  /** Members in the view plus peers connected to us that our view does not list yet. */
  reachableIds(): string[] {
    const ids = new Set(this.view.map((m) => m.id));
    // Not the ones we removed (a stopped process keeps its sockets open but answers nothing).
    for (const id of this.transport.inboundPeers()) if (!this.removed.has(id)) ids.add(id);
    ids.delete(this.self.id);
    return [...ids];
  }

  /** The latest heartbeat report of a member (its `extra()` fields). */
  reportOf(memberId: string): Record<string, unknown> | undefined {
    for (const p of this.peers.values()) if (p.info?.id === memberId) return p.lastReport;
    return undefined;
  }

  /**
   * Whether this member may serve partition data now. False for a while after a stall, until
   * every peer confirmed it still counts this member in (or evicted it, which resets it).
   */
  isTrusted(): boolean {
    return this.servingState() === 'serving';
  }

  /**
   * Why this member may not serve partition data now: after a stall, or in a minority. Asked by
   * every request, so it only reads state: the minority flag changes with the view (refreshMinority).
   */
  servingState(): 'serving' | 'stalled' | 'minority' {
    this.checkStall();
    if (this.suspect) return 'stalled';
    return this.minority ? 'minority' : 'serving';
  }

  /** Recomputes the minority flag after the view or the quorum base changed; logs transitions. */
  private refreshMinority(): void {
    const minority = inMinority(this.view.length, this.quorumBase);
    if (minority === this.minority) return;
    this.minority = minority;
    if (minority) {
      this.log.warn(
        `only ${this.view.length} of the last ${this.quorumBase} members reachable: not serving until a majority is back`,
      );
    } else this.log.info('a majority of members is reachable again; serving');
  }

  /**
   * Lets the quorum base follow a view that has been stable long enough (nextQuorumBase); run by
   * the heartbeat timer. It never changes the minority flag (a minority does not settle).
   */
  private settleQuorum(): void {
    const size = this.view.length;
    this.quorumBase = nextQuorumBase({
      base: this.quorumBase,
      oldSize: size,
      newSize: size,
      leftGracefully: 0,
      stableMs: this.now() - this.viewSince,
      settleMs: 2 * this.timing.failureTimeoutMs,
    });
  }

  /** Runs before anything that judges peers by time: after a stall, our clock jumped, not theirs. */
  private checkStall(): void {
    if (stalled(this.lastTickAt, this.now(), this.timing.stallThresholdMs)) this.onStall();
  }

  /**
   * Every discovered address is connected and has answered a heartbeat (at or after `since`: a
   * member rejoining after an eviction must not count answers from before it).
   */
  allDiscoveredAnswered(since = -Infinity): boolean {
    return [...this.peers.values()]
      .filter((p) => p.discovered)
      .every(
        (p) => p.channel?.isOpen === true && p.lastHeardAt !== undefined && p.lastHeardAt >= since,
      );
  }

  /** Announce a graceful leave: peers stop assigning partitions to this member. */
  announceLeaving(): void {
    this.leaving = true;
    this.heartbeat();
  }

  /** Called by the cluster after an eviction reset: come back as a new incarnation. */
  newIncarnation(): void {
    this.incarnation = (this.incarnation + 1) & 0x7fffffff;
    this.suspect = false;
    // We dropped our data: the peers we removed are not stale to us any more (holding on would
    // ignore their answers, and answer them "evicted", forever).
    this.removed.clear();
    // Data dropped, nothing to protect: judge the majority from the view we rejoin with.
    this.quorumBase = this.view.length;
    this.refreshMinority();
  }

  /** Answers a peer's heartbeat (op 'ping'). */
  answerPing(from: MemberInfo, header: Record<string, unknown>): Message {
    this.notePeerInbound(from);
    const inc = Number(header.inc);
    const removedInc = this.removed.get(from.id);
    if (removedInc !== undefined && removedInc !== inc) this.removed.delete(from.id);
    return { header: { ...this.pingFields(), evicted: removedInc === inc }, buffers: [] };
  }

  /** This member's group as heartbeats report it (see outranks). */
  standing(): GroupStanding {
    return { size: this.view.length, lowestId: this.view[0].id };
  }

  private pingFields(): Record<string, unknown> {
    const standing = this.standing();
    return {
      op: 'ping',
      epoch: this.epoch,
      view: this.viewId,
      inc: this.incarnation,
      leaving: this.leaving,
      size: standing.size,
      lowest: standing.lowestId,
      ...this.state.extra(),
    };
  }

  private onDiscovered(addresses: DiscoveredAddress[]): void {
    const keys = new Set<string>();
    for (const a of addresses) {
      if (a.host === this.self.host && a.port === this.self.port) continue;
      const memberPort = memberPortFor(a.port);
      const key = `${a.host}:${memberPort}`;
      keys.add(key);
      const p = this.peers.get(key);
      if (p) p.discovered = true;
      else
        this.peers.set(key, {
          key,
          host: a.host,
          memberPort,
          discovered: true,
          connecting: false,
          leaving: false,
        });
    }
    for (const p of this.peers.values()) if (!keys.has(p.key)) p.discovered = false;
    this.reconnect();
  }

  /** A peer said hello to us: make sure we connect back even if discovery has not listed it yet. */
  private notePeerInbound(from: MemberInfo): void {
    const key = `${from.host}:${from.memberPort}`;
    if (!this.peers.has(key) && from.id !== this.self.id) {
      this.peers.set(key, {
        key,
        host: from.host,
        memberPort: from.memberPort,
        discovered: false,
        connecting: false,
        leaving: false,
      });
      this.reconnect();
    }
  }

  private reconnect(): void {
    if (this.stopped) return;
    for (const p of this.peers.values()) {
      if (p.connecting || p.channel?.isOpen) continue;
      // Forget undiscovered peers once they are gone; keep retrying discovered ones.
      if (!p.discovered && p.info && p.lastHeardAt !== undefined) {
        if (this.now() - p.lastHeardAt > this.timing.failureTimeoutMs) continue;
      }
      p.connecting = true;
      this.transport
        .connect(p.host, p.memberPort)
        .then(({ peer, channel }) => {
          p.connecting = false;
          if (this.stopped || peer.id === this.self.id) {
            channel.close(this.stopped ? 'member stopping' : 'connected to itself');
            return;
          }
          p.channel = channel;
          p.info = peer;
          channel.handlers!.onClose = () => this.recompute();
          this.pingPeer(p);
        })
        .catch(() => {
          p.connecting = false;
        });
    }
  }

  private heartbeat(): void {
    if (this.stopped) return;
    this.checkStall();
    this.settleQuorum();
    for (const p of this.peers.values()) if (p.channel?.isOpen) this.pingPeer(p);
    this.recompute();
  }

  private pingPeer(p: Peer): void {
    const channel = p.channel!;
    const sentAt = this.now();
    channel
      .request(this.pingFields(), [], this.timing.failureTimeoutMs)
      .then((res) => this.onPingAnswer(p, res.header, sentAt))
      .catch(() => undefined);
  }

  private onPingAnswer(p: Peer, h: Record<string, unknown>, sentAt: number): void {
    if (h.evicted === true) {
      // Both sides of a healed network partition removed each other, so both hear "evicted".
      // Only the lower-ranked group resets; a stalled member always does (its view is stale).
      const theirs = standingOf(h);
      if (!this.suspect && theirs && outranks(this.standing(), theirs)) {
        this.log.info(
          `member ${p.info?.id ?? p.key} removed this member too; our group outranks its group, so it rejoins`,
        );
        return;
      }
      this.log.warn(
        `member ${p.info?.id ?? p.key} removed this member while it was unreachable; rejoining`,
      );
      this.listener.onEvicted();
      return;
    }
    const inc = Number(h.inc);
    if (p.info && this.removed.get(p.info.id) === inc) return; // the removed incarnation: ignore
    if (p.info) this.removed.delete(p.info.id);
    p.lastHeardAt = this.now();
    p.confirmedAt = sentAt;
    p.lastReport = h;
    p.leaving = h.leaving === true;
    const adopted = adoptEpoch(this.epoch, this.viewId, String(h.view), Number(h.epoch));
    if (adopted !== this.epoch) {
      this.epoch = adopted;
      this.listener.onEpoch();
    }
    // Only answers to pings sent after the stall count: older ones predate any eviction.
    if (this.suspect && this.allPeersAnsweredSince(this.stallAt)) {
      this.suspect = false;
      this.log.info('every peer answered after a stall; serving again');
    }
    this.recompute();
  }

  private allPeersAnsweredSince(t: number): boolean {
    return this.view.every(
      (m) =>
        m.id === this.self.id ||
        [...this.peers.values()].some((p) => p.info?.id === m.id && (p.confirmedAt ?? -1) >= t),
    );
  }

  private watchdog(): void {
    this.checkStall();
    this.lastTickAt = this.now();
  }

  private onStall(): void {
    const now = this.now();
    this.lastTickAt = now;
    // Our clock jumped, not theirs: give peers a full timeout before judging them, and stop
    // serving until they confirm we are still a member.
    this.graceUntil = now + this.timing.failureTimeoutMs;
    this.stallAt = now;
    if (this.view.length > 1) {
      this.suspect = true;
      this.log.warn(
        'member was stalled (stopped or blocked); not serving until peers confirm membership',
      );
    }
    this.heartbeat();
  }

  private recompute(): void {
    if (this.stopped) return;
    this.checkStall();
    const now = this.now();
    const observations = [...this.peers.values()]
      .filter((p) => p.info)
      .map((p) => ({
        id: p.info!.id,
        connected: p.channel?.isOpen === true,
        lastHeardAt: now < this.graceUntil && p.lastHeardAt !== undefined ? now : p.lastHeardAt,
      }));
    const alive = new Set(aliveIds(observations, now, this.timing.failureTimeoutMs));
    const infos = new Map<string, MemberInfo>([[this.self.id, this.self]]);
    const leaving = new Set<string>(this.leaving ? [this.self.id] : []);
    for (const p of this.peers.values()) {
      if (p.info && alive.has(p.info.id)) {
        infos.set(p.info.id, p.info);
        if (p.leaving) leaving.add(p.info.id);
      }
    }
    const ids = [...infos.keys()].sort();
    const nextView = viewKey(ids);
    const leavingChanged = viewKey([...leaving]) !== viewKey([...this.leavingIds]);
    if (nextView === this.viewId && !leavingChanged) return;
    const stale: Channel[] = [];
    if (nextView !== this.viewId) {
      for (const m of this.view) {
        if (!infos.has(m.id)) {
          const peer = [...this.peers.values()].find((p) => p.info?.id === m.id);
          const inc = Number(peer?.lastReport?.inc);
          if (Number.isFinite(inc)) this.removed.set(m.id, inc);
          // A connection that carried no answer for the failure timeout may be one the network
          // dropped silently (a partition): TCP would keep it "open" and retransmit into it with
          // backoff long after the network heals. Dial afresh instead.
          if (peer?.channel?.isOpen) stale.push(peer.channel);
          // Its connection to us too: what it sent into the cut (backups of writes it took just
          // before) would otherwise be delivered by TCP after the heal and overwrite newer data.
          const inbound = this.transport.inboundFrom(m.id);
          if (inbound?.isOpen) stale.push(inbound);
          this.log.warn(`member ${m.id} left the view (no heartbeat answer or connection lost)`);
        }
      }
      const highest = Math.max(
        0,
        ...[...this.peers.values()].map((p) => Number(p.lastReport?.epoch) || 0),
      );
      this.epoch = epochAfterChange(this.epoch, highest);
    }
    if (nextView !== this.viewId) {
      const now = this.now();
      this.quorumBase = nextQuorumBase({
        base: this.quorumBase,
        oldSize: this.view.length,
        newSize: ids.length,
        leftGracefully: this.view.filter((m) => !infos.has(m.id) && this.leavingIds.has(m.id))
          .length,
        stableMs: now - this.viewSince,
        settleMs: 2 * this.timing.failureTimeoutMs,
      });
      this.viewSince = now;
    }
    this.view = ids.map((id) => infos.get(id)!);
    this.viewId = nextView;
    this.leavingIds = leaving;
    this.listener.onViewChange();
    this.refreshMinority();
    // After the view is updated: closing runs onClose, which recomputes (now a no-op).
    for (const c of stale) c.close('no heartbeat answer within the failure timeout');
  }
}
