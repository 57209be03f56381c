/**
 * The console in a real browser (Debian's Chromium through playwright-core) against the real
 * stack: createApp served on a free port over the test database, the Temporal dev server and an
 * in-process worker with its own Cal.com emulator (test/integration/booking-http.helpers.ts).
 * What people do, by clicks: the front desk books a free slot for a customer found by name and
 * moves it; support retries a sync failure injected through the emulator until it resolves; the
 * manager's heat map shows the bookings just made (the customer pages: customer-pages.browser.test.ts). Every page passes axe-core with no serious or
 * critical violation, runs under its CSP without refusals, and leaves a screenshot in test-results/.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { DateTime } from 'luxon';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { bookingBody, postBooking, setFaults, startBookingStack, type BookingStack } from '../integration/booking-http.helpers';
import { rawGet } from '../harness/raw-get';
import { getTestEnv } from '../harness/temporal';
import { startWebhookReceiver } from '../harness/webhook-receiver';
import { WEBHOOK_DISPATCHER_WORKFLOW } from '../../workflows/webhook-delivery.contract';
import { ensureConsoleBuilt, launchBrowser, screenshot, seriousViolations, watchPage } from './browser';

const ZONE = 'Europe/Berlin';
/** A Monday at least two weeks ahead (inside the branch's advance window). */
const monday = DateTime.now().setZone(ZONE).startOf('day').plus({ days: 14 }).startOf('week');
const day = monday.toISODate() as string;
const at = (hm: string, base = monday) => {
  const [hour, minute] = hm.split(':').map(Number);
  return base.set({ hour, minute }).toISO({ suppressMilliseconds: true }) as string;
};

let stack: BookingStack;
let server: http.Server;
let baseUrl: string;
let browser: Browser;
let context: BrowserContext;

async function checkedPage(page: Page, problems: string[], name: string): Promise<void> {
  await screenshot(page, name);
  expect(await seriousViolations(page)).toEqual([]);
  expect(problems).toEqual([]);
}

async function signIn(page: Page, key: string): Promise<void> {
  await page.goto(`${baseUrl}/console`);
  await page.getByLabel('Company API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Sections' }).waitFor();
}

