/**
 * A real Prometheus (Debian's) on a loopback port, scraping static targets every second, for the
 * live dashboard test. Labels that Kubernetes relabelling would add (namespace, cache, pod) are
 * static target labels here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePortRange } from './ports.js';

export interface Target {
  job: string;
  address: string;
  labels: Record<string, string>;
}

export interface Sample {
  metric: Record<string, string>;
  values: [number, string][];
}

export interface Prometheus {
  url: string;
  /** Instant query; returns the result vector. */
  query(
    expr: string,
    time?: number,
  ): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  queryRange(expr: string, start: number, end: number, stepSeconds: number): Promise<Sample[]>;
  stop(): Promise<void>;
}

const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? 'prometheus';

export function scrapeConfig(targets: Target[]): string {
  const jobs = [...new Set(targets.map((t) => t.job))];
  return stringify({
    global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    scrape_configs: jobs.map((job) => ({
      job_name: job,
      static_configs: targets
        .filter((t) => t.job === job)
        .map((t) => ({ targets: [t.address], labels: t.labels })),
    })),
  });
}

async function api<T>(url: string): Promise<T> {
  const res = await fetch(url);
  const body = (await res.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`${url}: ${body.error ?? res.status}`);
  return body.data;
}

export async function startPrometheus(targets: Target[]): Promise<Prometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'mdc-prometheus-'));
  const port = await freePortRange(1);
  await writeFile(join(dir, 'prometheus.yml'), scrapeConfig(targets));
  const child: ChildProcess = spawn(
    PROMETHEUS_BIN,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      // Never the default 0.0.0.0: loopback only.
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited: ${stderr}`);
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus not ready after 20 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    query: (expr, time) =>
      api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(
        `${url}/api/v1/query?query=${encodeURIComponent(expr)}${time ? `&time=${time}` : ''}`,
      ).then((d) => d.result),
    queryRange: (expr, start, end, step) =>
      api<{ result: Sample[] }>(
        `${url}/api/v1/query_range?query=${encodeURIComponent(expr)}&start=${start}&end=${end}&step=${step}`,
      ).then((d) => d.result),
    stop,
  };
}
