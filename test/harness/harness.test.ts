/**
 * The harness itself: the services the global setup promised are really there, with the state the
 * suites rely on (booking search attributes registered, test database migrated, sink answering).
 */
import { Client } from 'pg';
import { SEARCH_ATTRIBUTES } from '../../scripts/lib/temporal-server';
import { testDatabaseName } from '../../scripts/lib/test-database';
import { testEnv } from './env';
import { getTestEnv } from './temporal';

describe('test harness', () => {
  const env = testEnv();

  it('points at the test database, migrated', async () => {
    expect(new URL(env.databaseUrl).pathname).toBe(`/${testDatabaseName()}`);
    const client = new Client({ connectionString: env.databaseUrl });
    await client.connect();
    try {
      const migrations = await client.query('SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL');
      expect(migrations.rowCount).toBeGreaterThan(0);
      const gist = await client.query("SELECT 1 FROM pg_extension WHERE extname = 'btree_gist'");
      expect(gist.rowCount).toBe(1);
    } finally {
      await client.end();
    }
  });

  it('reaches the Temporal dev server with the booking search attributes registered', async () => {
    const temporal = await getTestEnv();
    const { customAttributes } = await temporal.connection.operatorService.listSearchAttributes({ namespace: env.temporalNamespace });
    expect(Object.keys(customAttributes ?? {})).toEqual(expect.arrayContaining([...SEARCH_ATTRIBUTES]));
  });

  it('has an SMTP sink whose message API answers', async () => {
    expect(env.smtpUrl).toMatch(/^smtp:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${env.smtpSinkApiUrl}/messages`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: unknown };
    // Array.isArray, not expect.any(Array): fetch builds the array in Node's realm, not Jest's.
    expect(Array.isArray(body.data)).toBe(true);
  });
});
