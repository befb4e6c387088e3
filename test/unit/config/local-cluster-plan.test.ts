import {
  localNodeConfig,
  parseLocalClusterArgs,
} from '../../../cache-node/src/local-cluster-plan.js';
import { validateConfig } from '../../../cache-node/src/config/validate.js';

const join = (dir: string, file: string) => `${dir}/${file}`;

describe('parseLocalClusterArgs', () => {
  it('defaults to 3 nodes on 5701 and 8080', () => {
    expect(parseLocalClusterArgs([])).toEqual({
      nodes: 3,
      port: 5701,
      httpPort: 8080,
      host: '127.0.0.1',
      verbose: false,
      help: false,
    });
  });

  it('reads every flag', () => {
    expect(
      parseLocalClusterArgs([
        '--nodes=5',
        '--port',
        '6000',
        '--http-port',
        '9000',
        '--config',
        'c.yaml',
        '--data-dir',
        '/d',
        '--verbose',
      ]),
    ).toMatchObject({
      nodes: 5,
      port: 6000,
      httpPort: 9000,
      config: 'c.yaml',
      dataDir: '/d',
      verbose: true,
    });
  });

  it.each([
    [['--nodes', '0'], '--nodes must be a whole number from 1 to 64'],
    [['--nodes', 'x'], '--nodes must be a whole number'],
    [['--port', '65535', '--nodes', '3'], '--port must be a whole number from 1 to 65533'],
    [['--port', '8080', '--http-port', '8081'], '--port and --http-port ranges overlap'],
    [['--colour'], "Unknown option '--colour'"],
  ])('refuses %j', (argv, message) => {
    expect(() => parseLocalClusterArgs(argv)).toThrow(message);
  });
});

describe('localNodeConfig', () => {
  const opts = { nodes: 3, port: 5701, httpPort: 8080, host: '127.0.0.1' };

  it('gives node i its ports and every member in static discovery', () => {
    const config = localNodeConfig({}, 2, opts, join);
    expect(config).toEqual({
      member: { id: 'node-2', host: '127.0.0.1', port: 5703, httpPort: 8082 },
      discovery: {
        mode: 'static',
        members: ['127.0.0.1:5701', '127.0.0.1:5702', '127.0.0.1:5703'],
      },
    });
    expect(() => validateConfig(config)).not.toThrow();
  });

  it('keeps shared settings and places the snapshot in the data dir', () => {
    const shared = {
      clusterName: 'local',
      maps: [{ name: 'users' }],
      member: { zone: 'a', port: 1 },
      snapshot: { saveOnShutdown: true },
    };
    const config = localNodeConfig(shared, 0, { ...opts, dataDir: '/data' }, join);
    expect(config).toMatchObject({
      clusterName: 'local',
      maps: [{ name: 'users' }],
      member: { zone: 'a', port: 5701 },
      snapshot: { saveOnShutdown: true, path: '/data/node-0.snapshot' },
    });
    expect(shared.member.port).toBe(1);
  });
});
