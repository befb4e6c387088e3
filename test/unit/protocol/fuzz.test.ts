import { describe, expect, it } from '@jest/globals';
import { fuzzDecoder } from '../../../cache-node/src/protocol/fuzz.js';

describe('frame decoder fuzzing', () => {
  it('survives 300 000 random and mutated frames with bounded memory', () => {
    const maxFrameBytes = 4096;
    const r = fuzzDecoder({ frames: 300_000, seed: 0xc0ffee, maxFrameBytes });
    expect(r.frames).toBe(300_000);
    // Both paths exercised: good messages decoded and bad input refused.
    expect(r.messages).toBeGreaterThan(100_000);
    expect(r.violations).toBeGreaterThan(1_000);
    // Pending bytes never exceed one frame plus one message in progress.
    expect(r.maxHeldBytes).toBeLessThanOrEqual(maxFrameBytes + 4 * maxFrameBytes);
  }, 60_000);
});
