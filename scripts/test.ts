/**
 * `npm test` (after scripts/test.mjs installed the packages): lint and the console build, then the same services as
 * `npm run dev` against a fresh `booking_test` database, the Cal.com emulator, SMTP sink and SMS
 * sink in-process, then Jest in band (and beside it a second Jest for the few files that mostly wait
 * on the clock, IDLE_FILES). Ends with the plain line "N passed, M failed" that CI reads,
 * and exits with Jest's code. Extra arguments go to Jest.
 *
 * Jest runs against a deadline (TEST_DEADLINE_MINUTES, default 80: CI stops the whole job at 90).
 * A run that passes it is stopped, the files still running are named, and the summary counts what
 * had finished (from test/harness/progress-reporter.cjs) plus one failure, so a hung test is a
 * red line with its name rather than a job that never reports. `--forceExit`: a handle a test
 * leaked must not keep Jest alive after the last file. Every process Jest started carries
 * BOOKING_TEST_RUN in its environment; whatever of them outlived Jest is killed at the end, since
 * an orphan holding the terminal's pipe would keep CI's `npm test | tee` open.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { prefixer, runScript, startProcess, Supervisor } from './lib/processes';
import { startBaseServices } from './lib/services';
import { startSideServices } from './lib/side-services';
import { ROOT } from './lib/toolchain';
import { testDatabaseName } from './lib/test-database';

/**
 * Test files that spend minutes waiting on the wall clock (a reminder at start - 1 min and the
 * completion after it; a 2-minute SMTP outage), with their own company, task queue and sink, so
 * they run in a second Jest process beside the rest instead of adding ~6 minutes of idling to it.
 */
const IDLE_FILES = ['test/integration/booking-lifecycle.test.ts', 'test/integration/notification-relay.test.ts'];

// The CLI's --testPathIgnorePatterns replaces the config's list, so the main lane passes both.
const CONFIG_IGNORES = (require(path.join(ROOT, 'jest.config.js')) as { testPathIgnorePatterns: string[] }).testPathIgnorePatterns;

interface JestLane {
  name: string;
  args: string[];
  /** Jest's own output on our terminal (the main lane); the other's lines are prefixed. */
  inheritStdio: boolean;
  results: string;
  progress: string;
}

function lane(name: string, args: string[], inheritStdio: boolean): JestLane {
  return { name, args, inheritStdio, results: path.join(ROOT, '.data', `${name}-results.json`), progress: path.join(ROOT, '.data', `${name}-progress.json`) };
}

function startJest(one: JestLane, env: NodeJS.ProcessEnv) {
  fs.rmSync(one.results, { force: true });
  fs.rmSync(one.progress, { force: true });
  const reporters = ['--reporters=default', `--reporters=${path.join(ROOT, 'test', 'harness', 'progress-reporter.cjs')}`];
  // The lane's own arguments first: --reporters takes a list and would swallow file names after it.
  const args = [...one.args, '--runInBand', '--ci', '--forceExit', '--json', `--outputFile=${one.results}`, ...reporters];
  return startProcess(one.name, path.join(ROOT, 'node_modules', '.bin', 'jest'), args, {
    env: { ...env, JEST_PROGRESS_FILE: one.progress },
    inheritStdio: one.inheritStdio,
    stopTimeoutMs: 15_000,
  });
}
const DEADLINE_MINUTES = Number(process.env.TEST_DEADLINE_MINUTES ?? 80);

interface JestProgress {
  passed: number;
  failed: number;
  filesFailedToRun: number;
  filesDone: number;
  running: Record<string, number>;
}

interface JestResults {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numRuntimeErrorTestSuites: number;
  numTotalTestSuites: number;
}

