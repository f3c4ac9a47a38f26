/**
 * `npm run test:browser`: the explorer in Debian's headless Chromium (test/browser/). Kept out
 * of `npm test` because it needs the chromium package, which `npm ci` cannot install;
 * .ci/run installs it and runs both. Each file starts its own server and embedded PostgreSQL.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/browser'],
  testMatch: ['**/*.browser.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', diagnostics: false }] },
  testTimeout: 60_000,
  maxWorkers: 1,
};
