/**
 * The customer pages in a real browser (Debian's Chromium through playwright-core) against the
 * real stack (test/integration/booking-http.helpers.ts): a customer books on a phone-sized
 * viewport in German from the first screen to the confirmation with its manage link (a time taken
 * meanwhile offers the alternatives), and a customer moves and cancels an appointment through the
 * self-service link, where a branch rule refuses first and the page says which rule, once, with
 * the cut-off in days (in English, and in German on a second visit). Every step
 * passes axe-core with no serious or critical violation and leaves a screenshot in test-results/.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DateTime } from 'luxon';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { bookingBody, postBooking, startBookingStack, type BookingStack } from '../integration/booking-http.helpers';
import { ensureConsoleBuilt, launchBrowser, screenshot, seriousViolations, watchPage } from './browser';

const ZONE = 'Europe/Berlin';
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, timezoneId: ZONE };

let stack: BookingStack;
let server: http.Server;
let baseUrl: string;
let browser: Browser;
let publicKey: string;

async function checkedPage(page: Page, problems: string[], name: string): Promise<void> {
  await screenshot(page, name);
  expect(await seriousViolations(page)).toEqual([]);
  expect(problems).toEqual([]);
  // Nothing scrolls sideways on a phone.
  await expect(page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).resolves.toBe(true);
}

/** The first Monday to Friday at least `ahead` days from today (branch zone), at 00:00. */
function weekdayAhead(ahead: number): DateTime {
  let d = DateTime.now().setZone(ZONE).startOf('day').plus({ days: ahead });
  while (d.weekday > 5) d = d.plus({ days: 1 });
  return d;
}
const at = (day: DateTime, hm: string) => {
  const [hour, minute] = hm.split(':').map(Number);
  return day.set({ hour, minute }).toISO({ suppressMilliseconds: true }) as string;
};
const tokenOf = (manageUrl: string) => decodeURIComponent(new URL(manageUrl).pathname.replace(/^\/b\//, ''));

async function withContext<T>(locale: string, run: (context: BrowserContext) => Promise<T>): Promise<T> {
  const context = await browser.newContext({ ...PHONE, locale });
  try {
    return await run(context);
  } finally {
    for (const [index, page] of context.pages().entries()) {
      const name = (expect.getState().currentTestName ?? 'test').replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
      await screenshot(page, `end-${name}-${index}`).catch(() => undefined);
    }
    await context.close();
  }
}

describe('customer pages in a browser', () => {
  beforeAll(async () => {
    ensureConsoleBuilt();
    stack = await startBookingStack('customer-pages');
    server = http.createServer(stack.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
    publicKey = (await request(stack.app).post('/v1/api-keys').set(stack.company.auth).send({ name: 'web', role: 'public' })).body.apiKey as string;
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    await stack?.close();
  });

  it('books on a phone in German: service, staff, next free times first, a day, a time taken meanwhile, details, confirmation with the manage link', async () => {
    await withContext('de-DE', async (context) => {
      const page = await context.newPage();
      const problems = watchPage(page);
      const requests: string[] = [];
      page.on('request', (req) => requests.push(`${req.method()} ${new URL(req.url()).pathname}`));
      await page.goto(`${baseUrl}/book/${stack.catalog.branchId}?key=${publicKey}`);
      await page.getByRole('heading', { name: 'Termin buchen · Mitte' }).waitFor();
      await expect(page.evaluate('document.documentElement.lang')).resolves.toBe('de');
      await page.getByRole('group', { name: 'Leistung' }).getByRole('button', { name: /^Haircut/ }).waitFor();
      await checkedPage(page, problems, 'book-1-service-de');

      // Keyboard: the service is chosen with Enter, and the next step's heading takes the focus.
      await page.getByRole('button', { name: /^Haircut/ }).focus();
      await page.keyboard.press('Enter');
      const staffGroup = page.getByRole('group', { name: 'Bei wem' });
      await staffGroup.waitFor();
      await expect(page.evaluate('document.activeElement && document.activeElement.textContent')).resolves.toBe('Bei wem');
      await expect(staffGroup.getByRole('button').allTextContents()).resolves.toEqual(['Egal, wer frei ist', 'Anna', 'Ben']);
      await checkedPage(page, problems, 'book-2-staff-de');
      await staffGroup.getByRole('button', { name: 'Anna' }).click();

      // The next free times come first, in German.
      const next = page.getByRole('group', { name: 'Nächste freie Termine' });
      await next.getByRole('button').first().waitFor();
      expect(await next.getByRole('button').count()).toBeGreaterThan(0);
      // A weekday at least two days ahead, chosen from the day list.
      const day = weekdayAhead(2);
      const dayIndex = Math.round(day.diff(DateTime.now().setZone(ZONE).startOf('day'), 'days').days);
      await page.getByRole('group', { name: 'Tag' }).getByRole('button').nth(dayIndex).click();
      const times = page.getByRole('group', { name: new RegExp(`^Freie Zeiten am ${day.setLocale('de').toFormat('cccc')}`) });
      await times.getByRole('button', { name: '10:00' }).waitFor();
      await checkedPage(page, problems, 'book-3-times-de');

      // 10:00 is taken by the phone meanwhile: the page offers the alternatives.
      const taken = await postBooking(stack, bookingBody(stack.catalog, at(day, '10:00'), { staffId: stack.catalog.staff.anna }));
      expect(taken.status).toBe(201);
      await times.getByRole('button', { name: '10:00' }).click();
      const alternatives = page.getByRole('alert').filter({ hasText: 'Diese Zeit wurde gerade vergeben' });
      await alternatives.waitFor({ timeout: 15_000 });
      await checkedPage(page, problems, 'book-4-alternatives-de');
      const offered = String(await alternatives.getByRole('button').first().textContent());
      expect(offered).toMatch(/Anna$/);
      await alternatives.getByRole('button').first().click();

      // The alternative is held for this customer; the details form comes next.
      await page.getByRole('heading', { name: 'Ihre Angaben' }).waitFor({ timeout: 15_000 });
      await page.getByText(/^Wir halten .* bis \d\d:\d\d Uhr für Sie frei\.$/).waitFor();
      await page.getByLabel('Name').fill('Maria Muster');
      // Neither e-mail nor phone: the page asks for one, nothing is sent.
      await page.getByRole('button', { name: 'Jetzt buchen' }).click();
      await page.getByRole('alert').filter({ hasText: 'Bitte geben Sie eine E-Mail-Adresse oder Telefonnummer an.' }).waitFor();
      expect(requests.filter((r) => r === 'POST /v1/public/bookings')).toEqual([]);
      await page.getByLabel('E-Mail').fill('maria@example.test');
      await checkedPage(page, problems, 'book-5-details-de');
      await page.getByRole('button', { name: 'Jetzt buchen' }).click();

      const done = page.getByRole('heading', { name: 'Ihr Termin ist gebucht' });
      await done.waitFor({ timeout: 30_000 });
      const manage = page.getByRole('link', { name: 'Termin verwalten (absagen oder verschieben)' });
      const manageUrl = String(await manage.getAttribute('href'));
      expect(manageUrl).toMatch(/\/b\/[^/]+$/);
      await checkedPage(page, problems, 'book-6-confirmed-de');

      // The booking is the web channel's, for the customer found or created by e-mail, at the offered time.
      const mine = await request(stack.app).get(`/v1/public/bookings/${encodeURIComponent(tokenOf(manageUrl))}`);
      expect(mine.status).toBe(200);
      const booking = await request(stack.app).get(`/v1/bookings/${mine.body.id}`).query({ expand: 'customer' }).set(stack.company.auth);
      expect(booking.body).toMatchObject({ status: 'confirmed', source: 'web', staffId: stack.catalog.staff.anna, customer: { name: 'Maria Muster', email: 'maria@example.test' } });
      expect(booking.body.start).not.toBe(at(day, '10:00'));
      // The publishable key travels in the page's own link only; nothing is stored.
      await expect(page.evaluate('JSON.stringify({ ...sessionStorage }) + JSON.stringify({ ...localStorage }) + document.cookie')).resolves.not.toContain(publicKey);

      // The manage link opens the self-service page, in German too.
      await page.goto(`${baseUrl}${new URL(manageUrl).pathname}`);
      await page.getByRole('heading', { name: 'Ihr Termin' }).waitFor();
      await page.locator('.pill.status-confirmed').filter({ hasText: 'bestätigt' }).waitFor();
      await checkedPage(page, problems, 'manage-1-de');
    });
  });

  it('self-service through the link: moves the appointment, shows the cancellation-cutoff rule when it refuses, then cancels', async () => {
    const day = weekdayAhead(3);
    const dayIndex = Math.round(day.diff(DateTime.now().setZone(ZONE).startOf('day'), 'days').days);
    // A booking of the web channel, as the booking page makes it (reservation, then public booking).
    const held = await request(stack.app)
      .post('/v1/reservations')
      .set('Authorization', `Bearer ${publicKey}`)
      .send({ branchId: stack.catalog.branchId, serviceId: stack.catalog.serviceId, staffId: stack.catalog.staff.ben, start: at(day, '11:00') });
    expect(held.status).toBe(201);
    const made = await request(stack.app)
      .post('/v1/public/bookings')
      .set('Authorization', `Bearer ${publicKey}`)
      .send({ reservationId: held.body.id, customer: { name: 'Lena Link', email: 'lena@example.test', language: 'en' } });
    expect(made.status).toBe(201);
    const bookingId = made.body.id as string;
    const path = new URL(made.body.manageUrl as string).pathname;

    await withContext('en-GB', async (context) => {
      const page = await context.newPage();
      const problems = watchPage(page);
      await page.goto(`${baseUrl}${path}`);
      await page.getByRole('heading', { name: 'Your appointment' }).waitFor();
      await page.locator('.pill.status-confirmed').waitFor();
      await checkedPage(page, problems, 'manage-2-en');

      // Move it to 15:00 the same day.
      await page.getByRole('button', { name: 'Move to another time' }).click();
      await page.getByRole('group', { name: 'Day' }).getByRole('button').nth(dayIndex).click();
      const times = page.getByRole('group', { name: /^Free times on / });
      await times.getByRole('button', { name: '15:00' }).click();
      await page.getByRole('status').filter({ hasText: /^The appointment is moved to / }).waitFor({ timeout: 30_000 });
      const moved = await request(stack.app).get(`/v1/bookings/${bookingId}`).set(stack.company.auth);
      expect(moved.body).toMatchObject({ status: 'confirmed', start: at(day, '15:00'), rescheduledCount: 1 });
      await page.getByText('Moved once already.').waitFor();

      // The branch now asks for a year's notice to cancel online: the page names the rule.
      const branch = await request(stack.app).get(`/v1/branches/${stack.catalog.branchId}`).set(stack.company.auth);
      const rules = branch.body.rules as Record<string, unknown>;
      expect((await request(stack.app).patch(`/v1/branches/${stack.catalog.branchId}`).set(stack.company.auth).send({ rules: { ...rules, cancellationCutoffHours: 8_760 } })).status).toBe(200);
      await page.getByRole('button', { name: 'Cancel appointment' }).click();
      // The confirmation takes the focus: Enter on it cancels.
      await page.getByRole('button', { name: 'Yes, cancel it' }).waitFor();
      await expect(page.evaluate('document.activeElement && document.activeElement.textContent')).resolves.toBe('Yes, cancel it');
      await page.keyboard.press('Enter');
      const refusal = page.getByRole('alert').filter({ hasText: 'This is not possible:' });
      await refusal.waitFor({ timeout: 15_000 });
      // Said once, in customer units: one alert with one line, no second box repeating it, no raw hours.
      const cutoffEn = 'Appointments can be cancelled or moved online until 365 days before they start; please call us.';
      await expect(refusal.locator('li').allTextContents()).resolves.toEqual([cutoffEn]);
      await expect(page.locator('[data-rule]').count()).resolves.toBe(1);
      await expect(page.getByRole('note').count()).resolves.toBe(0);
      await expect(page.getByText(/no longer be changed online|too late to cancel/).count()).resolves.toBe(0);
      await expect(page.locator('body').innerText()).resolves.not.toMatch(/8[,.]?760/);
      // The page asked again what the link may do: no cancel or move button any more.
      await expect(page.getByRole('button', { name: 'Cancel appointment' }).count()).resolves.toBe(0);
      await expect(page.getByRole('button', { name: 'Move to another time' }).count()).resolves.toBe(0);
      await checkedPage(page, problems, 'manage-3-rule-en');
      expect((await request(stack.app).get(`/v1/bookings/${bookingId}`).set(stack.company.auth)).body.status).toBe('confirmed');
      // The API's own problem says it in days too.
      const direct = await request(stack.app).post(`/v1/public/bookings/${encodeURIComponent(tokenOf(made.body.manageUrl as string))}/cancel`).send({});
      expect(direct.status).toBe(422);
      expect(direct.body).toMatchObject({ code: 'booking_rule_violation', violations: [{ rule: 'cancellation_cutoff', message: expect.stringContaining('until 365 days before') }] });
      expect(direct.body.detail).not.toMatch(/8760/);

      // Opened again, nothing was refused just now: the same reason once, as a note.
      await page.reload();
      const note = page.getByRole('note').filter({ hasText: 'It can no longer be changed online:' });
      await note.waitFor();
      await expect(note.locator('li').allTextContents()).resolves.toEqual([cutoffEn]);
      await expect(page.getByRole('alert').count()).resolves.toBe(0);
      await expect(page.locator('[data-rule]').count()).resolves.toBe(1);
      await checkedPage(page, problems, 'manage-3-note-en');
      // The same link in German: the reason in German, in days.
      await withContext('de-DE', async (german) => {
        const seite = await german.newPage();
        const deProblems = watchPage(seite);
        await seite.goto(`${baseUrl}${path}`);
        const hinweis = seite.getByRole('note').filter({ hasText: 'Online nicht mehr änderbar:' });
        await hinweis.waitFor();
        await expect(hinweis.locator('li').allTextContents()).resolves.toEqual(['Online absagen oder verschieben können Sie bis 365 Tage vor Beginn; bitte rufen Sie uns an.']);
        await checkedPage(seite, deProblems, 'manage-3-note-de');
      });

      // Back to the usual cutoff: the cancellation goes through and the slot is free again.
      expect((await request(stack.app).patch(`/v1/branches/${stack.catalog.branchId}`).set(stack.company.auth).send({ rules: { ...rules, cancellationCutoffHours: 24 } })).status).toBe(200);
      await page.reload();
      await page.getByText(/^You can move or cancel it online until .* Moves left online: 2\.$/).waitFor();
      await page.getByRole('button', { name: 'Cancel appointment' }).click();
      await page.getByRole('button', { name: 'Yes, cancel it' }).click();
      await page.getByRole('status').filter({ hasText: 'The appointment is cancelled.' }).waitFor({ timeout: 30_000 });
      await page.locator('.pill.status-cancelled').waitFor();
      await expect(page.getByRole('button', { name: 'Cancel appointment' }).count()).resolves.toBe(0);
      await checkedPage(page, problems, 'manage-4-cancelled-en');
      expect((await request(stack.app).get(`/v1/bookings/${bookingId}`).set(stack.company.auth)).body.status).toBe('cancelled');
      const free = await request(stack.app)
        .get('/v1/availability')
        .query({ branchId: stack.catalog.branchId, serviceId: stack.catalog.serviceId, staffId: stack.catalog.staff.ben, from: day.toISODate(), to: day.toISODate() })
        .set(stack.company.auth);
      expect(free.body.days[0].slots.map((s: { start: string }) => s.start)).toContain(at(day, '15:00'));

      // A tampered link says so.
      await page.goto(`${baseUrl}${path}x`);
      await page.getByRole('alert').filter({ hasText: 'This link is not valid (any more).' }).waitFor();
    });
  });
});
