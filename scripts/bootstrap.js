#!/usr/bin/env node
// Plain JS on purpose: it runs before dependencies (tsx, typescript) are installed.
// Installs npm dependencies when node_modules is missing or older than package-lock.json.
// Everything goes to stderr: `npm run -s grade -- --json` keeps stdout for the results only.
'use strict';
const { execSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const lock = path.join(root, 'package-lock.json');
const stamp = path.join(root, 'node_modules', '.backend-pro-installed');
const fresh = fs.existsSync(stamp) && fs.statSync(stamp).mtimeMs >= fs.statSync(lock).mtimeMs;
if (!fresh) {
  const started = Date.now();
  process.stderr.write('[setup] npm ci: installing the platform dependencies…\n');
  execSync('npm ci --no-audit --no-fund', { cwd: root, stdio: ['ignore', 2, 2] });
  fs.writeFileSync(stamp, new Date().toISOString());
  process.stderr.write(`[setup] npm ci done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
