// One jest run for every workspace. TypeScript is compiled by SWC (fast, no type
// check); `npm run typecheck` runs tsc separately before the tests.
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript', tsx: true }, target: 'es2022', transform: { react: { runtime: 'automatic' } } }, module: { type: 'commonjs' } }];

const common = {
  transform: { '^.+\\.(t|j)sx?$': swc },
  moduleNameMapper: { '^@switchboard/shared$': '<rootDir>/../shared/src/index.ts', '^@switchboard/shared/simulators$': '<rootDir>/../shared/src/simulators/index.ts', '^@shared/(.*)$': '<rootDir>/../shared/src/$1' },
  testEnvironment: 'node',
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 30000,
  // One in-memory Azurite for the whole run; each test file works in tables of its own.
  globalSetup: '<rootDir>/shared/test/global-setup.ts',
  globalTeardown: '<rootDir>/shared/test/global-teardown.ts',
  projects: [
    { ...common, displayName: 'shared', rootDir: 'shared', testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'] },
    { ...common, displayName: 'bot', rootDir: 'bot', testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'] },
    { ...common, displayName: 'tab', rootDir: 'tab', testMatch: ['<rootDir>/src/**/*.test.ts'] },
    // The tab in headless Chromium against the real server (see tab/e2e/).
    { ...common, displayName: 'browser', rootDir: 'tab', testMatch: ['<rootDir>/e2e/**/*.e2e.ts'] },
    {
      ...common,
      displayName: 'packaging',
      rootDir: 'appPackage',
      roots: ['<rootDir>', '<rootDir>/../infra'],
      testMatch: ['**/*.test.ts'],
      // @microsoft/app-manifest require()s strip-bom, which ships as ESM only: compile it too.
      transformIgnorePatterns: ['/node_modules/(?!strip-bom/)'],
    },
  ],
};
