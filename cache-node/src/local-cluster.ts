#!/usr/bin/env node
/**
 * `npm start`: a local cluster of N cache nodes on loopback, each its own process running
 * main.js with a generated config. Prints one line per node when it is ready; Ctrl-C or SIGTERM
 * stops every node gracefully (and kills any that hang); exits non-zero if a node fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ConfigError, parseConfigText, validateConfig } from './config/index.js';
import {
  LOCAL_CLUSTER_USAGE,
  localNodeConfig,
  nodeName,
  parseLocalClusterArgs,
  type LocalClusterOptions,
} from './local-cluster-plan.js';

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));
const READY_TIMEOUT_MS = 30_000;
/** Time a node gets beyond its partition hand-off to stop (snapshot write, closing servers). */
const STOP_SLACK_MS = 15_000;

interface LocalNode {
  name: string;
  child: ChildProcess;
  exited: Promise<number>;
}

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

interface Shared {
  /** The shared settings as written (each node validates its own full config). */
  settings: Record<string, unknown>;
  /** How long a node may take to stop before it is killed. */
  stopGraceMs: number;
}

async function sharedSettings(opts: LocalClusterOptions): Promise<Shared> {
  const parsed =
    opts.config === undefined
      ? {}
      : (parseConfigText(await readFile(opts.config, 'utf8'), opts.config) ?? {});
  // Validate the shared part up front: one clear error instead of N failing nodes.
  const config = validateConfig(structuredClone(parsed), opts.config);
  return {
    settings: parsed as Record<string, unknown>,
    stopGraceMs: config.shutdown.handoffTimeoutSeconds * 1000 + STOP_SLACK_MS,
  };
}

function spawnNode(name: string, configFile: string): LocalNode {
  const child = spawn(process.execPath, [MAIN, '--config', configFile], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: process.env,
    // Own process group: a terminal Ctrl-C reaches only this process, which then stops each
    // node once (a node treats a second signal as "exit now").
    detached: true,
  });
  const exited = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
  return { name, child, exited };
}

/** Resolves with the node's HTTP URL on its "ready" log line; rejects if it exits first. */
function whenReady(node: LocalNode, verbose: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${node.name} not ready after ${READY_TIMEOUT_MS} ms`)),
      READY_TIMEOUT_MS,
    );
    const lines = createInterface({ input: node.child.stdout! });
    lines.on('line', (line) => {
      let record: { msg?: unknown; level?: unknown; http?: unknown } = {};
      try {
        record = JSON.parse(line) as typeof record;
      } catch {
        // not a log line: show it as is
      }
      if (verbose || record.level === 'warn' || record.level === 'error' || !record.msg) {
        err(`[${node.name}] ${line}`);
      }
      if (record.msg === 'ready') {
        clearTimeout(timer);
        resolve(String(record.http));
      }
    });
    void node.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${node.name} exited with code ${code} before it was ready`));
    });
  });
}

async function stopAll(nodes: LocalNode[], graceMs: number): Promise<number[]> {
  return Promise.all(
    nodes.map(async (node) => {
      if (node.child.exitCode !== null || node.child.signalCode !== null) return node.exited;
      node.child.kill('SIGTERM');
      const killer = setTimeout(() => {
        err(`${node.name} did not stop within ${graceMs} ms: killing it`);
        node.child.kill('SIGKILL');
      }, graceMs);
      const code = await node.exited;
      clearTimeout(killer);
      return code;
    }),
  );
}

async function run(argv: string[]): Promise<number> {
  let opts: LocalClusterOptions;
  try {
    opts = parseLocalClusterArgs(argv);
  } catch (e) {
    err(`${(e as Error).message}\n\n${LOCAL_CLUSTER_USAGE}`);
    return 2;
  }
  if (opts.help) {
    out(LOCAL_CLUSTER_USAGE);
    return 0;
  }
  let shared: Shared;
  try {
    shared = await sharedSettings(opts);
  } catch (e) {
    err(e instanceof ConfigError ? e.message : `cannot read --config: ${(e as Error).message}`);
    return 2;
  }

  const dir = await mkdtemp(join(tmpdir(), 'metadatacache-local-'));
  if (opts.dataDir !== undefined) await mkdir(opts.dataDir, { recursive: true });
  const nodes: LocalNode[] = [];
  let stopping = false;
  const finish = async (code: number): Promise<number> => {
    stopping = true;
    const codes = await stopAll(nodes, shared.stopGraceMs);
    await rm(dir, { recursive: true, force: true });
    return code !== 0 ? code : codes.some((c) => c !== 0) ? 1 : 0;
  };

  // Detached children do not die with this process: never leave one behind.
  process.once('exit', () => {
    for (const node of nodes) if (node.child.exitCode === null) node.child.kill('SIGKILL');
  });

  const signalled = new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) return;
      out(`${signal}: stopping ${nodes.length} node(s)`);
      resolve(0);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });

  try {
    for (let i = 0; i < opts.nodes; i++) {
      const file = join(dir, `${nodeName(i)}.yaml`);
      // JSON is YAML: no need to serialize twice.
      await writeFile(
        file,
        JSON.stringify(localNodeConfig(shared.settings, i, opts, join), null, 2),
      );
      nodes.push(spawnNode(nodeName(i), file));
    }
    const urls = await Promise.race([
      Promise.all(nodes.map((n) => whenReady(n, opts.verbose))),
      signalled.then(() => undefined),
    ]);
    if (urls === undefined) return await finish(0);
    urls.forEach((url, i) => {
      out(
        `${nodeName(i)} ready  http=${url}  hazelcast=${opts.host}:${opts.port + i}  pid=${nodes[i].child.pid}`,
      );
    });
    out(`local cluster of ${opts.nodes} node(s) ready; Ctrl-C to stop`);
  } catch (e) {
    err(`failed to start: ${(e as Error).message}`);
    return finish(1);
  }

  const firstExit = Promise.race(
    nodes.map((n) => n.exited.then((code) => ({ name: n.name, code }))),
  );
  const outcome = await Promise.race([signalled, firstExit]);
  if (typeof outcome === 'number') return finish(outcome);
  err(`${outcome.name} exited unexpectedly with code ${outcome.code}: stopping the others`);
  return finish(1);
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    err(`fatal: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  },
);