describe('console in a browser', () => {
  beforeAll(async () => {
    ensureConsoleBuilt();
    stack = await startBookingStack('console-browser');
    server = http.createServer(stack.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  }, 120_000);
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: ZONE });
  });
  afterEach(async () => {
    // What the browser showed at the end of each test (the first thing to look at when one fails).
    const name = (expect.getState().currentTestName ?? 'test').replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
    for (const [index, page] of (context?.pages() ?? []).entries()) await screenshot(page, `end-${name}-${index}`).catch(() => undefined);
    await context?.close();
  });
  afterAll(async () => {
    await setFaults(stack.emulator, { mode: 'none' }).catch(() => undefined);
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    await stack?.close();
  });

  it('serves the app at /console, /book/:branchId and /b/:token with its own CSP, and keeps the key out of storage other than the session', async () => {
    for (const path of ['/console', '/console/front-desk', `/book/${stack.catalog.branchId}`, '/b/some-token']) {
      const res = await request(stack.app).get(path);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.text).toContain('<div id="root">');
    }
    const config = await request(stack.app).get('/console/config.json');
    expect(config.body).toEqual({ temporalUiUrl: expect.any(String), temporalNamespace: 'default' });
    expect((await request(stack.app).get('/console/assets/nope.js')).status).toBe(404);
    // Assets: the build's Brotli or gzip copy when the client takes one, the file itself otherwise.
    const script = /src="(\/console\/assets\/index-[^"]+\.js)"/.exec((await request(stack.app).get('/console')).text)?.[1];
    expect(script).toBeDefined();
    const raw = (acceptEncoding?: string) => rawGet(`${baseUrl}${script}`, acceptEncoding ? { 'Accept-Encoding': acceptEncoding } : {});
    const identity = await raw();
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(identity.headers['cache-control']).toContain('immutable');
    for (const [accept, encoding, decode] of [['gzip, deflate, br', 'br', brotliDecompressSync], ['gzip', 'gzip', gunzipSync]] as const) {
      const encoded = await raw(accept);
      expect(encoded.headers['content-encoding']).toBe(encoding);
      expect(encoded.headers.vary).toMatch(/Accept-Encoding/i);
      expect(encoded.headers['content-type']).toMatch(/javascript/);
      expect(encoded.headers['content-security-policy']).toContain("script-src 'self'");
      expect(encoded.body.length).toBeLessThan(identity.body.length / 2);
      expect(decode(encoded.body).equals(identity.body)).toBe(true);
    }

    const page = await context.newPage();
    const problems = watchPage(page);
    const assetEncodings = new Map<string, string | undefined>();
    page.on('response', (res) => {
      if (res.url().includes('/console/assets/') && res.url().endsWith('.js')) assetEncodings.set(res.url(), res.headers()['content-encoding']);
    });
    await page.goto(`${baseUrl}/console`);
    await checkedPage(page, problems, 'console-sign-in');
    // Chromium takes Brotli: every script it loaded came compressed.
    expect(assetEncodings.size).toBeGreaterThan(0);
    expect([...assetEncodings.values()].every((e) => e === 'br')).toBe(true);
    await page.getByLabel('Company API key').fill('not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'This key is not valid.' }).waitFor();

    await signIn(page, stack.company.key);
    const stored = (await page.evaluate('({ session: { ...sessionStorage }, local: { ...localStorage }, cookies: document.cookie, url: location.href })')) as {
      session: Record<string, string>;
      local: Record<string, string>;
      cookies: string;
      url: string;
    };
    expect(Object.values(stored.session)).toContain(stack.company.key);
    expect(JSON.stringify(stored.local)).not.toContain(stack.company.key);
    expect(stored.cookies).toBe('');
    expect(stored.url).not.toContain(stack.company.key);
  });

  it('front desk: books a free slot for a customer found by name, then reschedules it, by clicks', async () => {
    const page = await context.newPage();
    const problems = watchPage(page);
    const requests: string[] = [];
    page.on('request', (req) => requests.push(req.url()));
    await signIn(page, stack.company.key);
    await page.getByRole('link', { name: 'Front desk' }).click();
    await page.getByLabel('Date').fill(day);
    await page.getByRole('button', { name: 'Book Anna at 10:00' }).click();

    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Find customer').fill('carl');
    await dialog.getByRole('button', { name: 'Search' }).click();
    await dialog.getByRole('button', { name: 'Carla' }).click();
    await dialog.getByRole('button', { name: 'Book', exact: true }).click();
    await dialog.getByText('Booked for Carla: confirmed').waitFor({ timeout: 30_000 });
    await screenshot(page, 'front-desk-booked');
    await dialog.getByRole('button', { name: 'Done' }).click();

    const list = await request(stack.app).get('/v1/bookings').query({ branchId: stack.catalog.branchId, from: day, to: day }).set(stack.company.auth);
    const booked = list.body.data.find((b: { customerId: string; status: string }) => b.customerId === stack.catalog.customerId && b.status === 'confirmed');
    expect(booked).toMatchObject({ staffId: stack.catalog.staff.anna, start: at('10:00'), source: 'phone' });

    // The booking is on the grid; open it and move it to 14:00 by clicks.
    const block = page.getByRole('button', { name: /^10:00–11:00 Carla · Haircut confirmed/ });
    await block.waitFor();
    await block.click();
    await page.getByRole('dialog').getByRole('button', { name: 'Reschedule' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Move to 14:00' }).click();
    await page.getByRole('button', { name: /^14:00–15:00 Carla · Haircut confirmed/ }).waitFor({ timeout: 30_000 });
    const moved = await request(stack.app).get(`/v1/bookings/${booked.id}`).set(stack.company.auth);
    expect(moved.body).toMatchObject({ status: 'confirmed', start: at('14:00'), rescheduledCount: 1 });
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await checkedPage(page, problems, 'front-desk-day');
    // The key travelled as a header only.
    expect(requests.filter((url) => url.includes(stack.company.key))).toEqual([]);
  });

  it('front desk: shades breaks and time off, offers the alternatives when a slot is taken meanwhile, and cancels', async () => {
    const ben = stack.catalog.staff.ben;
    const hours = { start: '09:00', end: '18:00' };
    const weekdays = Object.fromEntries(['monday', 'tuesday', 'wednesday', 'thursday', 'friday'].map((d) => [d, [hours]]));
    expect((await request(stack.app).patch(`/v1/staff/${ben}`).set(stack.company.auth).send({ workingHours: weekdays, breaks: { monday: [{ start: '12:00', end: '12:30' }] } })).status).toBe(200);
    const off = await request(stack.app).post(`/v1/staff/${ben}/time-off`).set(stack.company.auth).send({ start: at('15:00'), end: at('16:00'), reason: 'dentist' });
    expect(off.status).toBe(201);

    const page = await context.newPage();
    const problems = watchPage(page);
    await signIn(page, stack.company.key);
    await page.getByRole('link', { name: 'Front desk' }).click();
    await page.getByLabel('Date').fill(day);
    const benColumn = page.getByRole('group', { name: "Ben's day" });
    await benColumn.locator('.shade-break[title="Break 12:00–12:30"]').waitFor();
    await benColumn.locator('.shade-time-off[title="Time off: dentist 15:00–16:00"]').waitFor();
    await expect(benColumn.getByRole('button', { name: 'Book Ben at 15:00' }).count()).resolves.toBe(0);
    await expect(benColumn.getByRole('button', { name: 'Book Ben at 12:00' }).count()).resolves.toBe(0);

    // Ben at 09:00 is taken by another desk while this one picks the customer.
    await page.getByRole('button', { name: 'Book Ben at 09:00' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Find customer').fill('Carla');
    await dialog.getByRole('button', { name: 'Search' }).click();
    await dialog.getByRole('button', { name: 'Carla' }).click();
    const other = await postBooking(stack, bookingBody(stack.catalog, at('09:00'), { staffId: ben }));
    expect(other.status).toBe(201);
    await dialog.getByRole('button', { name: 'Book', exact: true }).click();
    await dialog.getByText('Free instead:').waitFor({ timeout: 30_000 });
    await screenshot(page, 'front-desk-alternatives');
    await dialog.locator('.alternatives button').first().click();
    await dialog.getByText(/^Booked for Carla: confirmed/).waitFor({ timeout: 30_000 });
    await dialog.getByRole('button', { name: 'Done' }).click();

    // Cancel the other desk's booking from the grid: it leaves the grid and 09:00 is free again.
    await page.getByRole('button', { name: /^09:00–10:00 Carla · Haircut confirmed/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel booking' }).click();
    await page.getByRole('dialog').locator('.pill.status-cancelled').waitFor({ timeout: 30_000 });
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Book Ben at 09:00' }).waitFor({ timeout: 15_000 });
    const cancelled = await request(stack.app).get(`/v1/bookings/${other.body.id}`).set(stack.company.auth);
    expect(cancelled.body.status).toBe('cancelled');
    await checkedPage(page, problems, 'front-desk-shaded');
  });

  it('support: retries a sync failure injected through the emulator and shows it resolved', async () => {
    await setFaults(stack.emulator, { mode: 'error', status: 400, operations: ['create'] });
    const refused = await postBooking(stack, bookingBody(stack.catalog, at('11:00', monday.plus({ days: 1 })), { staffId: stack.catalog.staff.ben }));
    expect(refused.status).toBe(502);
    await setFaults(stack.emulator, { mode: 'none' });

    const page = await context.newPage();
    const problems = watchPage(page);
    await signIn(page, stack.company.key);
    await page.getByRole('link', { name: 'Support' }).click();
    const card = page.getByRole('listitem', { name: /^Sync failure / }).filter({ hasText: refused.body.bookingId });
    await card.getByText('Carla').waitFor();
    await expect(card.getByRole('link', { name: 'Booking workflow in Temporal UI' }).getAttribute('href')).resolves.toMatch(/\/namespaces\/default\/workflows\/booking-/);
    await checkedPage(page, problems, 'support-open');
    await card.getByRole('button', { name: 'Retry' }).click();
    await page.getByText('Retry succeeded: the calendar accepted; resolved.').waitFor({ timeout: 45_000 });
    await screenshot(page, 'support-resolved');
    const failures = await request(stack.app).get('/v1/sync-failures').query({ status: 'resolved' }).set(stack.company.auth);
    expect(failures.body.data.map((f: { bookingId: string }) => f.bookingId)).toContain(refused.body.bookingId);
  });

  it('manager pages: catalog edits, a key created and revoked, integrations; support and booking keys see their sections only', async () => {
    const page = await context.newPage();
    const problems = watchPage(page);
    await signIn(page, stack.company.key);
    await page.getByRole('link', { name: 'Catalog' }).click();
    const name = page.getByRole('textbox', { name: 'Service name' }).first();
    await name.fill('Haircut deluxe');
    await page.getByRole('button', { name: 'Save', exact: true }).first().click();
    await page.getByRole('status').filter({ hasText: 'saved' }).first().waitFor();
    const service = await request(stack.app).get(`/v1/services/${stack.catalog.serviceId}`).set(stack.company.auth);
    expect(service.body.name).toBe('Haircut deluxe');
    expect((await request(stack.app).patch(`/v1/services/${stack.catalog.serviceId}`).set(stack.company.auth).send({ name: 'Haircut' })).status).toBe(200);
    await checkedPage(page, problems, 'catalog');

    await page.getByRole('link', { name: 'Keys' }).click();
    // The catalog's name fields stay until the keys page has rendered.
    await page.getByRole('button', { name: 'Create key' }).waitFor();
    await page.getByLabel('Name').fill('temp desk');
    await page.getByLabel('Role').selectOption('support');
    await page.getByRole('button', { name: 'Create key' }).click();
    const shown = await page.getByRole('status').locator('code').textContent();
    expect(shown).toBeTruthy();
    const supportKey = String(shown);
    expect((await request(stack.app).get('/v1/sync-failures').set('Authorization', `Bearer ${supportKey}`)).status).toBe(200);
    await checkedPage(page, problems, 'keys');

    // Connect a Cal.com account of the emulator by its key, through the form.
    const account = (await (await fetch(`${stack.emulator.url}/__control/accounts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as { apiKey: string };
    await page.getByRole('link', { name: 'Integrations' }).click();
    await page.getByRole('heading', { name: 'Calendar connections (Cal.com)' }).waitFor();
    await page.getByLabel('Name', { exact: true }).first().fill('Salon calendar');
    await page.getByLabel('Base URL').fill(stack.emulator.url);
    await page.getByLabel('API key').fill(account.apiKey);
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.getByRole('status').filter({ hasText: 'Connected "Salon calendar".' }).waitFor({ timeout: 15_000 });
    await page.getByRole('cell', { name: /^Salon calendar/ }).waitFor();
    const connections = await request(stack.app).get('/v1/calendar-connections').set(stack.company.auth);
    expect(connections.body.data).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Salon calendar', status: 'active' })]));
    expect(JSON.stringify(connections.body)).not.toContain(account.apiKey);
    await checkedPage(page, problems, 'integrations');

    // The support key sees support and the dashboard, not the front desk or the manager's pages.
    const supportPage = await context.newPage();
    await signIn(supportPage, supportKey);
    const nav = supportPage.getByRole('navigation', { name: 'Sections' });
    await expect(nav.getByRole('link').allTextContents()).resolves.toEqual(['Support', 'Dashboard']);
    await supportPage.close();
    const keyOf = async (role: string) => (await request(stack.app).post('/v1/api-keys').set(stack.company.auth).send({ name: `${role} key`, role })).body.apiKey as string;
    const bookingPage = await context.newPage();
    await signIn(bookingPage, await keyOf('booking'));
    await expect(bookingPage.getByRole('navigation', { name: 'Sections' }).getByRole('link').allTextContents()).resolves.toEqual(['Front desk']);
    await bookingPage.close();
    const publicPage = await context.newPage();
    await publicPage.goto(`${baseUrl}/console`);
    await publicPage.getByLabel('Company API key').fill(await keyOf('public'));
    await publicPage.getByRole('button', { name: 'Sign in' }).click();
    await publicPage.getByRole('alert').filter({ hasText: 'publishable' }).waitFor();
    await publicPage.close();

    page.once('dialog', (d) => void d.accept());
    await page.getByRole('link', { name: 'Keys' }).click();
    await page.getByRole('button', { name: 'Revoke temp desk' }).click();
    await page.getByRole('cell', { name: /^revoked / }).waitFor();
    let status = 0;
    for (let i = 0; i < 30 && status !== 401; i += 1) {
      status = (await request(stack.app).get('/v1/sync-failures').set('Authorization', `Bearer ${supportKey}`)).status;
      if (status !== 401) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(401);
  });

  it('front desk: a request awaiting approval is coloured on the grid, listed in the queue, approved and declined by clicks', async () => {
    const service = await request(stack.app)
      .post('/v1/services')
      .set(stack.company.auth)
      .send({ branchId: stack.catalog.branchId, name: 'Colour consult', durationMinutes: 30, requiredSkills: ['cut'], requiresApproval: true });
    expect(service.status).toBe(201);
    const wednesday = monday.plus({ days: 2 });
    const ask = (hm: string) => postBooking(stack, bookingBody(stack.catalog, at(hm, wednesday), { serviceId: service.body.id, staffId: stack.catalog.staff.ben }));
    const first = await ask('09:00');
    const second = await ask('10:00');
    expect([first.status, first.body.status, second.body.status]).toEqual([201, 'awaiting_approval', 'awaiting_approval']);

    const page = await context.newPage();
    const problems = watchPage(page);
    await signIn(page, stack.company.key);
    await page.getByRole('link', { name: 'Front desk' }).click();
    await page.getByLabel('Date').fill(wednesday.toISODate() as string);
    const block = page.getByRole('button', { name: /^09:00–09:30 Carla · Colour consult awaiting approval/ });
    await block.waitFor({ timeout: 15_000 });
    await expect(block.getAttribute('class')).resolves.toContain('status-awaiting_approval');
    const queue = page.getByRole('region', { name: /^Awaiting approval/ });
    await queue.getByRole('heading', { name: 'Awaiting approval (2)' }).waitFor();
    await checkedPage(page, problems, 'front-desk-approvals');
    // The request's own dialog offers what the API accepts for it: approve, decline, cancel; no move.
    await block.click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Approve' }).waitFor();
    expect(await dialog.getByRole('button', { name: 'Cancel booking' }).count()).toBe(1);
    expect(await dialog.getByRole('button', { name: 'Reschedule' }).count()).toBe(0);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    await queue.getByRole('listitem').filter({ hasText: '09:00' }).getByRole('button', { name: 'Approve' }).click();
    await queue.getByRole('status').filter({ hasText: /: confirmed\.$/ }).waitFor({ timeout: 30_000 });
    await queue.getByRole('listitem').filter({ hasText: '10:00' }).getByRole('button', { name: 'Decline' }).click();
    await queue.getByRole('status').filter({ hasText: /: declined\.$/ }).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: /^09:00–09:30 Carla · Colour consult confirmed/ }).waitFor({ timeout: 15_000 });
    const approved = await request(stack.app).get(`/v1/bookings/${first.body.id}`).set(stack.company.auth);
    const declined = await request(stack.app).get(`/v1/bookings/${second.body.id}`).set(stack.company.auth);
    expect([approved.body.status, declined.body.status]).toEqual(['confirmed', 'declined']);
    await checkedPage(page, problems, 'front-desk-approved');
  });

  it('manager: adds a webhook endpoint (secret shown once), sees its delivery and sends it again', async () => {
    const receiver = await startWebhookReceiver();
    const { client } = await getTestEnv();
    const dispatcherId = `webhook-dispatcher-${stack.taskQueue}`;
    await client.workflow.start(WEBHOOK_DISPATCHER_WORKFLOW, { workflowId: dispatcherId, taskQueue: stack.taskQueue, args: [{ runMs: 120_000, pollMs: 300, baseBackoffMs: 300 }] });
    try {
      const page = await context.newPage();
      const problems = watchPage(page);
      await signIn(page, stack.company.key);
      await page.getByRole('link', { name: 'Webhooks' }).click();
      await page.getByRole('heading', { name: 'Webhook endpoints' }).waitFor();
      await page.getByLabel('URL').fill(receiver.url('/ok'));
      await page.getByLabel('Description').fill('partner CRM');
      await page.getByRole('button', { name: 'Add endpoint' }).click();
      const secret = String(await page.getByRole('status').filter({ hasText: 'Signing secret of' }).locator('code').textContent());
      expect(secret).toMatch(/^whsec_/);
      const listed = await request(stack.app).get('/v1/webhook-endpoints').set(stack.company.auth);
      expect(listed.body.data).toEqual([expect.objectContaining({ url: receiver.url('/ok'), description: 'partner CRM' })]);
      expect(JSON.stringify(listed.body)).not.toContain(secret);

      const booked = await postBooking(stack, bookingBody(stack.catalog, at('16:00', monday.plus({ days: 3 })), { staffId: stack.catalog.staff.ben }));
      expect(booked.status).toBe(201);
      const deliveries = page.getByRole('table', { name: `Deliveries to ${receiver.url('/ok')}` });
      const row = deliveries.getByRole('row', { name: /^booking\.confirmed delivered 1 204 / });
      await row.waitFor({ timeout: 30_000 });
      await checkedPage(page, problems, 'webhooks');

      await row.getByRole('button', { name: 'Send again booking.confirmed delivery' }).click();
      await page.getByRole('status').filter({ hasText: 'Retrying the booking.confirmed delivery.' }).waitFor();
      await deliveries.getByRole('row', { name: /^booking\.confirmed delivered 2 204 / }).waitFor({ timeout: 30_000 });
      const sent = receiver.on('/ok').filter((r) => (JSON.parse(r.body) as { data: { id: string } }).data.id === booked.body.id);
      expect(sent.length).toBeGreaterThanOrEqual(2);
      expect(new Set(sent.map((r) => r.headers['webhook-id'])).size).toBe(1);
      expect(sent[0]?.headers['webhook-signature']).toMatch(/^v1,/);
    } finally {
      await client.workflow.getHandle(dispatcherId).terminate('test over').catch(() => undefined);
      await receiver.close();
    }
  });

  it('dashboard: the popular-times heat map shows the bookings just made', async () => {
    const page = await context.newPage();
    const problems = watchPage(page);
    await signIn(page, stack.company.key);
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('img', { name: /^Heat map of bookings by weekday and hour/ }).waitFor();
    await page.getByText('Popular times as a table').click();
    // Monday 14:00 (the moved front-desk booking) and Tuesday 11:00 (the retried one), counted once each.
    const table = page.locator('table.data').first();
    await table.getByRole('row', { name: 'Mon 14:00 1' }).waitFor({ timeout: 15_000 });
    await table.getByRole('row', { name: 'Tue 11:00 1' }).waitFor();
    // The chart drew a cell for them (ECharts SVG renderer).
    expect(await page.locator('.chart svg path, .chart svg rect').count()).toBeGreaterThan(2);
    // Rates over time and the staff comparison (interval= and groupBy= of the analytics API).
    await page.getByRole('img', { name: /^Bookings, cancellations and no-shows per week/ }).waitFor();
    const staff = page.locator('table.data').filter({ has: page.getByRole('columnheader', { name: 'Staff member' }) });
    const analytics = await request(stack.app).get('/v1/analytics').query({ branchId: stack.catalog.branchId, from: monday.minus({ days: 20 }).toISODate(), to: monday.plus({ days: 10 }).toISODate(), groupBy: 'staff' }).set(stack.company.auth);
    const anna = analytics.body.groups.find((g: { name: string }) => g.name === 'Anna');
    expect(anna.bookings).toBeGreaterThan(0);
    await staff.getByRole('row', { name: new RegExp(`^Anna ${anna.bookings} `) }).waitFor();
    await checkedPage(page, problems, 'dashboard');
  });
});
