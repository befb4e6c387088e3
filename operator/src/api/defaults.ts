/**
 * Validate and default a spec with the same schema the CRD is generated from (ajv). The apiserver
 * defaults and validates too; doing it here means the builders never see a partial spec, even
 * from a unit test or an apiserver that lacks the newest CRD.
 */
import { Ajv, type ErrorObject } from 'ajv';
import { specSchema } from './spec-schema.js';
import type { MetadataCache, MetadataCacheResource, MetadataCacheSpec } from './types.js';

const ajv = new Ajv({ useDefaults: true, allErrors: true, strict: false });
const validateSpec = ajv.compile<MetadataCacheSpec>(specSchema);

export class InvalidSpecError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid spec: ${problems.join('; ')}`);
    this.name = 'InvalidSpecError';
  }
}

function describe(e: ErrorObject): string {
  const path = e.instancePath ? `spec${e.instancePath.replaceAll('/', '.')}` : 'spec';
  return `${path} ${e.message ?? 'is invalid'}`;
}

/** Returns a defaulted copy of the resource, or throws InvalidSpecError naming every bad field. */
export function normalize(resource: MetadataCacheResource): MetadataCache {
  const { name, namespace } = resource.metadata;
  if (!name || !namespace) throw new InvalidSpecError(['metadata.name and namespace are required']);
  const spec = structuredClone(resource.spec ?? {});
  if (!validateSpec(spec)) {
    throw new InvalidSpecError((validateSpec.errors ?? []).map(describe));
  }
  const names = new Set<string>();
  for (const m of spec.maps) {
    if (names.has(m.name)) throw new InvalidSpecError([`spec.maps: duplicate name "${m.name}"`]);
    names.add(m.name);
  }
  return {
    metadata: { ...resource.metadata, name, namespace },
    spec,
    ...(resource.status ? { status: resource.status } : {}),
  };
}
