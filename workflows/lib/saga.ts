/**
 * Saga helper (STYLE.md principle 7). The undo of a step is registered BEFORE the step runs,
 * because a step can succeed remotely and still time out locally; every undo must therefore be
 * idempotent and a no-op when there is nothing to undo. `compensate()` runs the undos newest
 * first in a non-cancellable scope (so a cancelled workflow still cleans up), attempts every one
 * of them, and rethrows if any failed: a failed undo is never swallowed.
 */
import { ApplicationFailure, CancellationScope, log, metricMeter } from '@temporalio/workflow';

export type Undo = () => Promise<unknown>;

export class Saga {
  private readonly undos: Array<{ name: string; run: Undo }> = [];

  /** Register the undo of the step about to run. */
  addUndo(name: string, run: Undo): void {
    this.undos.unshift({ name, run });
  }

  get pending(): readonly string[] {
    return this.undos.map((u) => u.name);
  }

  async compensate(): Promise<void> {
    const undos = this.undos.splice(0);
    const failures: Array<{ name: string; error: unknown }> = [];
    await CancellationScope.nonCancellable(async () => {
      for (const undo of undos) {
        // Business metric (no command; silent during replay): booking_compensations
        // {step}; the workflow meter adds namespace, taskQueue and workflowType itself.
        metricMeter.createCounter('booking_compensations', 'undos', 'Saga undo steps run, by step').add(1, { step: undo.name });
        try {
          await undo.run();
        } catch (error) {
          log.error('compensation step failed', { step: undo.name, error: String(error) });
          failures.push({ name: undo.name, error });
        }
      }
    });
    if (failures.length > 0) {
      // An ApplicationFailure fails the workflow (visible to operators) instead of retrying the
      // workflow task forever on a deterministic replay of the same failed undo.
      throw ApplicationFailure.create({
        type: 'CompensationFailed',
        nonRetryable: true,
        message: `compensation failed for: ${failures.map((f) => f.name).join(', ')}`,
        details: failures.map((f) => ({ step: f.name, error: String(f.error) })),
      });
    }
  }
}
