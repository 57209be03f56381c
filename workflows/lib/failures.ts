/** Readable text and type of a failure from an activity chain (ActivityFailure → ApplicationFailure). */
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';

export function describeFailure(error: unknown): string {
  let current: unknown = error;
  while (current instanceof ActivityFailure && current.cause) current = current.cause;
  if (current instanceof ApplicationFailure) return current.type ? `${current.type}: ${current.message}` : current.message;
  if (current instanceof Error) return current.message;
  return String(current);
}


/** The `type` of the ApplicationFailure behind an activity failure, if there is one. */
export function failureType(error: unknown): string | undefined {
  let current: unknown = error;
  while (current instanceof ActivityFailure && current.cause) current = current.cause;
  return current instanceof ApplicationFailure ? (current.type ?? undefined) : undefined;
}
