import { readFile } from 'node:fs/promises';
import { createNodeMetrics } from '../../../cache-node/src/metrics.js';
import { startHarness } from './harness.js';

/** Metric names of the "Cache node" table in docs/metrics.md. */
async function documentedNodeMetrics(): Promise<string[]> {
  const doc = await readFile(new URL('../../../docs/metrics.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf('## Cache node'), doc.indexOf('## Operator'));
  return [...section.matchAll(/^\| `(metadatacache_[a-z_]+)`/gm)].map((m) => m[1]);
}

describe('node metrics', () => {
  it('defines every metric of docs/metrics.md "Cache node", and only those', async () => {
    const h = await startHarness();
    try {
      const documented = await documentedNodeMetrics();
      expect(documented.length).toBeGreaterThan(20);
      const defined = (await h.metrics.registry.getMetricsAsJSON())
        .map((m) => m.name)
        .filter((n) => n.startsWith('metadatacache_'));
      expect(defined.sort()).toEqual([...documented].sort());
    } finally {
      await h.close();
    }
  });

  it('keeps nodes apart: each has its own registry', async () => {
    const a = await startHarness();
    const b = await startHarness();
    try {
      a.metrics.protocolErrors.inc({ reason: 'bad_preamble' });
      expect(await a.metrics.text()).toContain(
        'metadatacache_protocol_errors_total{reason="bad_preamble"} 1',
      );
      expect(await b.metrics.text()).not.toContain('reason="bad_preamble"');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('includes process metrics unless turned off', async () => {
    const h = await startHarness();
    try {
      const withProcess = createNodeMetrics({ store: h.store });
      expect(await withProcess.text()).toContain('process_cpu_user_seconds_total');
      expect(await h.metrics.text()).not.toContain('process_cpu_user_seconds_total');
    } finally {
      await h.close();
    }
  });
});
