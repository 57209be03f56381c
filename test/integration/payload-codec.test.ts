/**
 * Personal data in Temporal (issue 11): payloads are AES-256-GCM encrypted by the API's client and
 * the worker. A booking with a participant's e-mail goes through the real saga; its history, read
 * straight from the Temporal server, holds no e-mail in clear, while decoding it with the codec
 * (as the Temporal UI does through POST /codec/decode, support role) finds it. Key rotation and
 * histories recorded before the codec (plain payloads) keep decoding.
 */
import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import request from 'supertest';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal as proto } from '@temporalio/proto';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING } from '../../infra/temporal/payload-codec';
import { bookingWorkflowId } from '../../workflows/book-appointment.contract';
import { createKey } from '../api/api-harness';
import { getTestEnv, testDataConverter } from '../harness/temporal';
import { bookingBody, postBooking, startBookingStack, type BookingStack } from './booking-http.helpers';

describe('AesGcmPayloadCodec', () => {
  const k1 = { id: 'k1', key: randomBytes(32) };
  const k2 = { id: 'k2', key: randomBytes(32) };
  const plain = defaultPayloadConverter.toPayload({ email: 'ann@example.test' })!;

  it('encrypts with the current key (id in the metadata) and decrypts with any configured key', async () => {
    const [sealed] = await new AesGcmPayloadCodec({ current: k1 }).encode([plain]);
    expect(Buffer.from(sealed.metadata!.encoding!).toString()).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(sealed.metadata!['encryption-key-id']!).toString()).toBe('k1');
    expect(Buffer.from(sealed.data!).toString('latin1')).not.toContain('ann@example.test');
    const rotated = new AesGcmPayloadCodec({ current: k2, previous: [k1] });
    const [opened] = await rotated.decode([sealed]);
    expect(defaultPayloadConverter.fromPayload(opened)).toEqual({ email: 'ann@example.test' });
    await expect(new AesGcmPayloadCodec({ current: k2 }).decode([sealed])).rejects.toThrow(/k1/);
  });

  it('passes plain payloads (histories from before the codec) through, and refuses tampered ones', async () => {
    const codec = new AesGcmPayloadCodec({ current: k1 });
    expect(await codec.decode([plain])).toEqual([plain]);
    const [sealed] = await codec.encode([plain]);
    const data = Buffer.from(sealed.data!);
    data[20] ^= 1;
    await expect(codec.decode([{ ...sealed, data }])).rejects.toThrow();
  });
});

describe('histories on the Temporal server', () => {
  let stack: BookingStack;
  beforeAll(async () => {
    stack = await startBookingStack('payload-codec');
  });
  afterAll(() => stack?.close());

  /** Every Payload of a history (any depth). */
  function payloadsOf(value: unknown, out: Payload[] = []): Payload[] {
    if (!value || typeof value !== 'object') return out;
    if (value instanceof Uint8Array) return out;
    const v = value as Record<string, unknown>;
    if (v.metadata && typeof v.metadata === 'object' && v.data instanceof Uint8Array) out.push(v as Payload);
    for (const child of Object.values(v)) payloadsOf(child, out);
    return out;
  }

  it('hold no customer e-mail or name in clear; the codec (and /codec/decode for support) reveals them', async () => {
    const email = `secret-guest-${randomBytes(4).toString('hex')}@example.test`;
    const monday = DateTime.now().setZone('Europe/Berlin').plus({ weeks: 2 }).startOf('week').set({ hour: 11 });
    const res = await postBooking(stack, bookingBody(stack.catalog, monday.toISO()!, { participants: [{ name: 'Gerda Guest', email }], notes: 'allergic to lavender' }));
    expect(res.status).toBe(201);

    const env = await getTestEnv();
    const raw = await env.client.workflowService.getWorkflowExecutionHistory({
      namespace: env.namespace ?? 'default',
      execution: { workflowId: bookingWorkflowId(res.body.id) },
    });
    const bytes = Buffer.from(proto.api.history.v1.History.encode(raw.history!).finish()).toString('latin1');
    expect(bytes.length).toBeGreaterThan(1000);
    for (const secret of [email, 'Gerda Guest', 'allergic to lavender', 'carla-']) expect(bytes).not.toContain(secret);

    // Search attributes are payloads too but never pass codecs (the server indexes them): ids only.
    const payloads = payloadsOf(raw.history).filter((p) => Buffer.from(p.metadata!.encoding!).toString() === ENCRYPTED_ENCODING);
    expect(payloads.length).toBeGreaterThan(3);
    const started = raw.history!.events![0].workflowExecutionStartedEventAttributes!;
    expect(Buffer.from(started.input!.payloads![0].metadata!.encoding!).toString()).toBe(ENCRYPTED_ENCODING);
    const decoded = await testDataConverter().payloadCodecs![0].decode(payloads);
    expect(decoded.map((p) => Buffer.from(p.data!).toString()).join('\n')).toContain(email);

    // The Temporal UI's codec server: support (and manager) keys only.
    const body = { payloads: payloads.slice(0, 3).map((p) => ({
      metadata: Object.fromEntries(Object.entries(p.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
      data: Buffer.from(p.data!).toString('base64'),
    })) };
    const withCodec = (await stack.extraApp({ payloadCodec: testDataConverter().payloadCodecs![0] })).app;
    const support = await createKey(stack.app, stack.company, 'support');
    const viaUi = await request(withCodec).post('/codec/decode').set(support).set('X-Namespace', 'default').send(body);
    expect(viaUi.status).toBe(200);
    const texts = viaUi.body.payloads.map((p: { data: string }) => Buffer.from(p.data, 'base64').toString());
    expect(texts.join('\n')).toContain(email);
    expect(viaUi.body.payloads[0].metadata.encoding).toBe(Buffer.from('json/plain').toString('base64'));
    const booking = await createKey(stack.app, stack.company, 'booking');
    expect((await request(withCodec).post('/codec/decode').set(booking).send(body)).status).toBe(403);
    expect((await request(withCodec).post('/codec/decode').send(body)).status).toBe(401);
    expect((await request(withCodec).post('/codec/decode').set(support).send({ payloads: 'x' })).status).toBe(400);
    expect((await request(withCodec).post('/codec/decode').set(stack.company.auth).send(body)).status).toBe(200);
  });
});
