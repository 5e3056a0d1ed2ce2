/**
 * The suites `npm run test:slow` runs and `npm test` does not (jest.slow.config.js): each starts real processes.
 * One list, read by both configurations, so a file is in exactly one of them.
 */
module.exports = [
  'test/open-platform.test.ts',
  'test/health-shutdown.test.ts',
  'test/startup-concurrency.test.ts',
  'test/events/relay-crash.test.ts',
  'test/secrets.test.ts',
  'test/modes.test.ts',
  'test/build.test.ts',
  'test/open-alert-instances.test.ts',
];
