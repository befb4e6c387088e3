/**
 * Shared by the typed-array hash tables of the store (entry-index.ts, hot-keys.ts): linear
 * probing over an Int32Array of tags, where a tag is `hash + 1` (0 = empty) and the slot array
 * beside it holds the values.
 */

/**
 * Empties slot `i` by backward-shift deletion: each later member of the probe run whose home slot
 * is not cyclically in (i, j] moves into the hole, until the run ends. No tombstones, so probe
 * lengths do not degrade under churn.
 */
export function removeAt<T>(
  tags: Int32Array,
  slots: (T | undefined)[],
  mask: number,
  i: number,
): void {
  for (;;) {
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      if (tags[j] === 0) {
        tags[i] = 0;
        slots[i] = undefined;
        return;
      }
      const home = (tags[j] - 1) & mask;
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (!stays) break;
    }
    tags[i] = tags[j];
    slots[i] = slots[j];
    i = j;
  }
}
