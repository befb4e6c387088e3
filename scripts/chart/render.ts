/**
 * Every file `npm run gen:chart` writes: path (from the repo root) → content, formatted as
 * prettier would (so `prettier --check` agrees). Pure but for reads.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { parse } from 'yaml';
import { clusterRules, leaderElectionRules } from '../../operator/src/rbac.js';
import { renderCrdTemplate } from './crd-template.js';
import { renderRbacRules } from './rbac-template.js';
import { renderValuesDoc } from './values-doc.js';
import { buildValuesSchema } from './values-schema.js';

export const CHART = 'charts/metadata-cache-operator';

interface CrdDoc {
  spec: {
    versions: { schema: { openAPIV3Schema: { properties: { spec: Record<string, unknown> } } } }[];
  };
}

export async function renderChartFiles(root: string): Promise<Map<string, string>> {
  const crdYaml = readFileSync(join(root, 'crds/metadatacache.yaml'), 'utf8');
  const crd = parse(crdYaml) as CrdDoc;
  const specSchema = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec;
  const schema = buildValuesSchema(specSchema);
  const values = parse(readFileSync(join(root, CHART, 'values.yaml'), 'utf8')) as unknown;
  const options = (await resolveConfig(join(root, 'package.json'))) ?? {};
  return new Map([
    [`${CHART}/templates/crd.yaml`, renderCrdTemplate(crdYaml)],
    [`${CHART}/templates/_rbac-rules.tpl`, renderRbacRules(clusterRules, leaderElectionRules)],
    [
      `${CHART}/values.schema.json`,
      await format(JSON.stringify(schema), { ...options, parser: 'json' }),
    ],
    [
      'docs/helm-values.md',
      await format(renderValuesDoc(schema, values), { ...options, parser: 'markdown' }),
    ],
  ]);
}
