/**
 * `npm run test:faults`: the fault tests (test/faults/), with services as separate processes on real PostgreSQL and
 * Redis (DATABASE_URL, REDIS_URL). Not part of `npm test`. One file at a time: each starts a whole shop (seven
 * processes) and stops, kills or delays parts of it; two at once would measure the machine, not the shop.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testMatch: ['<rootDir>/test/faults/**/*.test.ts'],
  globalSetup: '<rootDir>/test/faults/global-setup.ts',
  testTimeout: 300_000,
  maxWorkers: 1,
};
