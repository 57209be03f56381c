/**
 * Closed-loop load: `concurrency` clients, each sending its next request as soon as the previous
 * one answered, until the shared list of tasks is used up. Every task's latency and outcome label
 * (e.g. the HTTP status) are kept, so percentiles and counts can be printed and a run whose
 * requests failed cannot pass for a fast one.
 */
import { summarize, type Summary } from './stats';

export interface ClosedLoopResult {
  latency: Summary;
  /** Wall time from the first send to the last answer, ms. */
  wallMs: number;
  /** Completed tasks per second of wall time. */
  perSecond: number;
  /** Outcome label → count. */
  outcomes: Record<string, number>;
}

export async function runClosedLoop<T>(tasks: T[], concurrency: number, run: (task: T) => Promise<string>): Promise<ClosedLoopResult> {
  const samples: number[] = [];
  const outcomes: Record<string, number> = {};
  let next = 0;
  const started = performance.now();
  const client = async () => {
    while (next < tasks.length) {
      const task = tasks[next++];
      const t = performance.now();
      let label: string;
      try {
        label = await run(task);
      } catch (error) {
        label = `error: ${(error as Error).message.slice(0, 80)}`;
      }
      samples.push(performance.now() - t);
      outcomes[label] = (outcomes[label] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, client));
  const wallMs = performance.now() - started;
  return { latency: summarize(samples), wallMs, perSecond: (tasks.length * 1000) / wallMs, outcomes };
}

export function formatOutcomes(outcomes: Record<string, number>): string {
  return Object.entries(outcomes)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([label, n]) => `${label}: ${n}`)
    .join(', ');
}
