/**
 * `npm run test:browser`: the client apps (storefront, console) driven end to end in headless Chromium (Debian's
 * `/usr/bin/chromium` through playwright-core; never a downloaded browser) against a whole supergraph on ephemeral
 * ports. Not part of `npm test`. Screenshots go to `artifacts/screenshots/` (BROWSER_ARTIFACTS_DIR), which CI keeps.
 * One file at a time: each starts a shop and a browser.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testMatch: ['<rootDir>/test/browser/**/*.test.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 180_000,
  maxWorkers: 1,
};
