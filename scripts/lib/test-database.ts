/**
 * The test database's name: `booking_test`, or `BOOKING_TEST_DB` when several checkouts of this
 * project run their suites side by side on one PostgreSQL (each with its own TEMPORAL_ADDRESS and
 * REDIS_URL database index as well).
 */
export function testDatabaseName(env: NodeJS.ProcessEnv = process.env): string {
  const name = env.BOOKING_TEST_DB ?? 'booking_test';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`BOOKING_TEST_DB must be a plain lower-case identifier, got ${JSON.stringify(name)}`);
  return name;
}
