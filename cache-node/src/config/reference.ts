/**
 * Renders the settings reference (a Markdown table) from the schema, so docs/configuration.md
 * is generated rather than written: scripts/gen-config-docs.ts writes it, a unit test fails when
 * the checked-in copy is stale.
 */
import { nodeConfigSchema } from './schema.js';

interface SchemaNode {
  type?: string;
  description?: string;
  default?: unknown;
  enum?: readonly unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  pattern?: string;
  required?: readonly string[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
}

export const REFERENCE_BEGIN = '<!-- BEGIN GENERATED: settings (scripts/gen-config-docs.ts) -->';
export const REFERENCE_END = '<!-- END GENERATED: settings -->';

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function constraints(node: SchemaNode, required: boolean): string {
  const parts: string[] = [];
  if (required) parts.push('required');
  if (node.enum) parts.push(`one of ${node.enum.map((v) => `\`${String(v)}\``).join(', ')}`);
  if (node.minimum !== undefined || node.maximum !== undefined) {
    parts.push(`${node.minimum ?? '…'}–${node.maximum ?? '…'}`);
  }
  if (node.minLength !== undefined && node.minLength > 1) parts.push(`≥ ${node.minLength} chars`);
  if (node.maxLength !== undefined) parts.push(`≤ ${node.maxLength} chars`);
  if (node.maxItems !== undefined) parts.push(`≤ ${node.maxItems} items`);
  if (node.pattern !== undefined) parts.push(`pattern \`${node.pattern}\``);
  return parts.join('; ');
}

function rows(props: Record<string, SchemaNode>, prefix: string, required: readonly string[]) {
  const out: string[] = [];
  for (const [key, node] of Object.entries(props)) {
    const path = `${prefix}${key}`;
    const isObject = node.type === 'object' && node.properties;
    const dflt =
      node.default === undefined || isObject ? '' : `\`${JSON.stringify(node.default)}\``;
    const type = node.type === 'array' ? `array of ${node.items?.type ?? '?'}` : (node.type ?? '');
    out.push(
      `| \`${path}\` | ${type} | ${dflt} | ${cell(constraints(node, required.includes(key)))} | ${cell(node.description ?? '')} |`,
    );
    if (isObject) out.push(...rows(node.properties ?? {}, `${path}.`, node.required ?? []));
    if (node.type === 'array' && node.items?.properties) {
      out.push(...rows(node.items.properties, `${path}[].`, node.items.required ?? []));
    }
  }
  return out;
}

/** The generated block, markers included. */
export function renderConfigReference(): string {
  const schema = nodeConfigSchema as unknown as SchemaNode;
  return [
    REFERENCE_BEGIN,
    // Kept byte-for-byte as generated so the staleness test can compare it exactly.
    '<!-- prettier-ignore-start -->',
    '',
    '| key | type | default | constraints | description |',
    '| --- | --- | --- | --- | --- |',
    ...rows(schema.properties ?? {}, '', []),
    '',
    '<!-- prettier-ignore-end -->',
    REFERENCE_END,
  ].join('\n');
}

/** Replaces the generated block of a document (or appends it when absent). */
export function replaceConfigReference(doc: string): string {
  const begin = doc.indexOf(REFERENCE_BEGIN);
  const end = doc.indexOf(REFERENCE_END);
  if (begin < 0 || end < begin) return `${doc.trimEnd()}\n\n${renderConfigReference()}\n`;
  return doc.slice(0, begin) + renderConfigReference() + doc.slice(end + REFERENCE_END.length);
}