async function main(): Promise<number> {
  const supervisor = new Supervisor();
  const runId = randomUUID();
  supervisor.stopOnSignals(() => process.exit(130));
  const startedAt = Date.now();
  try {
    // Lint runs while the services come up: it is CPU, they are mostly waiting.
    const lint = runScript('lint', 'lint');
    // The console (console/dist) is served by the API the browser tests start.
    const consoleBuild = runScript('console', 'console:build');
    const base = startBaseServices(supervisor, {
      dbName: testDatabaseName(),
      freshDatabase: true,
      honourDatabaseUrl: false,
      temporal: {},
    });
    const [lintResult, baseResult, consoleResult] = await Promise.allSettled([lint, base, consoleBuild]);
    if (baseResult.status === 'rejected') throw baseResult.reason;
    if (consoleResult.status === 'rejected') throw new Error('console build failed (see the [console] lines above)');
    if (lintResult.status === 'rejected') throw new Error('lint failed (see the [lint] lines above); fix it before the tests run');
    const services = baseResult.value;

    const side = await startSideServices({ calcomPort: 5556, smtpPort: 2526, smtpApiPort: 2581 });
    supervisor.add('side services', side.close);

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'test',
      BOOKING_TEST_SERVICES: 'ready',
      DATABASE_URL: services.databaseUrl,
      TEMPORAL_ADDRESS: services.temporalAddress,
      BOOKING_TEST_RUN: runId,
      ...side.env,
    };
    if (services.redisUrl) env.REDIS_URL = services.redisUrl;
    console.log(`[test] services ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s; running Jest`);

    const extraArgs = process.argv.slice(2);
    // The whole suite: the files that mostly wait on the wall clock run beside the others.
    const lanes: JestLane[] = extraArgs.length > 0 ? [lane('jest', extraArgs, true)] : [lane('jest', ['--testPathIgnorePatterns', ...CONFIG_IGNORES, ...IDLE_FILES], true), lane('jest-idle', IDLE_FILES, false)];
    const runs = lanes.map((one) => startJest(one, env));
    const deadlineMs = Math.max(0, startedAt + DEADLINE_MINUTES * 60_000 - Date.now());
    let deadline: NodeJS.Timeout | undefined;
    const overran = await Promise.race([
      Promise.all(runs.map((run) => run.exited)).then(() => false),
      new Promise<boolean>((resolve) => (deadline = setTimeout(() => resolve(true), deadlineMs))),
    ]);
    clearTimeout(deadline);
    if (overran) {
      console.log(`\n${prefixer('test')} Jest passed the deadline of ${DEADLINE_MINUTES} min (TEST_DEADLINE_MINUTES); stopping it`);
      await Promise.all(runs.map((run) => run.stop()));
    }
    killLeftovers(runId);
    await supervisor.stopAll();
    console.log(overran ? summaryAfterDeadline(lanes) : summary(lanes));
    return overran ? 1 : Math.max(...runs.map((run) => run.exitCode() ?? 1));
  } catch (error) {
    console.error(`\n[test] ${(error as Error).message}`);
    await supervisor.stopAll();
    return 1;
  }
}

/** SIGKILLs the processes (Linux /proc) whose environment carries this run's BOOKING_TEST_RUN. */
function killLeftovers(runId: string): void {
  const marker = `BOOKING_TEST_RUN=${runId}`;
  const killed: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8');
      if (!environ.split('\0').includes(marker)) continue;
      const command = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim().slice(0, 120);
      process.kill(Number(pid), 'SIGKILL');
      killed.push(`${pid} ${command}`);
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  if (killed.length > 0) console.log(`${prefixer('test')} killed ${killed.length} process(es) left over by the tests:\n  ${killed.join('\n  ')}`);
}

/** "N passed, M failed" from the progress files of a run stopped at its deadline; the stop counts as one failure. */
function summaryAfterDeadline(lanes: JestLane[]): string {
  const lines: string[] = [];
  let passed = 0;
  let failed = 1;
  for (const one of lanes) {
    const progress: JestProgress = fs.existsSync(one.progress)
      ? (JSON.parse(fs.readFileSync(one.progress, 'utf8')) as JestProgress)
      : { passed: 0, failed: 0, filesFailedToRun: 0, filesDone: 0, running: {} };
    for (const [file, since] of Object.entries(progress.running)) {
      lines.push(`${prefixer('test')} still running: ${path.relative(ROOT, file)} (for ${Math.round((Date.now() - since) / 1000)} s)`);
    }
    lines.push(`${prefixer('test')} ${one.name}: ${progress.filesDone} test file(s) had finished`);
    passed += progress.passed;
    failed += progress.failed + progress.filesFailedToRun;
  }
  lines.push(`${passed} passed, ${failed} failed`);
  return lines.join('\n');
}

/** "N passed, M failed" from Jest's JSON of every lane; a test file that could not run counts as one failure. */
function summary(lanes: JestLane[]): string {
  const notes: string[] = [];
  let passed = 0;
  let failed = 0;
  for (const one of lanes) {
    if (!fs.existsSync(one.results)) {
      notes.push(`${prefixer('test')} ${one.name} wrote no results (${path.relative(ROOT, one.results)})`);
      failed += 1;
      continue;
    }
    const results = JSON.parse(fs.readFileSync(one.results, 'utf8')) as JestResults;
    passed += results.numPassedTests;
    failed += results.numFailedTests + results.numRuntimeErrorTestSuites;
    if (results.numRuntimeErrorTestSuites > 0) notes.push(`${prefixer('test')} ${one.name}: ${results.numRuntimeErrorTestSuites} test file(s) failed to run and count as failures`);
    if (results.numPendingTests > 0) notes.push(`${prefixer('test')} ${one.name}: ${results.numPendingTests} skipped`);
  }
  return [...notes, `${passed} passed, ${failed} failed`].join('\n');
}

void main().then((code) => process.exit(code));
