'use strict';
// The harness's own unit tests (not a hidden suite):
//   npx jest -c graders/harness/jest.unit.config.js
// The statement-counter and database tests need DATABASE_ADMIN_URL and APP_DATABASE_URL (a
// PostgreSQL with pg_stat_statements preloaded); without them they are skipped.
const path = require('node:path');
const os = require('node:os');

/** @type {import('jest').Config} */
module.exports = {
  rootDir: path.join(__dirname, '..', '..'),
  roots: ['<rootDir>/graders/harness'],
  testMatch: ['<rootDir>/graders/harness/**/*.test.ts'],
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(__dirname, 'tsconfig.grader.json') }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  cacheDirectory: path.join(os.tmpdir(), 'backend-pro-jest-cache'),
  testTimeout: 60_000,
};
