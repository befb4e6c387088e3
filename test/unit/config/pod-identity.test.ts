import { withPodIdentity } from '../../../cache-node/src/config/load.js';
import { validateConfig } from '../../../cache-node/src/config/validate.js';

const podEnv = { POD_NAME: 'catalog-2', POD_IP: '10.1.2.3' };

describe('withPodIdentity', () => {
  test('a pod listening on 0.0.0.0 announces its pod IP and is named after the pod', () => {
    const config = validateConfig({ member: { host: '0.0.0.0', port: 5701 } }, 'test');
    const out = withPodIdentity(config, podEnv);
    expect(out.member.id).toBe('catalog-2');
    expect(out.member.publicAddress).toBe('10.1.2.3:5701');
    expect(config.member.publicAddress).toBeUndefined(); // input untouched
  });

  test('explicit settings in the file win over the pod env', () => {
    const config = validateConfig(
      { member: { host: '0.0.0.0', id: 'fixed', publicAddress: 'cache.example:5701' } },
      'test',
    );
    const out = withPodIdentity(config, podEnv);
    expect(out.member.id).toBe('fixed');
    expect(out.member.publicAddress).toBe('cache.example:5701');
  });

  test('a specific listen address is already public: no publicAddress is invented', () => {
    const config = validateConfig({ member: { host: '127.0.0.5' } }, 'test');
    expect(withPodIdentity(config, podEnv).member.publicAddress).toBeUndefined();
  });

  test('outside a pod nothing changes', () => {
    const config = validateConfig({ member: { host: '0.0.0.0' } }, 'test');
    expect(withPodIdentity(config, {}).member).toEqual(config.member);
  });
});
