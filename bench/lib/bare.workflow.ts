/**
 * The booking benchmark's baseline: a workflow that runs no-op activities one after the other,
 * in the same order and of the same kinds as the booking saga's happy path ran its steps
 * (regular activities and, since the saga runs plan/hold/confirm on the worker, local ones).
 * Measures what Temporal itself costs on this machine for that shape, so the saga's throughput
 * can be read as a fraction of it. Bundled on its own (bench only).
 */
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';

export interface BareActivities {
  noop(step: number): Promise<void>;
}

export type StepKind = 'remote' | 'local';

const { noop } = proxyActivities<BareActivities>({ startToCloseTimeout: '10 seconds' });
const local = proxyLocalActivities<BareActivities>({ startToCloseTimeout: '10 seconds' });

/** `steps`: a count of regular activities, or the kinds in order. */
export async function bareStepsWorkflow(steps: number | StepKind[]): Promise<number> {
  const kinds: StepKind[] = typeof steps === 'number' ? Array.from({ length: steps }, () => 'remote') : steps;
  for (const [step, kind] of kinds.entries()) await (kind === 'local' ? local.noop(step) : noop(step));
  return kinds.length;
}
