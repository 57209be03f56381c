/**
 * The SMS adapter against the local SMS sink over HTTP: the Twilio Messages API shape (form
 * fields To/From/Body, basic auth with the account sid), the sink's message list, and refusals
 * (a wrong account is 401, a missing field 400) surfacing as SmsRejected.
 */
import { createSmsSender, SmsRejected } from './sms';
import { startSmsSink, type SmsSink } from './sms-sink';

let sink: SmsSink;
beforeAll(async () => {
  sink = await startSmsSink({ port: 0 });
});
afterAll(() => sink.close());

test('sends a text the sink lists at GET /messages as {to, body, sentAt}', async () => {
  const sms = createSmsSender({ url: sink.url, accountSid: 'ACtest', authToken: 'secret', from: '+15005550006' });
  const { sid } = await sms.send({ to: '+4930123456', body: 'Erinnerung: morgen 10:00' });
  expect(sid).toMatch(/^SM[0-9a-f]{32}$/);
  const res = await fetch(`${sink.url}/messages?to=${encodeURIComponent('+4930123456')}`);
  const { data } = (await res.json()) as { data: Array<{ to: string; from: string; body: string; sentAt: string }> };
  expect(data).toEqual([{ sid, to: '+4930123456', from: '+15005550006', body: 'Erinnerung: morgen 10:00', sentAt: expect.any(String) }]);
  expect(Date.now() - Date.parse(data[0].sentAt)).toBeLessThan(10_000);
});

test('a request with another account than its credentials is refused 401, as Twilio does', async () => {
  const res = await fetch(`${sink.url}/2010-04-01/Accounts/ACother/Messages.json`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from('ACtest:secret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'To=%2B49301&From=%2B1500&Body=x',
  });
  expect(res.status).toBe(401);
});

test('a refusal surfaces as SmsRejected with the status', async () => {
  const sms = createSmsSender({ url: sink.url, accountSid: 'ACtest', authToken: 'secret', from: '+15005550006' });
  await expect(sms.send({ to: '+4930123456', body: '' })).rejects.toMatchObject({ status: 400 });
  await expect(sms.send({ to: '+4930123456', body: '' })).rejects.toBeInstanceOf(SmsRejected);
});
