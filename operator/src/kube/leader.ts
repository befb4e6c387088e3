/**
 * Lease leader election (coordination.k8s.io/v1), so two operator replicas can run and only one
 * reconciles. The decision is pure (decideLease); the loop reads and writes the Lease with
 * optimistic concurrency (resourceVersion), so two candidates cannot both win a takeover.
 */
import * as k8s from '@kubernetes/client-node';
import { apiStatusOf } from '../reconcile/reconciler.js';
import type { Timers } from './timers.js';

export interface LeaseView {
  holder: string | undefined;
  renewTimeMs: number | undefined;
  durationSeconds: number;
}

export type LeaseAction = 'create' | 'renew' | 'takeover' | 'follow';

export function decideLease(lease: LeaseView | undefined, me: string, nowMs: number): LeaseAction {
  if (!lease) return 'create';
  if (lease.holder === me) return 'renew';
  const expired =
    !lease.holder ||
    lease.renewTimeMs === undefined ||
    nowMs > lease.renewTimeMs + lease.durationSeconds * 1000;
  return expired ? 'takeover' : 'follow';
}

export interface LeaderElectorOptions {
  kc: k8s.KubeConfig;
  namespace: string;
  name: string;
  identity: string;
  timers: Timers;
  leaseDurationSeconds?: number;
  retryPeriodMs?: number;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
  log?: (msg: string) => void;
}

export class LeaderElector {
  private readonly api: k8s.CoordinationV1Api;
  private leading = false;
  private lastRenewMs = 0;
  private timer: unknown;
  private stopped = false;

  constructor(private readonly o: LeaderElectorOptions) {
    this.api = o.kc.makeApiClient(k8s.CoordinationV1Api);
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    void this.tick();
  }

  /** Stops campaigning; a leader gives the Lease up so another replica takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.o.timers.clearTimeout(this.timer);
    if (!this.leading) return;
    this.leading = false;
    try {
      const lease = await this.api.readNamespacedLease({
        namespace: this.o.namespace,
        name: this.o.name,
      });
      if (lease.spec?.holderIdentity === this.o.identity) {
        lease.spec.holderIdentity = undefined;
        lease.spec.leaseDurationSeconds = 1;
        await this.api.replaceNamespacedLease({
          namespace: this.o.namespace,
          name: this.o.name,
          body: lease,
        });
      }
    } catch {
      // Best effort: the Lease expires anyway.
    }
  }

  private get durationSeconds(): number {
    return this.o.leaseDurationSeconds ?? 15;
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const now = this.o.timers.now();
    try {
      await this.attempt(now);
    } catch (err) {
      this.o.log?.(`leader election: ${err instanceof Error ? err.message : String(err)}`);
    }
    // A leader that could not renew within the lease duration must assume it lost the Lease.
    if (this.leading && this.o.timers.now() - this.lastRenewMs > this.durationSeconds * 1000) {
      this.leading = false;
      this.o.onStoppedLeading();
    }
    if (!this.stopped) {
      this.timer = this.o.timers.setTimeout(() => void this.tick(), this.o.retryPeriodMs ?? 2000);
    }
  }

  private async attempt(now: number): Promise<void> {
    const { namespace, name, identity } = this.o;
    let lease: k8s.V1Lease | undefined;
    try {
      lease = await this.api.readNamespacedLease({ namespace, name });
    } catch (err) {
      if (apiStatusOf(err) !== 404) throw err;
    }
    const view: LeaseView | undefined = lease && {
      holder: lease.spec?.holderIdentity ?? undefined,
      renewTimeMs: lease.spec?.renewTime ? new Date(lease.spec.renewTime).getTime() : undefined,
      durationSeconds: lease.spec?.leaseDurationSeconds ?? this.durationSeconds,
    };
    const action = decideLease(view, identity, now);
    if (action === 'follow') {
      if (this.leading) {
        this.leading = false;
        this.o.onStoppedLeading();
      }
      return;
    }
    const stamp = new k8s.V1MicroTime(now);
    const spec: k8s.V1LeaseSpec = {
      ...(lease?.spec ?? {}),
      holderIdentity: identity,
      leaseDurationSeconds: this.durationSeconds,
      renewTime: stamp,
      ...(action !== 'renew' ? { acquireTime: stamp } : {}),
      ...(action === 'takeover'
        ? { leaseTransitions: (lease?.spec?.leaseTransitions ?? 0) + 1 }
        : {}),
    };
    try {
      if (action === 'create') {
        await this.api.createNamespacedLease({
          namespace,
          body: { metadata: { name, namespace }, spec },
        });
      } else {
        await this.api.replaceNamespacedLease({ namespace, name, body: { ...lease, spec } });
      }
    } catch (err) {
      // 409: someone else wrote first; we follow until the next round.
      if (apiStatusOf(err) === 409) return;
      throw err;
    }
    this.lastRenewMs = now;
    if (!this.leading) {
      this.leading = true;
      this.o.onStartedLeading();
    }
  }
}
