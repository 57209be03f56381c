/**
 * OpenTelemetry end to end with the compiled API and worker (OTEL_EXPORTER_OTLP_ENDPOINT set to a
 * small OTLP/HTTP JSON receiver in this test): one POST /v1/bookings with a caller's X-Request-Id
 * gives ONE trace holding the API's HTTP span, the workflow start/update, the workflow run and its
 * activities; the worker's log lines inside that trace carry its trace id and the request id.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { generateApiKey } from '../../infra/db/api-keys';
import { newId } from '../../infra/db/ids';
import { createPrisma, type Db } from '../../infra/db/prisma';
import { testEnv } from '../harness/env';
import { recentOutput } from '../harness/worker-process';
import { dropCompany, seedAvailabilityFixture, uniqueCalcomUserId, type AvailabilityFixture } from '../integration/availability.fixtures';
import { Cluster } from '../scaleout/cluster';

const ROOT = path.resolve(__dirname, '..', '..');
const OUT = path.join(ROOT, '.data', `tracing-test-${process.pid}`);
const env = testEnv();

interface OtlpSpan { traceId: string; spanId: string; parentSpanId?: string; name: string; service: string }

let receiver: http.Server;
const spans: OtlpSpan[] = [];
let db: Db;
let fx: AvailabilityFixture;
let cluster: Cluster;

function startReceiver(): Promise<string> {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> }; scopeSpans: Array<{ spans: OtlpSpan[] }> }>;
      };
      for (const rs of body.resourceSpans ?? []) {
        const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
        for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) spans.push({ traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId, name: s.name, service });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) => receiver.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(receiver.address() as { port: number }).port}`)));
}

beforeAll(async () => {
  const build = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/build.ts', OUT], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}\n${build.stderr}`);
  const endpoint = await startReceiver();
  db = createPrisma(env.databaseUrl, { max: 2 });
  fx = await seedAvailabilityFixture(db, { calcomUserId: uniqueCalcomUserId() });
  cluster = new Cluster({
    taskQueue: `tracing-${randomUUID()}`, deploymentName: '', calcomBaseUrl: env.calcomBaseUrl, bookingWaitMs: 20_000,
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, LOG_LEVEL: 'debug' },
  });
}, 150_000);

afterAll(async () => {
  await cluster?.close();
  receiver?.close();
  if (fx) await dropCompany(db, fx.companyId);
  await db?.$disconnect();
  fs.rmSync(OUT, { recursive: true, force: true });
});

test('one trace from the HTTP request through the workflow to its activities; worker logs carry trace and request id', async () => {
  const build = { dir: OUT, buildId: '' };
  const api = await cluster.startApi(build);
  const worker = cluster.startWorker(build);
  const key = generateApiKey();
  await db.apiKey.create({ data: { id: newId('key'), companyId: fx.companyId, name: 'tracing', role: 'manager', keyHash: key.hash, prefix: key.prefix } });
  const requestId = `req-${randomUUID()}`;
  const res = await fetch(`${api.url}/v1/bookings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key.key}`, 'x-request-id': requestId },
    body: JSON.stringify({ branchId: fx.branchId, serviceId: fx.serviceId, customerId: fx.customerId, staffId: fx.staff.anna, start: '2027-05-03T09:00:00+02:00' }),
  });
  expect(res.status).toBe(201);

  // Spans arrive in batches (1 s); the HTTP span ends with the response.
  const deadline = Date.now() + 30_000;
  let trace: OtlpSpan[] = [];
  for (;;) {
    const http = spans.find((s) => s.service === 'booking-api' && s.name.startsWith('POST /v1/bookings'));
    trace = http ? spans.filter((s) => s.traceId === http.traceId) : [];
    if (trace.some((s) => s.name.startsWith('RunActivity:')) && trace.some((s) => s.name.startsWith('RunWorkflow:'))) break;
    if (Date.now() > deadline) throw new Error(`no joined trace; spans: ${JSON.stringify(spans.map((s) => [s.service, s.name, s.traceId]))}\nworker:\n${recentOutput(worker)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const names = trace.map((s) => `${s.service} ${s.name}`);
  expect(names).toEqual(expect.arrayContaining([
    'booking-api POST /v1/bookings',
    expect.stringMatching(/^booking-api (StartWorkflow|UpdateWithStartWorkflow)/),
    'booking-worker RunWorkflow:bookAppointmentWorkflow',
    expect.stringMatching(/^booking-worker RunActivity:/),
  ]));
  // Every span but the request's root has its parent inside this trace. The one exception is the
  // booking's lifecycle child: it runs until the appointment is over, so its RunWorkflow span is still
  // open (not exported) while the spans it started already are.
  const ids = new Set(trace.map((s) => s.spanId));
  const orphans = trace.filter((s) => s.parentSpanId && !ids.has(s.parentSpanId)).map((s) => s.name);
  expect(orphans.filter((name) => !/Lifecycle/.test(name))).toEqual([]);

  const traceId = trace[0].traceId;
  const lines = worker.output.join('').split('\n').filter((l) => l.includes(`"traceId":"${traceId}"`));
  expect([lines.length > 0, lines.length ? '' : recentOutput(worker).split('\n').filter((l) => /ctivit/.test(l)).slice(-5).join('\n')]).toEqual([true, '']);
  for (const line of lines) expect(line).toContain(`"requestId":"${requestId}"`);
}, 120_000);
