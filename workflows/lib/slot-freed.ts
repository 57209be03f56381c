/**
 * Tells every open waiting-list monitor of a branch that a slot was freed (signal contract in
 * waitlist-signals.contract.ts). Signals go out from the workflow, so they are durable and sent
 * once per run; a monitor that closed meanwhile is not an error.
 */
import { getExternalWorkflowHandle, log } from '@temporalio/workflow';
import { slotFreedSignal, type SlotFreedEvent } from '../waitlist-signals.contract';

export async function signalSlotFreed(monitorWorkflowIds: string[], event: SlotFreedEvent): Promise<number> {
  const results = await Promise.allSettled(
    monitorWorkflowIds.map((id) => getExternalWorkflowHandle(id).signal(slotFreedSignal, event)),
  );
  const delivered = results.filter((r) => r.status === 'fulfilled').length;
  if (delivered < results.length) log.info('some waiting-list monitors were gone', { delivered, total: results.length });
  return delivered;
}
