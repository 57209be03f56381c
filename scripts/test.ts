/**
 * `npm test` (after scripts/test.mjs installed the packages): lint and the console build, then the same services as
 * `npm run dev` against a fresh `booking_test` database, the Cal.com emulator, SMTP sink and SMS
 * sink in-process, then Jest in band. Ends with the plain line "N passed, M failed" that CI reads,
 * and exits with Jest's code. Extra arguments go to Jest.
 */
import fs from 'node:fs';
import path from 'node:path';
import { prefixer, runScript, startProcess, Supervisor } from './lib/processes';
import { startBaseServices } from './lib/services';
import { startSideServices } from './lib/side-services';
import { ROOT } from './lib/toolchain';
import { testDatabaseName } from './lib/test-database';

const RESULTS = path.join(ROOT, '.data', 'jest-results.json');

interface JestResults {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numRuntimeErrorTestSuites: number;
  numTotalTestSuites: number;
}

async function main(): Promise<number> {
  const supervisor = new Supervisor();
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
      ...side.env,
    };
    if (services.redisUrl) env.REDIS_URL = services.redisUrl;
    console.log(`[test] services ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s; running Jest`);

    fs.rmSync(RESULTS, { force: true });
    const jestArgs = ['--runInBand', '--ci', '--json', `--outputFile=${RESULTS}`, ...process.argv.slice(2)];
    const jest = startProcess('jest', path.join(ROOT, 'node_modules', '.bin', 'jest'), jestArgs, { env, inheritStdio: true });
    await jest.exited;
    const code = jest.exitCode() ?? 1;
    await supervisor.stopAll();
    console.log(summary());
    return code;
  } catch (error) {
    console.error(`\n[test] ${(error as Error).message}`);
    await supervisor.stopAll();
    return 1;
  }
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
