'use strict';
// Jest loads reporters with plain `require`; this shim lets the reporter be TypeScript.
require('./tsRequire');
module.exports = require('./reporter.ts').default;
