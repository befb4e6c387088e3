export * from './schema.js';
export type * from './types.js';
export * from './validate.js';
export * from './load.js';
export { renderConfigReference } from './reference.js';
export * from './map-names.js';
