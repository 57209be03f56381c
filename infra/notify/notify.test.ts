import ical from 'node-ical';
import { buildIcs } from './ics';
import { createMailer } from './mailer';
import { startSmtpSink, type SmtpSink } from './smtp-sink';

describe('email over real SMTP into the sink', () => {
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSmtpSink();
  });
  afterAll(async () => {
    await sink.close();
  });

  it('delivers a message with a parseable .ics attachment, readable over the sink HTTP API', async () => {
    const mailer = createMailer({ smtpUrl: sink.smtpUrl, from: 'Bookings <bookings@example.test>' });
    const ics = buildIcs({
      uid: 'bkg_test@booking-backend',
      sequence: 0,
      start: '2027-03-01T09:00:00.000Z',
      end: '2027-03-01T09:45:00.000Z',
      summary: 'Haircut with Anna',
      description: 'Your appointment',
      location: 'Mitte',
    });
    await mailer.send({ to: 'Ada@Example.test', subject: 'Confirmed', text: 'Hello', ics });
    mailer.close();

    const res = await fetch(`${sink.apiUrl}/messages?to=ada@example.test`);
    const { data } = (await res.json()) as { data: Array<{ subject: string; attachments: Array<{ filename: string; content: string }> }> };
    expect(data).toHaveLength(1);
    expect(data[0].subject).toBe('Confirmed');
    const attachment = data[0].attachments.find((a) => a.filename === 'invite.ics');
    expect(attachment).toBeDefined();
    const events = Object.values(ical.sync.parseICS(attachment!.content)).filter((c) => c.type === 'VEVENT');
    expect(events).toHaveLength(1);
    const event = events[0] as ical.VEvent;
    expect(event.uid).toBe('bkg_test@booking-backend');
    expect(new Date(event.start).toISOString()).toBe('2027-03-01T09:00:00.000Z');
    expect(new Date(event.end).toISOString()).toBe('2027-03-01T09:45:00.000Z');
  });

  it('marks a cancellation as METHOD:CANCEL with STATUS:CANCELLED', () => {
    const { content, method } = buildIcs({
      uid: 'u1', sequence: 2, start: '2027-03-01T09:00:00Z', end: '2027-03-01T10:00:00Z', summary: 's', description: 'd', cancelled: true,
    });
    expect(method).toBe('CANCEL');
    expect(content).toMatch(/METHOD:CANCEL/);
    expect(content).toMatch(/STATUS:CANCELLED/);
    expect(content).toMatch(/SEQUENCE:2/);
  });
});
