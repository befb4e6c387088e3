#!/usr/bin/env node
/**
 * One cache node: `metadatacache-node --config FILE.yaml`. Exit codes: 0 after a graceful stop,
 * 2 for a bad config or bad arguments, 1 when the node fails to start or to stop.
 */
import { parseArgs } from 'node:util';
import { ConfigError } from './config/validate.js';
import { loadConfig } from './config/load.js';
import { createLogger } from './log.js';
import { startNode, type CacheNode } from './node.js';

const USAGE = `Usage: metadatacache-node --config FILE.yaml

Starts one MetadataCache member. Settings: docs/configuration.md. Credentials may also come from
METADATACACHE_USERNAME, METADATACACHE_PASSWORD and METADATACACHE_TOKEN.
SIGTERM or SIGINT stops it gracefully (snapshot saved when configured).`;

function usageError(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values: { config?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (err) {
    usageError((err as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (values.config === undefined) usageError('--config is required');

  let config;
  try {
    config = await loadConfig(values.config, process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }

  const logger = createLogger({ level: config.logLevel });
  let node: CacheNode;
  try {
    node = await startNode(config, { logger });
  } catch (err) {
    logger.error('failed to start', { err });
    process.exit(1);
  }

  let signals = 0;
  const shutdown = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      logger.warn('second signal: exiting without a graceful stop', { signal });
      process.exit(1);
    }
    logger.info('signal received', { signal });
    node.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('stop failed', { err });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);

  const { address, port } = node.httpAddress;
  logger.info('ready', {
    http: `http://${address}:${port}`,
    hazelcast: `${config.member.host}:${config.member.port}`,
    clusterName: config.clusterName,
    pid: process.pid,
  });
}

main().catch((err: unknown) => {
  process.stderr.write(
    `fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
