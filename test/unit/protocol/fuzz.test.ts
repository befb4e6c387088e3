import { describe, expect, it } from '@jest/globals';
import { fuzzDecoder } from '../../../cache-node/src/protocol/fuzz.js';

/** `PROTOCOL_FUZZ_FRAMES=5000000 PROTOCOL_FUZZ_SEED=7 npm run test:unit -- …` for a longer run. */
const FRAMES = Number(process.env.PROTOCOL_FUZZ_FRAMES ?? 300_000);
const SEED = Number(process.env.PROTOCOL_FUZZ_SEED ?? 0xc0ffee);

describe('frame decoder fuzzing', () => {
  it(
    `survives ${FRAMES} random and mutated frames with bounded memory`,
    () => {
      const maxFrameBytes = 4096;
      const r = fuzzDecoder({ frames: FRAMES, seed: SEED, maxFrameBytes });
      expect(r.frames).toBe(FRAMES);
      // Both paths exercised: good messages decoded and bad input refused.
      expect(r.messages).toBeGreaterThan(FRAMES / 3);
      expect(r.violations).toBeGreaterThan(FRAMES / 300);
      // Pending bytes never exceed one frame plus one message in progress.
      expect(r.maxHeldBytes).toBeLessThanOrEqual(maxFrameBytes + 4 * maxFrameBytes);
    },
    60_000 + FRAMES / 10,
  );
});
