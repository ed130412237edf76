'use strict';
// For running a hidden suite by hand: GRADER_DIR=... RESULTS_PATH=... npx jest -c graders/harness/jest.config.js
// The worker runs run.js, which builds the same configuration.
const path = require('node:path');
const { createGraderConfig } = require('./graderConfig');

module.exports = createGraderConfig({
  graderDir: process.env.GRADER_DIR ?? path.join(__dirname, '..', process.env.EXERCISE_ID ?? 'phase-1-auth'),
  resultsPath: process.env.RESULTS_PATH ?? path.join(require('node:os').tmpdir(), 'results.json'),
});
