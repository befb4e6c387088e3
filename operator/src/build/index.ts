/** Every desired child of a MetadataCache, built by pure functions. */
export * from './configmap.js';
export * from './discovery-rbac.js';
export * from './hash.js';
export * from './names.js';
export * from './node-config.js';
export * from './pdb.js';
export * from './secret.js';
export * from './servicemonitor.js';
export * from './services.js';
export * from './statefulset.js';
