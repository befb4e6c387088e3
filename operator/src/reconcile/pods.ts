/** Facts about member pods that the decisions need, extracted once from V1Pod objects. */
import type { V1Pod } from '@kubernetes/client-node';

export interface PodFacts {
  name: string;
  ordinal: number;
  ready: boolean;
  terminating: boolean;
  revision: string | undefined;
  podIP: string | undefined;
}

/** StatefulSet pods are `<set>-<ordinal>`; anything else is not ours. */
export function ordinalOf(setName: string, podName: string): number | undefined {
  if (!podName.startsWith(`${setName}-`)) return undefined;
  const rest = podName.slice(setName.length + 1);
  return /^(0|[1-9][0-9]*)$/.test(rest) ? Number(rest) : undefined;
}

export function podFacts(setName: string, pods: readonly V1Pod[]): PodFacts[] {
  const out: PodFacts[] = [];
  for (const pod of pods) {
    const name = pod.metadata?.name ?? '';
    const ordinal = ordinalOf(setName, name);
    if (ordinal === undefined) continue;
    const readyCondition = pod.status?.conditions?.find((c) => c.type === 'Ready');
    out.push({
      name,
      ordinal,
      ready: readyCondition?.status === 'True' && !pod.metadata?.deletionTimestamp,
      terminating: pod.metadata?.deletionTimestamp !== undefined,
      revision: pod.metadata?.labels?.['controller-revision-hash'],
      podIP: pod.status?.podIP,
    });
  }
  return out.sort((a, b) => a.ordinal - b.ordinal);
}
