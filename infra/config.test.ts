import { DEV_CALENDAR_SECRET_KEY, loadConfig } from './config';

const production = { NODE_ENV: 'production', DATABASE_URL: 'postgresql://db/x', ADMIN_API_KEY: 'admin' };

describe('config: calendar settings', () => {
  it('production demands CALENDAR_SECRET_KEY and no longer CALCOM_API_KEY (keys are per company now)', () => {
    expect(() => loadConfig(production)).toThrow(/CALENDAR_SECRET_KEY/);
    expect(() => loadConfig(production)).not.toThrow(/CALCOM_API_KEY/);
    const config = loadConfig({ ...production, CALENDAR_SECRET_KEY: 'k1=' + 'ab'.repeat(32) });
    expect(config.calendarSecretKey).toBe('k1=' + 'ab'.repeat(32));
  });

  it('development has working defaults: the dev secret key, a 15-minute reconciliation, PUBLIC_BASE_URL from PORT', () => {
    const config = loadConfig({ PORT: '31000' });
    expect(config.calendarSecretKey).toBe(DEV_CALENDAR_SECRET_KEY);
    expect(config.calendarReconcileIntervalMs).toBe(15 * 60_000);
    expect(config.publicBaseUrl).toBe('http://127.0.0.1:31000');
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://book.example.com/', CALENDAR_RECONCILE_INTERVAL: '5m' })).toMatchObject({ publicBaseUrl: 'https://book.example.com', calendarReconcileIntervalMs: 300_000 });
  });
});
