// Preloaded into cluster members by `cluster-invalidation --probe` (node --import): event-loop
// delay and GC pauses of the member, printed as one JSON line on stderr at each SIGUSR2 and then
// reset, so the benchmark can read them per phase. With MDC_PROBE_PROFILE_DIR set, it also
// CPU-profiles each phase (between two SIGUSR2) into that directory, without the start-up.
// Plain JavaScript: members run without tsx.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

const profileDir = process.env.MDC_PROBE_PROFILE_DIR;
const session = profileDir ? new Session() : undefined;
let phase = 0;
if (session) {
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 200 });
}

/** Ends the running phase's profile (if any), starts the next one, then calls `done`. */
function nextProfile(done) {
  if (!session) {
    done();
    return;
  }
  const n = phase++;
  session.post('Profiler.stop', (err, res) => {
    if (!err && res && n > 0) {
      writeFileSync(
        join(profileDir, `member-${process.pid}-phase${n}.cpuprofile`),
        JSON.stringify(res.profile),
      );
    }
    session.post('Profiler.start');
    done();
  });
}

const delay = monitorEventLoopDelay({ resolution: 5 });
delay.enable();
let gcPauses = [];
let majorGcs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcPauses.push(e.duration);
    if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majorGcs++;
  }
}).observe({ entryTypes: ['gc'] });

const ms = (ns) => Number((ns / 1e6).toFixed(3));

process.on('SIGUSR2', () => {
  const line = figures();
  delay.reset();
  gcPauses = [];
  majorGcs = 0;
  nextProfile(() => process.stderr.write(line));
});

function figures() {
  const sorted = gcPauses.sort((a, b) => a - b);
  const total = sorted.reduce((s, d) => s + d, 0);
  return `${JSON.stringify({
    probe: 'member',
    loopDelayMs: {
      p50: ms(delay.percentile(50)),
      p99: ms(delay.percentile(99)),
      max: ms(delay.max),
    },
    gc: {
      count: sorted.length,
      major: majorGcs,
      totalMs: Number(total.toFixed(2)),
      maxMs: Number((sorted[sorted.length - 1] ?? 0).toFixed(2)),
    },
  })}\n`;
}
