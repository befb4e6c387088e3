import { readFile } from 'node:fs/promises';
import {
  REFERENCE_BEGIN,
  REFERENCE_END,
  renderConfigReference,
  replaceConfigReference,
} from '../../../cache-node/src/config/reference.js';

describe('docs/configuration.md settings table', () => {
  it('is up to date with the schema (regenerate: npx tsx scripts/gen-config-docs.ts)', async () => {
    const doc = await readFile(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
    expect(doc).toContain(renderConfigReference());
  });

  it('lists nested and list-item keys with their defaults and rules', () => {
    const table = renderConfigReference();
    expect(table).toContain('| `limits.maxValueBytes` | integer | `1048576` | 64–268435456 |');
    expect(table).toContain('| `maps[].name` | string |  | required;');
    expect(table).toContain('one of `tinylfu`, `lru`, `lfu`, `none`');
  });

  it('replaces only the generated block', () => {
    const doc = `# T\n\nintro\n\n${REFERENCE_BEGIN}\nold\n${REFERENCE_END}\n\noutro\n`;
    const out = replaceConfigReference(doc);
    expect(out.startsWith('# T\n\nintro\n\n')).toBe(true);
    expect(out.endsWith('\n\noutro\n')).toBe(true);
    expect(out).not.toContain('\nold\n');
  });
});
