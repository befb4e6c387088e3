/**
 * "Any Hazelcast client works": the official Java client of Hazelcast 5.5.0 (the jar the tools
 * script installs) runs test/fixtures/java/JavaClientCheck.java against 3 members, smart routing
 * and near cache included, and shares entries with the HTTP API.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, expect, it, jest } from '@jest/globals';
import { hazelcastJar, hazelcastUnavailable } from '../conformance/support/targets.js';
import {
  converged,
  describeStates,
  httpGet,
  httpPut,
  TestCluster,
  waitFor,
} from '../cluster/harness.js';

jest.setTimeout(120_000);
const run = promisify(execFile);
const SOURCE = fileURLToPath(new URL('../../fixtures/java/JavaClientCheck.java', import.meta.url));

const cluster = new TestCluster();
let dir = '';
afterAll(async () => {
  await cluster.stopAll();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('the Hazelcast Java client runs IMap and near-cache operations against 3 members', async () => {
  const unavailable = hazelcastUnavailable();
  if (unavailable) throw new Error(`the Java client check needs java and the jar: ${unavailable}`);
  dir = await mkdtemp(join(tmpdir(), 'mdc-java-'));
  const compiling = run('javac', ['-cp', hazelcastJar(), '-d', dir, SOURCE]);
  const members = await cluster.start(3);
  await compiling;
  await waitFor(
    () => converged(cluster, 3),
    20_000,
    () => `convergence: ${describeStates()}`,
  );
  expect(await httpPut(members[1], 'shared', 'fromHttp', 'written over http')).toBe(201);

  const { stdout } = await run(
    'java',
    [
      '-cp',
      `${hazelcastJar()}:${dir}`,
      'JavaClientCheck',
      members.map((m) => `${m.host}:${m.port}`).join(','),
    ],
    { timeout: 90_000 },
  );
  const checks = Object.fromEntries(
    stdout
      .split('\n')
      .filter((l) => l.includes('\t'))
      .map((l) => l.split('\t') as [string, string]),
  );
  expect(checks).toEqual({
    members: '3',
    fromHttp: 'written over http',
    size: '100',
    get: 'v42',
    containsKey: 'true,false',
    putIfAbsent: 'v1,null',
    getAll: '{k1=v1, k2=v2}',
    sizeAfterPutAll: '111', // + new + 10
    remove: 'bv0',
    afterDelete: 'null',
    ttlBefore: 'short',
    nearRead: '1',
    nearAfterWrite: '2',
    nearHits: 'true',
    nearAfterClear: 'null',
    // replace, replace(k, old, new), remove(k, v), tryPut/tryRemove, setTtl and the map-wide
    // reads: 20 entries, o3 and o5 removed.
    replaceMissing: 'null,false',
    replace: 'ov1',
    replaceIfSame: 'false,true',
    removeIfSame: 'false,true',
    tryPutRemove: 'true,true',
    setTtl: 'true,false',
    containsValue: 'true,false',
    keySet: '18,true',
    values: '18,true',
    entrySet: '18,true',
    ttlAfter: 'null',
    sizeAfterEvictAll: '0',
  });
  // What the Java client wrote is read over HTTP on another member (same store, same encoding).
  expect(await httpGet(members[2], 'shared', 'fromJava')).toEqual({
    status: 200,
    body: 'written by java',
  });
});
