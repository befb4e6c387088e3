/** Pure planning for `npm start`: flags → one config object per local node. */
import { parseArgs } from 'node:util';

export interface LocalClusterOptions {
  nodes: number;
  /** Binary-protocol port of node 0; node i uses port + i. */
  port: number;
  /** HTTP port of node 0; node i uses httpPort + i. */
  httpPort: number;
  host: string;
  /** Shared settings file (YAML), merged under the generated member/discovery settings. */
  config?: string;
  /** Where node i keeps its snapshot (node-i.snapshot); omit for no snapshots. */
  dataDir?: string;
  /** Forward every node log line (default: warnings and errors only). */
  verbose: boolean;
  help: boolean;
}

export const LOCAL_CLUSTER_USAGE = `Usage: npm start -- [--nodes N] [--port P] [--http-port H] [--config FILE] [--data-dir DIR] [--verbose]

Starts N cache nodes on ${'127.0.0.1'}, each its own process:
  --nodes N       number of nodes (default 3, at most 64)
  --port P        node i serves the Hazelcast protocol on P+i (default 5701)
  --http-port H   node i serves HTTP on H+i (default 8080)
  --config FILE   shared settings (YAML, docs/configuration.md); member and discovery are generated
  --data-dir DIR  keep snapshots in DIR/node-i.snapshot, so a restart starts warm
  --verbose       print every node log line (default: warnings and errors)
Ctrl-C or SIGTERM stops every node gracefully.`;

function intFlag(name: string, value: string | undefined, dflt: number, min: number, max: number) {
  if (value === undefined) return dflt;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new Error(`--${name} must be a whole number from ${min} to ${max} (got "${value}")`);
  }
  return Number(value);
}

/** Throws an Error with a usage message for bad flags. */
export function parseLocalClusterArgs(argv: string[]): LocalClusterOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      nodes: { type: 'string' },
      port: { type: 'string' },
      'http-port': { type: 'string' },
      host: { type: 'string' },
      config: { type: 'string' },
      'data-dir': { type: 'string' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const nodes = intFlag('nodes', values.nodes, 3, 1, 64);
  const port = intFlag('port', values.port, 5701, 1, 65535 - nodes + 1);
  const httpPort = intFlag('http-port', values['http-port'], 8080, 1, 65535 - nodes + 1);
  if (port < httpPort + nodes && httpPort < port + nodes) {
    throw new Error('--port and --http-port ranges overlap');
  }
  return {
    nodes,
    port,
    httpPort,
    host: values.host ?? '127.0.0.1',
    ...(values.config !== undefined ? { config: values.config } : {}),
    ...(values['data-dir'] !== undefined ? { dataDir: values['data-dir'] } : {}),
    verbose: values.verbose,
    help: values.help,
  };
}

export const nodeName = (i: number) => `node-${i}`;

/**
 * The config of node i: the shared settings, with this member's addresses, static discovery of
 * every local member and (with a data dir) its snapshot file. Validated later by the node itself.
 */
export function localNodeConfig(
  shared: Record<string, unknown>,
  i: number,
  opts: Pick<LocalClusterOptions, 'nodes' | 'port' | 'httpPort' | 'host' | 'dataDir'>,
  joinPath: (dir: string, file: string) => string,
): Record<string, unknown> {
  const members = Array.from({ length: opts.nodes }, (_, j) => `${opts.host}:${opts.port + j}`);
  const sharedMember = (shared.member ?? {}) as Record<string, unknown>;
  const sharedSnapshot = (shared.snapshot ?? {}) as Record<string, unknown>;
  return {
    ...shared,
    member: {
      ...sharedMember,
      id: nodeName(i),
      host: opts.host,
      port: opts.port + i,
      httpPort: opts.httpPort + i,
    },
    discovery: { mode: 'static', members },
    ...(opts.dataDir !== undefined
      ? { snapshot: { ...sharedSnapshot, path: joinPath(opts.dataDir, `${nodeName(i)}.snapshot`) } }
      : {}),
  };
}
