/** Regenerates the settings table of docs/configuration.md from the schema: `npx tsx scripts/gen-config-docs.ts`. */
import { readFile, writeFile } from 'node:fs/promises';
import { replaceConfigReference } from '../cache-node/src/config/reference.js';

const file = new URL('../docs/configuration.md', import.meta.url);
const before = await readFile(file, 'utf8').catch(() => '# Configuration\n');
const after = replaceConfigReference(before);
if (after !== before) await writeFile(file, after);
console.log(
  after === before ? 'docs/configuration.md is up to date' : 'docs/configuration.md updated',
);
