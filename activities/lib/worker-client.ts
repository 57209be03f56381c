import { Context } from '@temporalio/activity';

/**
 * The Temporal client of the worker running the current activity, or undefined outside a worker
 * (activities called directly, as in tests), where there is nobody to signal.
 */
export function workerClient(): Context['client'] | undefined {
  try {
    return Context.current().client;
  } catch {
    return undefined;
  }
}
