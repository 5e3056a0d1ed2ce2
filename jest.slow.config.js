/**
 * `npm run test:slow`: the suites that start real processes (through tsx or from dist/) rather than servers inside
 * jest — the open platform's two router processes, health and graceful shutdown under SIGTERM, instances starting
 * together on a fresh database, the outbox relay's crash, the entry points' start-up refusals and start-up lines, and
 * the build (`npm run build`, then the compiled entry points). Each process pays seconds of CPU to start, which is most
 * of these files' time: kept out of `npm test` so that it stays under ten minutes on two cores (README, "Tests").
 * Same setup as `npm test` (jest.config.js), one file at a time.
 */
const base = require('./jest.config.js');

/** The files, relative to the project (jest.config.js ignores exactly these). */
const SLOW_TESTS = require('./jest.slow-files.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: SLOW_TESTS.map((file) => `<rootDir>/${file}`),
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 180_000,
  maxWorkers: 1,
};
