/**
 * The operator survives its apiserver restarting (every watch dies with it) on a private control
 * plane, so other test files are not disturbed: a resource created afterwards is reconciled.
 */
import { jest } from '@jest/globals';
import { startKube, waitFor, type Kube } from '../../helpers/kube.js';
import { cacheYaml, installCrd, maybeGet, startOperator, type OperatorProcess } from './harness.js';

jest.setTimeout(120_000);

let kube: Kube;
let op: OperatorProcess | undefined;
let ns: string;

beforeAll(async () => {
  kube = await startKube({ dedicated: true });
  await installCrd(kube);
  ns = await kube.createNamespace('mdc-restart');
  // A short stale-watch limit also exercises the watchdog's restarts while the test runs.
  op = await startOperator(kube, ns, { extraArgs: ['--stale-watch-seconds', '20'] });
}, 180_000);

afterAll(async () => {
  await op?.stop();
  await kube?.stop();
}, 60_000);

it('reconciles resources created after an apiserver restart', async () => {
  await kube.kubectl(['-n', ns, 'apply', '-f', '-'], {
    input: cacheYaml('before', { replicas: 1 }),
  });
  await waitFor('before reconciled', () => maybeGet(kube, ['-n', ns, 'get', 'sts', 'before']));
  await kube.restartApiserver();
  await kube.kubectl(['-n', ns, 'apply', '-f', '-'], {
    input: cacheYaml('after', { replicas: 1 }),
  });
  await waitFor('after reconciled', () => maybeGet(kube, ['-n', ns, 'get', 'sts', 'after']), {
    timeoutMs: 60_000,
  });
  // A child deleted behind the operator's back is recreated (its watch is live again).
  await kube.kubectl(['-n', ns, 'delete', 'configmap', 'after-config']);
  await waitFor('configmap recreated', () =>
    maybeGet(kube, ['-n', ns, 'get', 'configmap', 'after-config']),
  );
  expect(op!.proc.exitCode).toBeNull();
  // The dead watches were noticed and rebuilt, not left silently stopped.
  expect(op!.logs.join('')).toMatch(/informer \w+ restarted/);
});
