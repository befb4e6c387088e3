// One control plane for the whole e2e tier: started (or reused) before the first test file and
// handed to every test worker through $METADATACACHE_KUBE_DIR; test/helpers/kube.ts picks it up.
//
// Jest loads this file with Node's own ESM loader, which cannot follow TypeScript imports, so the
// helper is loaded through tsx. Set METADATACACHE_E2E_NO_KUBE=1 to skip it (tests needing it fail).
import { tsImport } from 'tsx/esm/api';
import type { ControlPlaneHandle } from '../../helpers/kube-control-plane.js';

type Helper = typeof import('../../helpers/kube-control-plane.js');

/** Jest shares globalThis (not module instances) between global setup and teardown. */
const handleKey = Symbol.for('metadatacache.e2e.controlPlane');

export default async function globalSetup(): Promise<void> {
  if (process.env.METADATACACHE_E2E_NO_KUBE === '1') return;
  const helper = (await tsImport('../../helpers/kube-control-plane.ts', import.meta.url)) as Helper;
  const started = Date.now();
  const handle = await helper.startOrReuseControlPlane();
  process.env[helper.KUBE_DIR_ENV] = handle.state.stateDir;
  (globalThis as { [handleKey]?: ControlPlaneHandle })[handleKey] = handle;
  const how = handle.owned ? `started in ${Date.now() - started} ms` : 'reused';
  process.stderr.write(`\ne2e: Kubernetes ${handle.state.version} control plane ${how}\n`);
}
