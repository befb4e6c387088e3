/**
 * Writes the generated manifests: crds/metadatacache.yaml (from the JSON schemas) and
 * operator/deploy/rbac.yaml (from operator/src/rbac.ts). `npm run gen:crd`; `--check` exits 1
 * when a checked-in file differs instead of writing it.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedManifests } from '../operator/src/manifests.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
let stale = 0;
for (const { path, content } of await generatedManifests()) {
  const file = join(root, path);
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    // Missing counts as stale.
  }
  if (current === content) continue;
  if (check) {
    console.error(`${path} is stale: run npm run gen:crd`);
    stale++;
  } else {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
    console.log(`wrote ${path}`);
  }
}
process.exit(stale ? 1 : 0);
