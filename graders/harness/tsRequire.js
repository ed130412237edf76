'use strict';
/**
 * Lets plain Node `require` the harness's and exercises' .ts files (checks.ts, reporter.ts) in
 * the main process, transpiled in memory: the grading pod's file system is read-only, and type
 * checking belongs to the platform's CI, not to every grading run. Jest's own test files go
 * through ts-jest instead.
 */
const { readFileSync } = require('node:fs');

if (!require.extensions['.ts']) {
  const ts = require('typescript');
  require.extensions['.ts'] = (module, filename) => {
    const { outputText } = ts.transpileModule(readFileSync(filename, 'utf8'), {
      fileName: filename,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        isolatedModules: true,
        inlineSourceMap: true,
      },
      reportDiagnostics: false,
    });
    module._compile(outputText, filename);
  };
}
