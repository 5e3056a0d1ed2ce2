/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/subgraphs/**/*.test.ts', '<rootDir>/router/**/*.test.ts'],
  // The fault tests (`npm run test:faults`, jest.faults.config.js) and the cluster test (`npm run test:cluster`) run
  // separately: whole shops of processes, minutes each; so do the browser tests (`npm run test:browser`). So do the suites that start processes of their own
  // (`npm run test:slow`, jest.slow.config.js, the list in jest.slow-files.js).
  testPathIgnorePatterns: [
    '/node_modules/',
    '<rootDir>/test/faults/',
    '<rootDir>/test/cluster/',
    // The browser tests (`npm run test:browser`, jest.browser.config.js): a shop and Chromium each.
    '<rootDir>/test/browser/',
    ...require('./jest.slow-files.js').map((file) => `<rootDir>/${file.replace(/\./g, '\\.')}$`),
  ],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60_000,
  // Without REDIS_URL the event bus lives in each process, while every test worker shares the run's one database:
  // one worker's outbox relay could publish another worker's events on its own bus, where nobody listens. One worker
  // then (as in `npm start`, one process); with Redis every process shares the bus.
  maxWorkers: process.env.REDIS_URL ? 2 : 1,
  // Tests start real servers; close them in afterAll, and fail loudly rather than hang.
  forceExit: false,
};
