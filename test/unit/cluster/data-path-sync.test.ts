import { describe, expect, it } from '@jest/globals';
import { ClusteredMapService, type Routing } from '../../../cache-node/src/cluster/data-path.js';
import { ClusterUnavailableError } from '../../../cache-node/src/cluster/errors.js';
import { MemberNearCache } from '../../../cache-node/src/cluster/member-near-cache.js';
import { encodeString, keyFromString, partitionIdOf } from '../../../cache-node/src/data/index.js';
import { SYNC_UNAVAILABLE } from '../../../cache-node/src/service/map-service.js';
import { makeStore } from '../store/helpers.js';

const PARTITIONS = 271; // makeStore's partition count

function setup(localPartitions: (p: number) => boolean, ready = true) {
  const { store } = makeStore([], { undeclaredMaps: 'allow' });
  // Only what getSync consults; the rest would mean it did I/O.
  const unexpected = () => {
    throw new Error('getSync must not route');
  };
  const routing = {
    selfId: 'me',
    partitionCount: PARTITIONS,
    assertReady: () => {
      if (!ready) throw new ClusterUnavailableError('joining');
    },
    servesReadLocally: localPartitions,
    stable: () => true,
    ownerOf: unexpected,
    channelTo: unexpected,
  } as unknown as Routing; // a partial fake: the other members are never called here
  const nearCache = new MemberNearCache(100);
  const svc = new ClusteredMapService(store, routing, nearCache, {
    backupMode: 'sync',
    backupTimeoutMs: 1000,
    onBackupFailure: () => undefined,
  });
  return { store, svc, nearCache };
}

describe('ClusteredMapService.getSync', () => {
  const key = keyFromString('inode-42');
  const p = partitionIdOf(key, PARTITIONS);

  it('answers reads of partitions this member serves from its store', () => {
    const { store, svc } = setup((q) => q === p);
    expect(svc.getSync('m', key)).toBeUndefined();
    store.map('m')!.set(key, encodeString('v'));
    expect(svc.getSync('m', key)).toEqual(encodeString('v'));
  });

  it('declines keys owned elsewhere, so the caller routes them', () => {
    const { svc } = setup(() => false);
    expect(svc.getSync('m', key)).toBe(SYNC_UNAVAILABLE);
  });

  it('throws the cluster error while the member cannot serve', () => {
    const { svc } = setup(() => true, false);
    expect(() => svc.getSync('m', key)).toThrow(ClusterUnavailableError);
  });
});

describe('ClusteredMapService.get', () => {
  const key = keyFromString('inode-7');

  it('answers from the member near cache for keys owned elsewhere', async () => {
    const { svc, nearCache } = setup(() => false);
    nearCache.complete('m', key, nearCache.reserve('m', key), encodeString('cached'));
    expect(await svc.get('m', key)).toEqual(encodeString('cached'));
  });

  it('refuses even cached keys while the member cannot serve (resumed from a stall)', async () => {
    const { svc, nearCache } = setup(() => false, false);
    nearCache.complete('m', key, nearCache.reserve('m', key), encodeString('cached'));
    await expect(svc.get('m', key)).rejects.toThrow(ClusterUnavailableError);
  });
});
