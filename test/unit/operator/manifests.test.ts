import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatedManifests } from '../../../operator/src/manifests.js';
import { buildCrd } from '../../../operator/src/api/crd.js';

const root = join(import.meta.dirname, '..', '..', '..');

describe('generated manifests', () => {
  it('crds/ and operator/deploy/ match the generator (run npm run gen:crd when this fails)', async () => {
    for (const { path, content } of await generatedManifests()) {
      expect({ path, content: readFileSync(join(root, path), 'utf8') }).toEqual({ path, content });
    }
  });
});

/** Every node of a structural schema has a type (or preserves unknown fields) and a description. */
function structuralProblems(schema: Record<string, unknown>, path: string): string[] {
  const problems: string[] = [];
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  if (!schema.type && !preserve) problems.push(`${path}: no type`);
  if (!schema.description && path.includes('.spec')) problems.push(`${path}: no description`);
  if (schema.additionalProperties === false) problems.push(`${path}: additionalProperties false`);
  const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  for (const [k, v] of Object.entries(props))
    problems.push(...structuralProblems(v, `${path}.${k}`));
  if (schema.items) problems.push(...structuralProblems(schema.items as never, `${path}[]`));
  return problems;
}

describe('buildCrd', () => {
  const crd = buildCrd();
  const version = crd.spec.versions[0];
  const root = version.schema!.openAPIV3Schema as unknown as Record<string, unknown>;
  const spec = (root.properties as Record<string, Record<string, unknown>>).spec;
  const specProps = spec.properties as Record<string, Record<string, unknown>>;

  it('names the API as the brief says', () => {
    expect(crd.metadata?.name).toBe('metadatacaches.metadatacache.io');
    expect(crd.spec.names).toMatchObject({ kind: 'MetadataCache', shortNames: ['mdc'] });
    expect(crd.spec.scope).toBe('Namespaced');
    expect(version.subresources?.scale?.labelSelectorPath).toBe('.status.selector');
  });

  it('is structural and documented at every spec field', () => {
    expect(structuralProblems(root, '')).toEqual([]);
  });

  it('embeds the node settings and the operator fields in spec', () => {
    for (const k of ['clusterName', 'partitionCount', 'maps', 'invalidation', 'hotKeys']) {
      expect(specProps[k]).toBeDefined();
    }
    for (const k of ['replicas', 'image', 'auth', 'monitoring', 'podDisruptionBudget']) {
      expect(specProps[k]).toBeDefined();
    }
    expect(specProps.backupCount).toMatchObject({ minimum: 0, maximum: 6 });
    expect(specProps.maps).toMatchObject({ 'x-kubernetes-list-map-keys': ['name'] });
  });

  it('makes partitionCount immutable with a transition rule', () => {
    expect(specProps.partitionCount['x-kubernetes-validations']).toEqual([
      expect.objectContaining({ rule: 'self == oldSelf' }),
    ]);
  });
});
