/**
 * Jest global setup. Under `npm test` (BOOKING_TEST_SERVICES=ready) everything is already running
 * and in the environment, so this does nothing. When Jest is run directly (`npx jest some/file`),
 * it brings up the same things itself: the Temporal dev server (reusing one that answers),
 * PostgreSQL with a migrated booking_test database, and in this process the Cal.com emulator,
 * SMTP sink and SMS sink. Whatever it started, global-teardown.ts stops.
 */
import { Supervisor } from '../../scripts/lib/processes';
import { startBaseServices } from '../../scripts/lib/services';
import { startSideServices } from '../../scripts/lib/side-services';
import { testDatabaseName } from '../../scripts/lib/test-database';

export interface HarnessState {
  supervisor: Supervisor;
}

/** Global setup and teardown share this process's globalThis (not the test files'). */
export const HARNESS_KEY = '__bookingHarness';

export default async function globalSetup(): Promise<void> {
  if (process.env.BOOKING_TEST_SERVICES === 'ready') return;
  const startedAt = Date.now();
  console.log('\n[harness] Jest run directly: starting the test services');
  const supervisor = new Supervisor();
  (globalThis as Record<string, unknown>)[HARNESS_KEY] = { supervisor } satisfies HarnessState;
  try {
    const base = await startBaseServices(supervisor, {
      dbName: testDatabaseName(),
      honourDatabaseUrl: false,
      recreateOnFailedMigration: true,
      temporal: {},
    });
    const side = await startSideServices({ calcomPort: 5556, smtpPort: 2526, smtpApiPort: 2581 });
    supervisor.add('side services', side.close);
    Object.assign(process.env, side.env, {
      BOOKING_TEST_SERVICES: 'ready',
      DATABASE_URL: base.databaseUrl,
      TEMPORAL_ADDRESS: base.temporalAddress,
    });
    if (base.redisUrl) process.env.REDIS_URL = base.redisUrl;
    console.log(`[harness] services ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  } catch (error) {
    await supervisor.stopAll();
    throw error;
  }
}
