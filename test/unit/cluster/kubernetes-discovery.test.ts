import { jest } from '@jest/globals';
import type { V1EndpointSlice } from '@kubernetes/client-node';
import {
  kubernetesDiscovery,
  readyEndpoints,
  type SliceInformer,
} from '../../../cache-node/src/cluster/discovery/kubernetes.js';
import type { DiscoveredAddress } from '../../../cache-node/src/cluster/discovery/types.js';

const slice = (
  name: string,
  endpoints: { ip: string; ready?: boolean }[],
  addressType = 'IPv4',
): V1EndpointSlice => ({
  metadata: { name, namespace: 'ns' },
  addressType,
  endpoints: endpoints.map((e) => ({
    addresses: [e.ip],
    ...(e.ready === undefined ? {} : { conditions: { ready: e.ready } }),
  })),
});

/** A fake ListWatch: holds slices, fires the handlers the discovery registered. */
class FakeInformer implements SliceInformer {
  slices: V1EndpointSlice[] = [];
  private readonly handlers = new Map<string, ((arg?: unknown) => void)[]>();
  starts = 0;
  on(verb: 'add' | 'update' | 'delete', cb: (obj: V1EndpointSlice) => void): void;
  on(verb: 'error', cb: (err?: unknown) => void): void;
  on(verb: string, cb: ((obj: V1EndpointSlice) => void) | ((err?: unknown) => void)): void {
    this.handlers.set(verb, [...(this.handlers.get(verb) ?? []), cb as (arg?: unknown) => void]);
  }
  list() {
    return this.slices;
  }
  start() {
    this.starts++;
    return Promise.resolve();
  }
  stop() {
    return Promise.resolve();
  }
  emit(verb: string, arg?: unknown) {
    for (const h of this.handlers.get(verb) ?? []) h(arg);
  }
}

describe('readyEndpoints', () => {
  it('lists ready endpoints of every slice (nil ready counts as ready)', () => {
    const got = readyEndpoints(
      [
        slice('a', [
          { ip: '10.0.0.1', ready: true },
          { ip: '10.0.0.2', ready: false },
        ]),
        slice('b', [{ ip: '10.0.0.3' }]),
        slice('c', [{ ip: 'x' }], 'FQDN'),
      ],
      5701,
    );
    expect(got).toEqual([
      { host: '10.0.0.1', port: 5701 },
      { host: '10.0.0.3', port: 5701 },
    ]);
  });
});

describe('kubernetesDiscovery', () => {
  it('reports the ready members on every change, once per distinct list', async () => {
    const informer = new FakeInformer();
    const seen: DiscoveredAddress[][] = [];
    const d = kubernetesDiscovery({ namespace: 'ns', service: 'svc', port: 5701, informer });
    d.start((a) => seen.push(a));
    await new Promise((r) => setImmediate(r));
    informer.slices = [slice('a', [{ ip: '10.0.0.1' }])];
    informer.emit('add', informer.slices[0]);
    informer.emit('update', informer.slices[0]);
    informer.slices = [slice('a', [{ ip: '10.0.0.1' }, { ip: '10.0.0.2', ready: false }])];
    informer.emit('update', informer.slices[0]);
    informer.slices = [slice('a', [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }])];
    informer.emit('update', informer.slices[0]);
    d.stop();
    expect(seen.map((s) => s.map((a) => a.host))).toEqual([
      [],
      ['10.0.0.1'],
      ['10.0.0.1', '10.0.0.2'],
    ]);
  });

  it('restarts the informer after a watch error', () => {
    jest.useFakeTimers();
    try {
      const informer = new FakeInformer();
      const errors: Error[] = [];
      const d = kubernetesDiscovery({
        namespace: 'ns',
        service: 'svc',
        port: 5701,
        informer,
        restartDelayMs: 1000,
        onError: (e) => errors.push(e),
      });
      d.start(() => undefined);
      expect(informer.starts).toBe(1);
      informer.emit('error', new Error('watch ended'));
      jest.advanceTimersByTime(999);
      expect(informer.starts).toBe(1);
      jest.advanceTimersByTime(1);
      expect(informer.starts).toBe(2);
      expect(errors.map((e) => e.message)).toEqual(['watch ended']);
      d.stop();
    } finally {
      jest.useRealTimers();
    }
  });
});
