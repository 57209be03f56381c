/**
 * `npm test` (after scripts/test.mjs installed the packages): lint and the console build, then the same services as
 * `npm run dev` against a fresh `booking_test` database, the Cal.com emulator, SMTP sink and SMS
 * sink in-process, then Jest in band. Ends with the plain line "N passed, M failed" that CI reads,
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

const RESULTS = path.join(ROOT, '.data', 'jest-results.json');
const PROGRESS = path.join(ROOT, '.data', 'jest-progress.json');
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
      JEST_PROGRESS_FILE: PROGRESS,
      BOOKING_TEST_RUN: runId,
      ...side.env,
    };
    if (services.redisUrl) env.REDIS_URL = services.redisUrl;
    console.log(`[test] services ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s; running Jest`);

    fs.rmSync(RESULTS, { force: true });
    fs.rmSync(PROGRESS, { force: true });
    const reporters = ['--reporters=default', `--reporters=${path.join(ROOT, 'test', 'harness', 'progress-reporter.cjs')}`];
    const jestArgs = ['--runInBand', '--ci', '--forceExit', '--json', `--outputFile=${RESULTS}`, ...reporters, ...process.argv.slice(2)];
    const jest = startProcess('jest', path.join(ROOT, 'node_modules', '.bin', 'jest'), jestArgs, { env, inheritStdio: true, stopTimeoutMs: 15_000 });
    const deadlineMs = Math.max(0, startedAt + DEADLINE_MINUTES * 60_000 - Date.now());
    let deadline: NodeJS.Timeout | undefined;
    const overran = await Promise.race([
      jest.exited.then(() => false),
      new Promise<boolean>((resolve) => (deadline = setTimeout(() => resolve(true), deadlineMs))),
    ]);
    clearTimeout(deadline);
    if (overran) {
      console.log(`\n${prefixer('test')} Jest passed the deadline of ${DEADLINE_MINUTES} min (TEST_DEADLINE_MINUTES); stopping it`);
      await jest.stop();
    }
    killLeftovers(runId);
    await supervisor.stopAll();
    console.log(overran ? summaryAfterDeadline() : summary());
    return overran ? 1 : (jest.exitCode() ?? 1);
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

/** "N passed, M failed" from the progress file of a run stopped at its deadline; the stop counts as one failure. */
function summaryAfterDeadline(): string {
  const progress: JestProgress = fs.existsSync(PROGRESS)
    ? (JSON.parse(fs.readFileSync(PROGRESS, 'utf8')) as JestProgress)
    : { passed: 0, failed: 0, filesFailedToRun: 0, filesDone: 0, running: {} };
  const lines = Object.entries(progress.running).map(
    ([file, since]) => `${prefixer('test')} still running: ${path.relative(ROOT, file)} (for ${Math.round((Date.now() - since) / 1000)} s)`,
  );
  lines.push(`${prefixer('test')} ${progress.filesDone} test file(s) had finished`);
  lines.push(`${progress.passed} passed, ${progress.failed + progress.filesFailedToRun + 1} failed`);
  return lines.join('\n');
}

/** "N passed, M failed" from Jest's JSON; a test file that could not run counts as one failure. */
function summary(): string {
  if (!fs.existsSync(RESULTS)) return `${prefixer('test')} Jest wrote no results (${path.relative(ROOT, RESULTS)})`;
  const results = JSON.parse(fs.readFileSync(RESULTS, 'utf8')) as JestResults;
  const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
  const notes: string[] = [];
  if (results.numRuntimeErrorTestSuites > 0) notes.push(`${results.numRuntimeErrorTestSuites} test file(s) failed to run and count as failures`);
  if (results.numPendingTests > 0) notes.push(`${results.numPendingTests} skipped`);
  return [...notes.map((note) => `${prefixer('test')} ${note}`), `${results.numPassedTests} passed, ${failed} failed`].join('\n');
}

void main().then((code) => process.exit(code));
