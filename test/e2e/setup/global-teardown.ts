// Stops the tier's control plane if the global setup started it (a reused one keeps running).
import type { ControlPlaneHandle } from '../../helpers/kube-control-plane.js';

const handleKey = Symbol.for('metadatacache.e2e.controlPlane');

export default async function globalTeardown(): Promise<void> {
  const holder = globalThis as { [handleKey]?: ControlPlaneHandle };
  const handle = holder[handleKey];
  delete holder[handleKey];
  await handle?.stop();
}
