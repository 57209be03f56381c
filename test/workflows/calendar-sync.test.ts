/**
 * The inbound and reconciliation workflows on the time-skipping server with stubbed activities:
 * a Cal.com cancellation cancels, fans out and mails; a move onto a busy time opens an
 * inbound_reschedule sync failure and releases the hold; reconciliation applies the scanned
 * changes through the same steps and records repaired/open; a failing scan fails the run before
 * any change.
 *
 * `RECORD_HISTORIES=1 npx jest test/workflows/calendar-sync.test.ts` writes each run's history to
 * test/replay/histories/calendar-*.json, which booking-replay.test.ts replays on every run.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';

import type { CalendarInboundEvent } from '../../workflows/calendar-inbound.contract';
import { bundleOnce, createTestWorker, getTimeSkippingEnv } from '../harness/temporal';

jest.setTimeout(180_000);

const event = (over: Partial<CalendarInboundEvent> = {}): CalendarInboundEvent => ({
  trigger: 'BOOKING_CANCELLED', uid: 'uid-1', previousUid: null, start: '2027-01-12T09:00:00.000Z', end: '2027-01-12T10:00:00.000Z',
  bookingId: 'bkg_1', companyId: 'cmp_1', hostIds: [7], reason: null, ...over,
});
const snapshot = { bookingId: 'bkg_1', companyId: 'cmp_1', branchId: 'br_1', customerId: 'cus_1', staffId: 'stf_1', start: '2027-01-12T09:00:00.000Z', end: '2027-01-12T10:00:00.000Z', status: 'cancelled' };

function stubs(over: Record<string, jest.Mock> = {}) {
  return {
    decideCalendarInbound: jest.fn(async ({ event: e }: { event: CalendarInboundEvent }) => (e.trigger === 'BOOKING_CANCELLED' ? { kind: 'cancel', bookingId: 'bkg_1', branchId: 'br_1' } : { kind: 'reschedule', bookingId: 'bkg_1', branchId: 'br_1' })),
    cancelBookingFromCalendar: jest.fn(async () => ({ kind: 'cancelled', alreadyCancelled: false, ...snapshot })),
    fanOutSlotFreed: jest.fn(async () => ({ signalled: 1, rowsRead: 1, pages: 1 })),
    sendBookingNotification: jest.fn(async () => ({ status: 'sent', notificationId: 'ntf_1' })),
    planReschedule: jest.fn(async () => ({ kind: 'ok', booking: { ...snapshot, status: 'confirmed' }, plan: { staffId: 'stf_1', resourceId: null, start: '2027-01-12T12:00:00.000Z', end: '2027-01-12T13:00:00.000Z', blockedStart: '2027-01-12T12:00:00.000Z', blockedEnd: '2027-01-12T13:00:00.000Z' } })),
    holdRescheduleSlot: jest.fn(async () => ({ kind: 'conflict', alternatives: [] })),
    releaseRescheduleHold: jest.fn(async () => ({ released: 0 })),
    recordSyncFailure: jest.fn(async () => ({ failureId: 'syf_1' })),
    invalidateAvailability: jest.fn(async () => undefined),
    refreshCalendarBusy: jest.fn(async () => undefined),
    scanCalendarDrift: jest.fn(async () => ({ kind: 'ok', examined: 3, unresolved: 1, requests: 2, events: [event(), event({ trigger: 'BOOKING_RESCHEDULED', uid: 'uid-2', previousUid: 'uid-1' })] })),
    finishCalendarReconcile: jest.fn(async () => undefined),
    ...over,
  };
}

async function run<T>(workflow: string, args: unknown[], activities: Record<string, jest.Mock>, record?: string): Promise<T> {
  const env = await getTimeSkippingEnv();
  const taskQueue = `calendar-sync-${randomUUID()}`;
  const worker = await createTestWorker({ connection: env.nativeConnection, taskQueue, workflowBundle: await bundleOnce(), activities });
  const workflowId = `wf-${randomUUID()}`;
  try {
    return await worker.runUntil(env.client.workflow.execute(workflow, { workflowId, taskQueue, args }));
  } finally {
    if (record && process.env.RECORD_HISTORIES) {
      const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
      const file = path.join(__dirname, '..', 'replay', 'histories', `${record}.json`);
      fs.writeFileSync(file, `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 1)}\n`);
    }
  }
}

describe('calendarInboundWorkflow', () => {
  it('a cancellation in Cal.com cancels here, wakes the waiting lists and mails the customer', async () => {
    const acts = stubs();
    const result = await run('calendarInboundWorkflow', [{ connectionId: 'cal_1', event: event(), source: 'webhook' }], acts, 'calendar-inbound-cancelled');
    expect(result).toEqual({ kind: 'cancelled', bookingId: 'bkg_1' });
    expect(acts.cancelBookingFromCalendar).toHaveBeenCalledWith(expect.objectContaining({ bookingId: 'bkg_1', uid: 'uid-1', dedupeKey: 'calcom-inbound-cal_1-uid-1-BOOKING_CANCELLED:cancelled' }));
    expect(acts.fanOutSlotFreed).toHaveBeenCalledWith(expect.objectContaining({ bookingId: 'bkg_1', reason: 'cancelled' }));
    expect(acts.sendBookingNotification).toHaveBeenCalledWith(expect.objectContaining({ kind: 'booking_cancelled' }));
  });

  it('a move onto a time busy here releases the hold and opens an inbound_reschedule sync failure', async () => {
    const acts = stubs();
    const result = await run('calendarInboundWorkflow', [{ connectionId: 'cal_1', event: event({ trigger: 'BOOKING_RESCHEDULED', uid: 'uid-2', previousUid: 'uid-1' }), source: 'webhook' }], acts, 'calendar-inbound-reschedule-refused');
    expect(result).toMatchObject({ kind: 'reschedule_refused', bookingId: 'bkg_1', syncFailureId: 'syf_1' });
    expect(acts.releaseRescheduleHold).toHaveBeenCalled();
    expect(acts.recordSyncFailure).toHaveBeenCalledWith(expect.objectContaining({ operation: 'inbound_reschedule' }));
    expect(acts.sendBookingNotification).not.toHaveBeenCalled();
  });
});

describe('calendarReconcileWorkflow', () => {
  it('applies the scanned changes through the inbound steps and records repaired/open', async () => {
    const acts = stubs();
    const result = await run('calendarReconcileWorkflow', [{ connectionId: 'cal_1' }], acts, 'calendar-reconcile-repaired');
    expect(result).toEqual({ kind: 'done', connectionId: 'cal_1', examined: 3, repaired: 1, open: 2, requests: 2 });
    expect(acts.finishCalendarReconcile).toHaveBeenCalledWith({ connectionId: 'cal_1', repaired: 1, open: 2 });
  });

  it('Cal.com down: the scan fails after its retries (time skipped) and nothing is changed or recorded', async () => {
    const acts = stubs({ scanCalendarDrift: jest.fn(async () => { throw new Error('Cal.com list answered 503'); }) });
    await expect(run('calendarReconcileWorkflow', [{ connectionId: 'cal_1' }], acts, 'calendar-reconcile-scan-failed')).rejects.toThrow();
    expect(acts.scanCalendarDrift).toHaveBeenCalledTimes(3);
    expect(acts.cancelBookingFromCalendar).not.toHaveBeenCalled();
    expect(acts.finishCalendarReconcile).not.toHaveBeenCalled();
  });
});
