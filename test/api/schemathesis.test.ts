/**
 * Property-based run of schemathesis (`st run`, pinned in .tools/venv by scripts/lib/toolchain.ts)
 * over the /openapi.json the API serves, with every check: no 5xx, no undocumented status code,
 * content type or header, answers that match their schemas, schema-violating requests refused
 * (4xx) and valid ones accepted, auth not ignored, 405 with Allow for other methods. It runs
 * against the real stack (createApp listening on a free port, Temporal dev server, in-process
 * worker, Cal.com emulator) for a company of its own, once with its manager key and once with a
 * booking key, with a fixed seed and a bounded number of examples per operation
 * (SCHEMATHESIS_MAX_EXAMPLES, default below) so the run is reproducible and takes about two
 * minutes on two cores. Settings: test/api/schemathesis.toml.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ensureSchemathesis } from '../../scripts/lib/toolchain';
import { startBookingStack, type BookingStack } from '../integration/booking-http.helpers';
import request from 'supertest';
import { createKey } from './api-harness';

const CONFIG = path.join(__dirname, 'schemathesis.toml');
const MAX_EXAMPLES = process.env.SCHEMATHESIS_MAX_EXAMPLES ?? '8';

let stack: BookingStack;
let server: ReturnType<BookingStack['app']['listen']>;
let baseUrl: string;
const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'schemathesis-'));

interface RunResult {
  code: number | null;
  output: string;
}

/** `st run` over the served document with `key`; resolves with its exit code and output. */
async function schemathesis(key: string, args: string[]): Promise<RunResult> {
  const st = await ensureSchemathesis();
  const child = spawn(
    st,
    ['--config-file', CONFIG, 'run', `${baseUrl}/openapi.json`, '--checks', 'all', '--max-examples', MAX_EXAMPLES, '--no-color', ...args],
    { env: { ...process.env, SCHEMATHESIS_API_KEY: key, NO_COLOR: '1', SCHEMATHESIS_HOOKS: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, output };
}

/** Keeps a run's whole output in .data/ (ignored by git) and answers where. */
function keep(name: string, output: string): string {
  const file = path.join(__dirname, '..', '..', '.data', `schemathesis-${name}.txt`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, output);
  return file;
}

/** The summary of a run (the failures above it are in the kept file). */
const tail = (output: string) => output.split('\n').slice(-60).join('\n');

describe('schemathesis over /openapi.json', () => {
  beforeAll(async () => {
    await ensureSchemathesis();
    stack = await startBookingStack('schemathesis');
    server = stack.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 300_000);
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await stack?.close();
    fs.rmSync(reportDir, { recursive: true, force: true });
  });

  // Booking first: the manager run may revoke keys it finds (DELETE /v1/api-keys/{id} is left out
  // for its own key's sake, but other keys listed by GET /v1/api-keys are fair game).
  it('finds nothing with a booking key (its own operations; the rest answer a documented 403)', async () => {
    const booking = await createKey(stack.app, stack.company, 'booking');
    // Its operations were covered with the manager key's shapes; examples and fuzzing suffice here.
    const run = await schemathesis(booking.Authorization.replace(/^Bearer /, ''), ['--exclude-path-regex', '^/v1/admin/', '--phases', 'examples,fuzzing']);
    const file = keep('booking', run.output);
    if (run.code !== 0) console.log(`${tail(run.output)}\nwhole output: ${file}`);
    expect(run.code).toBe(0);
    expect(run.output).toMatch(/\d+ passed/);
  }, 900_000);

  it('finds nothing with a manager key (every operation but the platform admin\'s and revoking keys)', async () => {
    const manager = await createKey(stack.app, stack.company, 'manager');
    // Schemathesis reuses ids from earlier answers: revoking its own key would turn the rest of
    // the run into 401s. Revocation is tested in test/api/roles.test.ts and api-processes.test.ts.
    const run = await schemathesis(manager.Authorization.replace(/^Bearer /, ''), [
      '--exclude-path-regex', '^/v1/admin/', '--exclude-operation-id', 'deleteApiKey',
    ]);
    const file = keep('manager', run.output);
    if (run.code !== 0) console.log(`${tail(run.output)}\nwhole output: ${file}`);
    expect(run.code).toBe(0);
    expect(run.output).toMatch(/\d+ passed/);
    // The key worked to the end: the run did not lock itself out.
    expect((await request(stack.app).get('/v1/branches').set(manager)).status).toBe(200);
  }, 900_000);
});
