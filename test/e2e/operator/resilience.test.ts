/**
 * The operator survives its apiserver restarting (every watch dies with it) on a private control
 * plane, so other test files are not disturbed: a resource created afterwards is reconciled.
 */
import { jest } from '@jest/globals';
import { waitFor, type Kube } from '../../helpers/kube.js';
import { cacheYaml, maybeGet, setUpOperatorTest, type OperatorTest } from './harness.js';

jest.setTimeout(120_000);

let t: OperatorTest | undefined;
let kube: Kube;
let ns: string;

beforeAll(async () => {
  t = await setUpOperatorTest('mdc-restart', {
    dedicated: true,
    // A short stale-watch limit also exercises the watchdog's restarts while the test runs.
    operator: { extraArgs: ['--stale-watch-seconds', '20'] },
  });
  ({ kube, ns } = t);
}, 180_000);

afterAll(() => t?.stop(), 60_000);

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
  expect(t!.op!.proc.exitCode).toBeNull();
  // The dead watches were noticed and rebuilt, not left silently stopped.
  expect(t!.op!.logs.join('')).toMatch(/informer \w+ restarted/);
});
