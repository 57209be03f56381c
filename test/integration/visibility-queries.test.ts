/**
 * The operator queries the README shows ("Temporal UI: finding a booking") run verbatim against
 * the dev server, with the README's example ids replaced by those of real workflows started over
 * HTTP: a confirmed booking, a weekly series (one occurrence refused: that slot is the booking's)
 * and a waiting-list entry.
 * Each query must find the workflows it promises. Also: series and monitors carry their
 * attributes from the start request and a memo.
 */
import fs from 'node:fs';
import path from 'node:path';
import { bookingWorkflowId } from '../../workflows/book-appointment.contract';
import { seriesWorkflowId } from '../../workflows/series.contract';
import { waitlistWorkflowId } from '../../workflows/waitlist-monitor.contract';
import { dropCompany } from './availability.fixtures';
import { eventually, http, seedTenant, startStack, type Stack, type Tenant } from './series-waitlist.harness';

const README = fs.readFileSync(path.resolve(__dirname, '..', '..', 'README.md'), 'utf8');

/** The query lines of the README's first code block after "finding a booking". */
function readmeQueries(): string[] {
  const section = README.slice(README.indexOf('## Temporal UI: finding a booking'));
  const block = /```\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block.split('\n').map((line) => line.trim()).filter(Boolean);
}

let stack: Stack;
let t: Tenant;

describe('README visibility queries on the dev server', () => {
  beforeAll(async () => {
    stack = await startStack('visibility');
    t = await seedTenant(stack.db);
  });
  afterAll(async () => {
    if (t) await dropCompany(stack.db, t.companyId);
    await stack?.close();
  });

  it('every query finds the workflows it promises; series and monitors carry attributes and a memo from the start', async () => {
    const booking = { branchId: t.branchId, serviceId: t.serviceId, customerId: t.customerId, staffId: t.staff.anna, start: '2027-02-01T09:00:00+01:00' };
    const confirmed = await http(stack).post('/v1/bookings').set(t.auth).send(booking);
    expect(confirmed.status).toBe(201);
    const series = await http(stack).post('/v1/series').set(t.auth).send({
      branchId: t.branchId, serviceId: t.serviceId, customerId: t.customerId, staffId: t.staff.anna,
      start: '2027-01-25T09:00:00+01:00', recurrence: { frequency: 'weekly', count: 3 },
    });
    expect(series.status).toBe(201);
    // The second occurrence is the confirmed booking's slot: its child saga is refused (the API
    // answers a same-slot POST 409 without any workflow, so this is how a saga ends "rejected").
    expect(series.body.occurrences.map((o: { status: string }) => o.status)).toEqual(['booked', 'skipped', 'booked']);
    const seriesBookings: string[] = series.body.occurrences
      .filter((o: { status: string }) => o.status === 'booked')
      .map((o: { bookingId: string }) => bookingWorkflowId(o.bookingId));

    const entry = await http(stack).post('/v1/waiting-list').set(t.auth).send({
      branchId: t.branchId, serviceId: t.serviceId, customerId: t.customerId, staffId: t.staff.anna,
      from: '2027-02-01', to: '2027-02-01', timeWindows: [{ start: '09:00', end: '10:00' }],
    });
    expect(entry.status).toBe(201);

    const ids: Record<string, string> = {
      bkg_k3j9x2m4q8r1t5vw: confirmed.body.id,
      cus_demo_max: t.customerId,
      br_demo_mitte: t.branchId,
      ser_demo_weekly: series.body.id,
      wl_demo_entry: entry.body.id,
    };
    const promised: Record<string, string[]> = {
      'BookingId = "bkg_k3j9x2m4q8r1t5vw"': [bookingWorkflowId(confirmed.body.id)],
      'CustomerId = "cus_demo_max" AND WorkflowKind = "booking"': [bookingWorkflowId(confirmed.body.id), ...seriesBookings],
      'BookingId = "bkg_k3j9x2m4q8r1t5vw" AND WorkflowKind IN ("booking", "reschedule", "cancel")': [bookingWorkflowId(confirmed.body.id)],
      'BranchId = "br_demo_mitte" AND BookingStatus = "rejected"': [], // filled below
      'SeriesId = "ser_demo_weekly"': [seriesWorkflowId(series.body.id)],
      'ParentWorkflowId = "series-ser_demo_weekly"': seriesBookings, // + the refused child, below
      'WaitlistEntryId = "wl_demo_entry"': [waitlistWorkflowId(entry.body.id)],
      'WorkflowKind = "waitlist" AND BookingStatus = "waiting" AND CustomerId = "cus_demo_max"': [waitlistWorkflowId(entry.body.id)],
    };
    // The refused booking's saga, found by its result (not by the attribute under test).
    const client = stack.temporal.client;
    const rejectedWorkflows = await eventually(async () => {
      const refused: string[] = [];
      for await (const wf of client.workflow.list({ query: `WorkflowKind = "booking" AND BranchId = "${t.branchId}"` })) {
        const result = (await client.workflow.getHandle(wf.workflowId).result()) as { kind: string };
        if (result.kind !== 'confirmed') refused.push(wf.workflowId);
      }
      return refused.length > 0 ? refused : undefined;
    }, 'the refused booking saga');
    promised['BranchId = "br_demo_mitte" AND BookingStatus = "rejected"'] = rejectedWorkflows;
    promised['CustomerId = "cus_demo_max" AND WorkflowKind = "booking"'].push(...rejectedWorkflows);
    promised['ParentWorkflowId = "series-ser_demo_weekly"'].push(...rejectedWorkflows);

    const queries = readmeQueries();
    expect(queries.sort()).toEqual(Object.keys(promised).sort());

    for (const readmeQuery of queries) {
      const query = Object.entries(ids).reduce((q, [example, real]) => q.split(example).join(real), readmeQuery);
      const want = promised[readmeQuery].sort();
      // Visibility is eventually consistent: poll until the promised workflows show up.
      const found = await eventually(async () => {
        const got: string[] = [];
        for await (const wf of client.workflow.list({ query })) got.push(wf.workflowId);
        return want.every((id) => got.includes(id)) ? got : undefined;
      }, `README query ${readmeQuery}`, 20_000).catch((error: Error) => error);
      expect([readmeQuery, found instanceof Error ? `${found.message}: ${String((found as { cause?: unknown }).cause)}` : want.filter((id) => !found.includes(id))]).toEqual([readmeQuery, []]);
    }

    for (const workflowId of [seriesWorkflowId(series.body.id), waitlistWorkflowId(entry.body.id), ...seriesBookings]) {
      const description = await client.workflow.getHandle(workflowId).describe();
      expect([workflowId, typeof description.memo?.summary]).toEqual([workflowId, 'string']);
    }
    const monitor = await client.workflow.getHandle(waitlistWorkflowId(entry.body.id)).describe();
    const custom = new Set(['BookingId', 'BookingStatus', 'BranchId', 'CustomerId', 'SeriesId', 'WaitlistEntryId', 'WorkflowKind']);
    const ofMonitor = monitor.typedSearchAttributes.getAll().filter((p) => custom.has(p.key.name));
    expect(ofMonitor.map((p) => [p.key.name, p.value]).sort()).toEqual(
      [['BookingStatus', 'waiting'], ['BranchId', t.branchId], ['CustomerId', t.customerId], ['WaitlistEntryId', entry.body.id], ['WorkflowKind', 'waitlist']].sort(),
    );
  }, 120_000);
});
