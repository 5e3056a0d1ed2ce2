/**
 * `npm run test:cluster`: the local cluster under load (test/cluster/) — two routers and two instances of every
 * subgraph as separate processes behind nginx, on real PostgreSQL and Redis (DATABASE_URL, REDIS_URL), a database of
 * its own created and dropped. Not part of `npm test` (sixteen processes); skipped without PostgreSQL, Redis or nginx.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testMatch: ['<rootDir>/test/cluster/**/*.test.ts'],
  globalSetup: '<rootDir>/test/faults/global-setup.ts',
  testTimeout: 600_000,
  maxWorkers: 1,
};
