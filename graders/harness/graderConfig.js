'use strict';
/**
 * The Jest configuration of a grading run: the hidden suite of one exercise, in band, TypeScript
 * transpiled per file by ts-jest (no type check), every cache under /tmp (the pod's only writable
 * place besides /out), results written by the grader reporter.
 */
const path = require('node:path');
const os = require('node:os');

/**
 * @param {{ graderDir: string, resultsPath: string, defaultReporter?: boolean }} options
 * @returns {import('jest').Config}
 */
function createGraderConfig({ graderDir, resultsPath, defaultReporter = true }) {
  const rootDir = path.resolve(graderDir);
  return {
    rootDir,
    roots: [rootDir],
    testMatch: ['<rootDir>/**/*.test.ts'],
    testPathIgnorePatterns: ['/node_modules/', '/mutants/'],
    testEnvironment: require.resolve('jest-environment-node'),
    testRunner: require.resolve('jest-circus/runner'),
    transform: {
      '^.+\\.ts$': [require.resolve('ts-jest'), { tsconfig: path.join(__dirname, 'tsconfig.grader.json') }],
    },
    moduleFileExtensions: ['ts', 'js', 'json'],
    cacheDirectory: path.join(os.tmpdir(), 'backend-pro-jest-cache'),
    watchman: false,
    ci: true,
    maxWorkers: 1,
    // Checks are independent but share one app: run them one at a time, in declaration order.
    testSequencer: path.join(__dirname, 'sequencer.js'),
    reporters: [...(defaultReporter ? ['default'] : []), [path.join(__dirname, 'reporter.js'), { checksPath: path.join(rootDir, 'checks.ts'), resultsPath }]],
  };
}

module.exports = { createGraderConfig };
