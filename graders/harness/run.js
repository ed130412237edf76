#!/usr/bin/env node
'use strict';
/**
 * Grading entrypoint, run by the worker inside the tester container:
 *
 *   node /platform/graders/harness/run.js
 *
 * Inputs (env): EXERCISE_ID, GRADER_DIR, APP_URL, DATABASE_ADMIN_URL, APP_DATABASE_URL, REDIS_URL,
 * the exercise's own variables (JWT_SECRET…), RESULTS_PATH, TEST_TIMEOUT_SECONDS.
 * Output: RESULTS_PATH (results.json). Like Exercism's runners it always writes that file and exits
 * 0, whatever the learner's app or the grader did: a broken run is `status: "error"` with a message.
 */
const path = require('node:path');
const net = require('node:net');
const fs = require('node:fs');

/** Time kept back from TEST_TIMEOUT_SECONDS to write results before the worker's own kill. */
const BUDGET_MARGIN_MS = 5_000;
/** How long to wait for the app's port before grading anyway (its checks then fail, explained). */
const APP_WAIT_MS = Number(process.env.APP_WAIT_SECONDS ?? 15) * 1000;

const resultsPath = process.env.RESULTS_PATH || '/out/results.json';
const exerciseId = process.env.EXERCISE_ID;
const graderDir = path.resolve(process.env.GRADER_DIR || (exerciseId ? path.join(__dirname, '..', exerciseId) : ''));
const budgetSeconds = Number(process.env.TEST_TIMEOUT_SECONDS) > 0 ? Number(process.env.TEST_TIMEOUT_SECONDS) : 180;

function log(message) {
  process.stderr.write(`[grader] ${message}\n`);
}

/** A minimal valid results file from Node built-ins only: works even when nothing else loads. */
function writeMinimalError(message) {
  fs.mkdirSync(path.dirname(resultsPath), { recursive: true });
  fs.writeFileSync(
    resultsPath,
    `${JSON.stringify({
      version: 1,
      status: 'error',
      message: `grader failure: ${String(message).slice(0, 2000)}`,
      score: 0,
      max_score: 0,
      execution_time_ms: Math.round(process.uptime() * 1000),
      tests: [],
    })}\n`,
  );
}

// This run's own measurements file (see measurements.ts), fresh even when /tmp is reused.
process.env.BACKEND_PRO_MEASUREMENTS = path.join(require('node:os').tmpdir(), `backend-pro-measurements-${process.pid}-${Date.now()}.jsonl`);

// The requests every check sent (see requestLog.ts), summarised into evidence.json after the suite.
process.env.BACKEND_PRO_REQUESTS = path.join(require('node:os').tmpdir(), `backend-pro-requests-${process.pid}-${Date.now()}.jsonl`);
const evidencePath = path.join(path.dirname(resultsPath), 'evidence.json');
/** Time the evidence (a few re-sent requests) may take before results are final anyway. */
const EVIDENCE_MAX_MS = 20_000;

let harness;
try {
  require('./tsRequire');
  harness = { ...require('./results.ts'), ...require('./reporter.ts'), ...require('./graderConfig'), ...require('./requestLog.ts') };
} catch (error) {
  log(`could not load the harness: ${error && error.stack}`);
  writeMinimalError(`could not load the harness: ${error && error.message}`);
  process.exit(0);
}
const { activeReporter, createGraderConfig, errorResults, gatherEvidence, loadChecks, writeResults } = harness;

/** Writes evidence.json for the worker's diagnosis; a failure here never costs the results. */
async function writeEvidence() {
  try {
    const evidence = await Promise.race([
      gatherEvidence(process.env.APP_URL),
      new Promise((resolve) => setTimeout(() => resolve(null), EVIDENCE_MAX_MS).unref()),
    ]);
    if (evidence) fs.writeFileSync(evidencePath, `${JSON.stringify(evidence)}\n`);
  } catch (error) {
    log(`could not write evidence: ${error && error.message}`);
  }
}

/** Writes results once: from the reporter when it exists (it knows what ran), else an error. */
function finish(outcome) {
  try {
    const reporter = activeReporter();
    if (reporter) {
      if (!reporter.hasWritten()) reporter.write(outcome);
    } else {
      let checks = [];
      try {
        checks = loadChecks(path.join(graderDir, 'checks.ts'));
      } catch {
        // The error below already says the run failed; the checks list is a courtesy.
      }
      const message = outcome.runError ?? 'the grader stopped before running any check';
      writeResults(resultsPath, errorResults(message, checks, process.uptime() * 1000));
    }
  } catch (error) {
    // Last resort: a minimal valid file, so the worker still reads a grading error, not garbage.
    log(`could not write results normally: ${error && error.stack}`);
    writeMinimalError(error && error.message);
  }
  log(`results written to ${resultsPath}`);
  // Open sockets of a hanging app must not keep the pod alive.
  process.exit(0);
}

/** Resolves when something accepts TCP connections on the app's port, or after `timeoutMs`. */
function waitForApp(appUrl, timeoutMs) {
  let url;
  try {
    url = new URL(appUrl);
  } catch {
    return Promise.resolve(false);
  }
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve) => {
    const attempt = () => {
      const socket = net.connect({ host: url.hostname, port });
      socket.setTimeout(1_000);
      const retry = () => {
        socket.destroy();
        if (Date.now() >= deadline) resolve(false);
        else setTimeout(attempt, 250);
      };
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', retry);
      socket.once('timeout', retry);
    };
    attempt();
  });
}

async function main() {
  if (!graderDir || !fs.existsSync(path.join(graderDir, 'checks.ts'))) {
    return finish({ runError: `no checks.ts in GRADER_DIR "${graderDir}" (EXERCISE_ID=${exerciseId ?? 'unset'})` });
  }
  const watchdog = setTimeout(
    () => {
      log(`budget of ${budgetSeconds} s exhausted, writing partial results`);
      finish({ budgetExceededSeconds: budgetSeconds });
    },
    Math.max(budgetSeconds * 1000 - BUDGET_MARGIN_MS, 10_000),
  );
  watchdog.unref();

  if (process.env.APP_URL && !(await waitForApp(process.env.APP_URL, APP_WAIT_MS))) {
    log(`nothing listens at ${process.env.APP_URL}; grading anyway`);
  }

  const config = createGraderConfig({ graderDir, resultsPath });
  const { runCLI } = require('jest');
  // Jest reads `--config` for the whole run only when the single project is the working directory.
  process.chdir(graderDir);
  const { results } = await runCLI({ _: [], $0: 'backend-pro-grader', config: JSON.stringify(config), runInBand: true, ci: true }, [graderDir]);
  await writeEvidence();
  finish({ runError: results.runExecError ? results.runExecError.message : undefined });
}

// A stray error from a learner's socket after its check ended must not take the run down.
process.on('uncaughtException', (error) => log(`uncaught exception: ${error && error.stack}`));
process.on('unhandledRejection', (error) => log(`unhandled rejection: ${error && error.stack}`));

main().catch((error) => finish({ runError: String((error && error.stack) || error) }));
