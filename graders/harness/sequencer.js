'use strict';
// Runs suite files in path order, so two runs of one submission send the same requests in the
// same order (Jest's default orders by past durations, kept in the cache).
const Sequencer = require('@jest/test-sequencer').default;

class PathOrderSequencer extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
}

module.exports = PathOrderSequencer;
