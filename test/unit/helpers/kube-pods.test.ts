import type * as k8s from '@kubernetes/client-node';
import { idlePodIP, runningPodStatus, testPodIP } from '../../helpers/kube-pods.js';

const now = new Date('2026-01-02T03:04:05Z');

function pod(containers: string[], status?: k8s.V1PodStatus): k8s.V1Pod {
  return {
    metadata: { name: 'web-0' },
    spec: { containers: containers.map((name) => ({ name, image: `img/${name}:1` })) },
    status,
  };
}

describe('runningPodStatus (the test kubelet)', () => {
  test('a ready pod is Running with its IP, every condition True and every container ready', () => {
    const status = runningPodStatus(pod(['main', 'sidecar']), { podIP: '192.0.2.7', now });

    expect(status.phase).toBe('Running');
    expect(status.podIP).toBe('192.0.2.7');
    expect(status.podIPs).toEqual([{ ip: '192.0.2.7' }]);
    expect(status.conditions?.map((c) => [c.type, c.status])).toEqual([
      ['PodScheduled', 'True'],
      ['Initialized', 'True'],
      ['ContainersReady', 'True'],
      ['Ready', 'True'],
    ]);
    expect(status.containerStatuses?.map((c) => [c.name, c.image, c.ready])).toEqual([
      ['main', 'img/main:1', true],
      ['sidecar', 'img/sidecar:1', true],
    ]);
    expect(status.startTime).toEqual(now);
  });

  test('an unready pod runs but reports Ready and ContainersReady False', () => {
    const status = runningPodStatus(pod(['main']), { podIP: '192.0.2.8', ready: false, now });

    const byType = new Map(status.conditions?.map((c) => [c.type, c.status]));
    expect(byType.get('Ready')).toBe('False');
    expect(byType.get('ContainersReady')).toBe('False');
    expect(byType.get('PodScheduled')).toBe('True');
    expect(status.containerStatuses?.[0].ready).toBe(false);
    expect(status.containerStatuses?.[0].state?.running?.startedAt).toEqual(now);
  });

  test('keeps the original start time and other status fields', () => {
    const started = new Date('2025-12-31T00:00:00Z');
    const status = runningPodStatus(pod(['main'], { startTime: started, qosClass: 'BestEffort' }), {
      podIP: '192.0.2.9',
      now,
    });

    expect(status.startTime).toEqual(started);
    expect(status.qosClass).toBe('BestEffort');
    expect(status.conditions?.every((c) => c.lastTransitionTime === now)).toBe(true);
  });
});

describe('testPodIP', () => {
  test('uses the pod network of netns-run when there is one', () => {
    expect(testPodIP(0, '198.18.0.0/24')).toBe('198.18.0.10');
    expect(testPodIP(5, '198.18.7.0/24')).toBe('198.18.7.15');
  });

  test('falls back to loopback without a pod network', () => {
    expect(testPodIP(0, undefined)).toBe('127.0.0.10');
    expect(testPodIP(239, '')).toBe('127.0.0.249');
  });

  test('refuses indexes outside the /24 and malformed networks', () => {
    expect(() => testPodIP(240, undefined)).toThrow(RangeError);
    expect(() => testPodIP(-1, undefined)).toThrow(RangeError);
    expect(() => testPodIP(0, '10.0.0.0/16')).toThrow(/IPv4 \/24/);
  });
});

describe('idlePodIP', () => {
  test('spreads pods over the idle /16 of netns-run, 250 per /24, never .0', () => {
    expect(idlePodIP(0, '198.19.0.0/16')).toBe('198.19.0.1');
    expect(idlePodIP(249, '198.19.0.0/16')).toBe('198.19.0.250');
    expect(idlePodIP(250, '198.19.0.0/16')).toBe('198.19.1.1');
    expect(idlePodIP(62_499, '198.19.0.0/16')).toBe('198.19.249.250');
  });

  test('falls back to loopback without an idle network', () => {
    expect(idlePodIP(1000, undefined)).toBe('127.1.4.1');
  });

  test('refuses indexes beyond the range and malformed networks', () => {
    expect(() => idlePodIP(62_500, undefined)).toThrow(RangeError);
    expect(() => idlePodIP(0, '198.19.0.0/24')).toThrow(/IPv4 \/16/);
  });
});
