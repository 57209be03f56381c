/**
 * One Jest run for the whole suite. The global setup (test/harness/global-setup.ts) makes sure
 * the real services are up (Temporal dev server, PostgreSQL test database, Redis, Cal.com emulator,
 * SMTP sink) and exports their addresses through env; suites connect to them, never start their own.
 * Suites run serially (--runInBand from scripts/test.mjs): they share one Temporal server and one
 * database, and the machine has 2 cores.
 */
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/.data/', '/.tools/', '/dist/'],
  modulePathIgnorePatterns: ['<rootDir>/.data/', '<rootDir>/.tools/', '<rootDir>/dist/'],
  globalSetup: '<rootDir>/test/harness/global-setup.ts',
  globalTeardown: '<rootDir>/test/harness/global-teardown.ts',
  testTimeout: 60_000,
};
