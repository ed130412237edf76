/**
 * The platform's own test suite (npm test runs it after bringing the services up).
 * The hidden grader suites under graders/<exercise>/ are NOT collected here: they run inside
 * the tester container against learner apps (see graders/harness/).
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/graders/harness'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/test/fixtures/'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', diagnostics: false }],
  },
  testTimeout: 60_000,
  maxWorkers: 2,
  // Docker-heavy suites share one engine and two cores: a slow one is not a hung one.
  slowTestThreshold: 30,
};
