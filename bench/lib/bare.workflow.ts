/**
 * The booking benchmark's baseline: a workflow that runs `steps` no-op activities one after the
 * other, as the booking saga's happy path runs its activities (plan, hold, calendar create,
 * confirm, notify, invalidate cache). Measures what Temporal itself costs on this machine, so
 * the saga's throughput can be read as a fraction of it. Bundled on its own (bench only).
 */
import { proxyActivities } from '@temporalio/workflow';

export interface BareActivities {
  noop(step: number): Promise<void>;
}

const { noop } = proxyActivities<BareActivities>({ startToCloseTimeout: '10 seconds' });

export async function bareStepsWorkflow(steps: number): Promise<number> {
  for (let step = 0; step < steps; step += 1) await noop(step);
  return steps;
}
