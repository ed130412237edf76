/**
 * The platform's own test suite, in three tiers (Jest projects; `scripts/test.ts --tier` picks one):
 *   unit         no service at all: pure code, temporary folders, loopback servers the test starts
 *   integration  the real PostgreSQL, Redis and Docker engine (and the sandbox images)
 *   e2e          everything at once, through the web form or a real browser
 * A test file belongs to exactly one tier (test/unit/testTiers.test.ts checks it).
 * The hidden grader suites under graders/<exercise>/ are NOT collected here: they run inside
 * the tester container against learner apps (see graders/harness/).
 */
const shared = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', diagnostics: false }],
  },
  testTimeout: 60_000,
  // Docker-heavy suites share one engine and two cores: a slow one is not a hung one.
  slowTestThreshold: 30,
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 60_000,
  maxWorkers: 2,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      roots: ['<rootDir>/test/unit', '<rootDir>/graders/harness'],
      testMatch: [
        '<rootDir>/test/unit/**/*.test.ts',
        '<rootDir>/graders/harness/*.test.ts',
        // Counts statements on a real PostgreSQL with pg_stat_statements.
        '!**/graders/harness/statementCounter.test.ts',
      ],
    },
    {
      ...shared,
      displayName: 'integration',
      roots: ['<rootDir>/test', '<rootDir>/graders/harness'],
      testMatch: [
        '<rootDir>/test/*.test.ts',
        '<rootDir>/test/{cli,engine,faults,web,worker}/**/*.test.ts',
        '<rootDir>/graders/harness/statementCounter.test.ts',
      ],
    },
    {
      ...shared,
      displayName: 'e2e',
      roots: ['<rootDir>/test'],
      testMatch: ['<rootDir>/test/{browser,e2e}/**/*.test.ts'],
    },
  ],
};
