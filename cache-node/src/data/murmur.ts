/**
 * MurmurHash3 x86 32-bit, as the Hazelcast clients compute it for partitioning: seed 0x01000193,
 * over the payload of a serialized Data (bytes from offset 8), result as a signed int32.
 */
const SEED = 0x01000193;
const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

export function murmur3(bytes: Uint8Array, start = 0, end = bytes.length, seed = SEED): number {
  let h = seed | 0;
  const len = end - start;
  const blockEnd = start + (len & ~3);
  for (let i = start; i < blockEnd; i += 4) {
    let k = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  // Tail: up to three trailing bytes, little-endian.
  const tail = len & 3;
  if (tail > 0) {
    let k = bytes[blockEnd];
    if (tail > 1) k |= bytes[blockEnd + 1] << 8;
    if (tail > 2) k |= bytes[blockEnd + 2] << 16;
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
  }
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}
