/** Readable text of a failure from an activity chain (ActivityFailure → ApplicationFailure). */
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';

export function describeFailure(error: unknown): string {
  let current: unknown = error;
  while (current instanceof ActivityFailure && current.cause) current = current.cause;
  if (current instanceof ApplicationFailure) return current.type ? `${current.type}: ${current.message}` : current.message;
  if (current instanceof Error) return current.message;
  return String(current);
}

