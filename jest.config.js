// Three test tiers, one project each: unit (pure, no sockets), integration (real processes on
// loopback), e2e (real kube-apiserver, Prometheus, helm). ESM throughout, because
// @kubernetes/client-node 1.x is ESM-only.
// tsconfig's isolatedModules makes ts-jest transpile file by file (type checking is `npm run lint`).
const transform = {
  '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
};
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform,
  testEnvironment: 'node',
};

export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
      // One real Kubernetes control plane for the tier (scripts/kube/up.sh); see docs/testing.md.
      globalSetup: '<rootDir>/test/e2e/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/e2e/setup/global-teardown.ts',
    },
  ],
};
