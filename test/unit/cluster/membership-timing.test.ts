import { membershipTiming } from '../../../cache-node/src/cluster/service.js';
import { DEFAULT_TIMING } from '../../../cache-node/src/cluster/membership.js';
import { ConfigError, validateConfig } from '../../../cache-node/src/config/index.js';

describe('membershipTiming (member.heartbeatIntervalMillis / failureTimeoutMillis)', () => {
  it('defaults to the documented timing', () => {
    expect(membershipTiming(validateConfig({}).member)).toEqual(DEFAULT_TIMING);
  });

  it('takes a smaller interval and timeout from the config', () => {
    const member = validateConfig({
      member: { heartbeatIntervalMillis: 100, failureTimeoutMillis: 1000 },
    }).member;
    expect(membershipTiming(member)).toEqual({
      heartbeatIntervalMs: 100,
      failureTimeoutMs: 1000,
      reconnectIntervalMs: 100,
      stallThresholdMs: 500,
    });
  });

  it('refuses a timeout shorter than 3 heartbeats, naming both keys', () => {
    const member = validateConfig({
      member: { heartbeatIntervalMillis: 1000, failureTimeoutMillis: 2000 },
    }).member;
    expect(() => membershipTiming(member)).toThrow(
      /member\.failureTimeoutMillis \(2000\) must be at least 3 × member\.heartbeatIntervalMillis \(1000\)/,
    );
  });

  it('rejects values outside the schema bounds', () => {
    expect(() => validateConfig({ member: { failureTimeoutMillis: 10 } })).toThrow(ConfigError);
    expect(() => validateConfig({ member: { heartbeatIntervalMillis: 0 } })).toThrow(ConfigError);
  });
});
