#!/usr/bin/env node
/**
 * The MetadataCache operator. Flags:
 *   --http-host 0.0.0.0 --http-port 8081   /healthz, /readyz, /metrics
 *   --leader-elect true|false              Lease election (default true)
 *   --lease-namespace NS --lease-name NAME  where the Lease lives (default $POD_NAMESPACE or
 *                                           metadatacache-system, metadatacache-operator)
 *   --id NAME                              this replica's identity (default $POD_NAME or host-pid)
 *   --watch-namespace NS                   reconcile one namespace only (default: all)
 *   --stale-watch-seconds 300              restart an informer that heard nothing this long
 *   --concurrency 4 --resync-seconds 300 --lease-seconds 15 --retry-ms 2000
 * The kubeconfig comes from $KUBECONFIG, ~/.kube/config or the in-cluster service account.
 */
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { Controller } from './controller.js';
import { startHttp } from './http.js';
import { KeepAliveKubeConfig } from './kube/keepalive-config.js';
import { LeaderElector } from './kube/leader.js';
import { realTimers } from './kube/timers.js';
import { OPERATOR_NAME, OPERATOR_NAMESPACE } from './manifests.js';
import { createMetrics } from './metrics.js';

const log = (msg: string) => console.log(`${new Date().toISOString()} ${msg}`);

function intFlag(value: string | undefined, name: string, dflt: number): number {
  if (value === undefined) return dflt;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'http-host': { type: 'string', default: '0.0.0.0' },
      'http-port': { type: 'string' },
      'leader-elect': { type: 'string', default: 'true' },
      'lease-namespace': { type: 'string' },
      'lease-name': { type: 'string', default: OPERATOR_NAME },
      id: { type: 'string' },
      concurrency: { type: 'string' },
      'watch-namespace': { type: 'string' },
      'stale-watch-seconds': { type: 'string' },
      'resync-seconds': { type: 'string' },
      'lease-seconds': { type: 'string' },
      'retry-ms': { type: 'string' },
    },
  });
  const kc = new KeepAliveKubeConfig();
  kc.loadFromDefault();
  const metrics = createMetrics();
  const identity = values.id ?? process.env.POD_NAME ?? `${hostname()}-${process.pid}`;
  const controller = new Controller({
    kc,
    metrics,
    timers: realTimers,
    concurrency: intFlag(values.concurrency, 'concurrency', 4),
    resyncMs: intFlag(values['resync-seconds'], 'resync-seconds', 300) * 1000,
    staleWatchMs: intFlag(values['stale-watch-seconds'], 'stale-watch-seconds', 300) * 1000,
    ...(values['watch-namespace'] ? { namespace: values['watch-namespace'] } : {}),
    log,
  });
  let leading = false;
  const electionOn = values['leader-elect'] !== 'false';
  const server = await startHttp(
    values['http-host'],
    intFlag(values['http-port'], 'http-port', 8081),
    metrics.registry,
    // A follower is ready (it stands by); a leader once its caches are synced.
    { ready: () => !leading || controller.synced },
  );
  const lead = () => {
    leading = true;
    metrics.leader.set(1);
    log(`${identity} is the leader: starting the controller`);
    controller.start().catch((err: unknown) => log(`controller start failed: ${String(err)}`));
  };
  const elector = electionOn
    ? new LeaderElector({
        kc,
        namespace: values['lease-namespace'] ?? process.env.POD_NAMESPACE ?? OPERATOR_NAMESPACE,
        name: values['lease-name'],
        identity,
        timers: realTimers,
        leaseDurationSeconds: intFlag(values['lease-seconds'], 'lease-seconds', 15),
        retryPeriodMs: intFlag(values['retry-ms'], 'retry-ms', 2000),
        onStartedLeading: lead,
        onStoppedLeading: () => {
          // Another replica may already be reconciling: stop at once and let a restart rejoin.
          log(`${identity} lost the Lease: exiting`);
          metrics.leader.set(0);
          process.exit(1);
        },
        log,
      })
    : undefined;
  if (elector) {
    log(`${identity} campaigning for the Lease`);
    elector.start();
  } else {
    lead();
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: shutting down`);
    await controller.stop();
    await elector?.stop();
    metrics.leader.set(0);
    server.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
