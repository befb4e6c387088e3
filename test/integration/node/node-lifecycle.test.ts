/** startNode in process: service order, stop order, readiness, snapshot, failed starts. */
import { jest } from '@jest/globals';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { validateConfig } from '../../../cache-node/src/config/validate.js';
import { createLogger } from '../../../cache-node/src/log.js';
import { startNode, type NodeContext, type NodeService } from '../../../cache-node/src/node.js';
import { freePort, ProcessGroup } from '../../helpers/processes.js';

jest.setTimeout(30_000);

async function nodeConfig(extra: Record<string, unknown> = {}) {
  return validateConfig({
    member: { host: '127.0.0.1', port: await freePort(), httpPort: await freePort() },
    ...extra,
  });
}

function recorder(
  events: string[],
  name: string,
  ctxSeen?: (ctx: NodeContext) => void,
): NodeService {
  let ctx: NodeContext | undefined;
  return {
    name,
    start(c) {
      ctx = c;
      ctxSeen?.(c);
      events.push(`start ${name} ready=${c.isReady()}`);
      return Promise.resolve();
    },
    drain() {
      events.push(`drain ${name} ready=${ctx?.isReady()}`);
      return Promise.resolve();
    },
    stop() {
      events.push(`stop ${name}`);
      return Promise.resolve();
    },
  };
}

const canBind = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });

describe('startNode', () => {
  const group = new ProcessGroup();
  afterAll(() => group.cleanup());

  it('starts services in order, then drains and stops them in reverse, then saves the snapshot', async () => {
    const dir = await group.tempDir();
    const path = join(dir, 'snap');
    const events: string[] = [];
    const logs: string[] = [];
    const node = await startNode(await nodeConfig({ snapshot: { path } }), {
      services: [recorder(events, 'a'), recorder(events, 'b')],
      processMetrics: false,
      logger: createLogger({ write: (l) => logs.push(l) }),
    });
    expect(events).toEqual(['start a ready=false', 'start b ready=false']);
    expect(node.ctx.isReady()).toBe(true);
    const ready = await fetch(`http://127.0.0.1:${node.httpAddress.port}/readyz`);
    expect(ready.status).toBe(200);

    await Promise.all([node.stop(), node.stop()]);
    expect(events.slice(2)).toEqual([
      'drain b ready=false',
      'drain a ready=false',
      'stop b',
      'stop a',
    ]);
    expect(existsSync(path)).toBe(true);
    expect(logs.some((l) => l.includes('"msg":"snapshot saved"'))).toBe(true);
    expect(await canBind(node.httpAddress.port)).toBe(true);
  });

  it('gives services the config, store, metrics and a map service', async () => {
    let seen: NodeContext | undefined;
    const node = await startNode(
      await nodeConfig({
        member: { id: 'm-1', port: await freePort(), httpPort: await freePort() },
      }),
      {
        services: [recorder([], 'probe', (c) => (seen = c))],
        processMetrics: false,
        logger: createLogger({ write: () => undefined }),
      },
    );
    try {
      expect(seen?.memberId).toBe('m-1');
      expect(seen?.store).toBe(node.ctx.store);
      expect(typeof seen?.mapService.get).toBe('function');
      expect(await seen!.metrics.text()).toContain('metadatacache_ready 1');
    } finally {
      await node.stop();
    }
  });

  it('is ready only while every service says so', async () => {
    let serviceReady = false;
    const gate: NodeService = {
      name: 'gate',
      start: () => Promise.resolve(),
      stop: () => Promise.resolve(),
      isReady: () => serviceReady,
    };
    const node = await startNode(await nodeConfig(), {
      services: [gate],
      processMetrics: false,
      logger: createLogger({ write: () => undefined }),
    });
    try {
      const readyz = () => fetch(`http://127.0.0.1:${node.httpAddress.port}/readyz`);
      expect((await readyz()).status).toBe(503);
      expect(await node.ctx.metrics.text()).toContain('metadatacache_ready 0');
      serviceReady = true;
      expect((await readyz()).status).toBe(200);
      expect(await node.ctx.metrics.text()).toContain('metadatacache_ready 1');
    } finally {
      await node.stop();
    }
  });

  it('releases what it holds when a service fails to start', async () => {
    const config = await nodeConfig();
    const events: string[] = [];
    const failing: NodeService = {
      name: 'failing',
      start: () => Promise.reject(new Error('cannot start')),
      stop: () => Promise.resolve(),
    };
    await expect(
      startNode(config, {
        services: [recorder(events, 'a'), failing],
        processMetrics: false,
        logger: createLogger({ write: () => undefined }),
      }),
    ).rejects.toThrow('cannot start');
    expect(events).toEqual(['start a ready=false', 'stop a']);
    expect(await canBind(config.member.httpPort)).toBe(true);
  });

  it('fails to start when its HTTP port is taken', async () => {
    const config = await nodeConfig();
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(config.member.httpPort, '127.0.0.1', r));
    try {
      await expect(
        startNode(config, {
          processMetrics: false,
          logger: createLogger({ write: () => undefined }),
        }),
      ).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});
