/**
 * `npm run gen:chart`: writes the chart's generated files (CRD template, RBAC rules,
 * values.schema.json) and docs/helm-values.md; see scripts/chart/render.ts.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderChartFiles } from './chart/render.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
for (const [path, content] of await renderChartFiles(root)) {
  writeFileSync(join(root, path), content);
  console.log(`wrote ${path}`);
}
