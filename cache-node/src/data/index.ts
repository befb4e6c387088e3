export * from './data.js';
export { murmur3 } from './murmur.js';
