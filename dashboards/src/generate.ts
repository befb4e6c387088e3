/** `npm run gen:dashboards`: writes the dashboards JSON and alert rules (see render.ts). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderAll } from './render.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
for (const [path, content] of renderAll()) {
  const file = join(root, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
  console.log(`wrote ${path}`);
}
