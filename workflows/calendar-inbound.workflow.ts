/**
 * One inbound Cal.com event (a webhook delivery), applied durably: see lib/calendar-inbound-steps.ts
 * for what each trigger does here, its compensation and its idempotency. The workflow id derives
 * from the event (calendar-inbound.contract.ts), so a redelivery starts nothing new; a change
 * already applied (by an earlier delivery, by reconciliation, or made by us) is ignored.
 */
import { upsertMemo } from '@temporalio/workflow';
import type { CalendarInboundInput, CalendarInboundResult } from './calendar-inbound.contract';
import { applyInboundEvent } from './lib/calendar-inbound-steps';

export async function calendarInboundWorkflow(input: CalendarInboundInput): Promise<CalendarInboundResult> {
  const result = await applyInboundEvent(input);
  upsertMemo({ summary: `${input.event.trigger} ${input.event.uid}: ${result.kind}${'reason' in result ? ` (${result.reason})` : ''}` });
  return result;
}
