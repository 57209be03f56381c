/** Stops what global-setup.ts started (nothing under `npm test`, which owns the services). */
import { HARNESS_KEY, type HarnessState } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const state = (globalThis as Record<string, unknown>)[HARNESS_KEY] as HarnessState | undefined;
  if (!state) return;
  delete (globalThis as Record<string, unknown>)[HARNESS_KEY];
  await state.supervisor.stopAll();
}
