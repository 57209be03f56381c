/**
 * Payload encryption for Temporal (AES-256-GCM): workflow inputs, results, signals, queries and
 * histories carry customer names, e-mails and phones; the Temporal server, its database and its
 * UI see only ciphertext. Used by the API's client, the worker and the test harness (one
 * `dataConverter()` for all), and by the `/codec` endpoint the Temporal UI decodes through.
 *
 * Shape of Temporal's encryption sample (samples-typescript/encryption): the whole Payload
 * (metadata + data, protobuf) is encrypted into the data of a new Payload whose metadata says
 * `encoding: binary/encrypted` and names the key (`encryption-key-id`), so keys can rotate: new
 * payloads use the current key, older ones decode with any key still configured. Only payloads
 * marked encrypted are decrypted: histories recorded before the codec replay unchanged.
 *
 * Node's crypto (no library): AES-GCM with a random 96-bit IV per payload and its 128-bit tag.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface PayloadKey {
  id: string;
  /** 32 bytes */
  key: Buffer;
}

export interface PayloadKeys {
  /** Encrypts every new payload. */
  current: PayloadKey;
  /** Still decrypt (rotation). */
  previous?: PayloadKey[];
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : undefined);

export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly keys = new Map<string, Buffer>();

  constructor(private readonly config: PayloadKeys) {
    for (const k of [config.current, ...(config.previous ?? [])]) {
      if (k.key.length !== 32) throw new Error(`Temporal payload key ${k.id} must be 32 bytes (AES-256), got ${k.key.length}`);
      this.keys.set(k.id, k.key);
    }
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', this.config.current.key, iv);
      const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(this.config.current.id) },
        data: sealed,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (text(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) return payload;
      const keyId = text(payload.metadata?.[KEY_ID_METADATA]) ?? '';
      const key = this.keys.get(keyId);
      if (!key) throw new Error(`No Temporal payload key with id "${keyId}" is configured`);
      const sealed = Buffer.from(payload.data ?? new Uint8Array());
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain) as Payload;
    });
  }
}

/**
 * TEMPORAL_PAYLOAD_KEY (base64 of 32 bytes) with TEMPORAL_PAYLOAD_KEY_ID, and optional previous
 * keys TEMPORAL_PAYLOAD_PREVIOUS_KEYS ("id:base64,id:base64").
 */
export function payloadKeysFrom(config: { temporalPayloadKey: string; temporalPayloadKeyId: string; temporalPayloadPreviousKeys: string }): PayloadKeys {
  const previous = config.temporalPayloadPreviousKeys
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const at = entry.indexOf(':');
      if (at <= 0) throw new Error('TEMPORAL_PAYLOAD_PREVIOUS_KEYS entries are "id:base64key"');
      return { id: entry.slice(0, at), key: Buffer.from(entry.slice(at + 1), 'base64') };
    });
  return { current: { id: config.temporalPayloadKeyId, key: Buffer.from(config.temporalPayloadKey, 'base64') }, previous };
}

const codecs = new Map<string, AesGcmPayloadCodec>();

/** The data converter every client and worker of this service uses (one codec per key set). */
export function dataConverter(config: Parameters<typeof payloadKeysFrom>[0]): DataConverter {
  const cacheKey = `${config.temporalPayloadKeyId}|${config.temporalPayloadKey}|${config.temporalPayloadPreviousKeys}`;
  let codec = codecs.get(cacheKey);
  if (!codec) {
    codec = new AesGcmPayloadCodec(payloadKeysFrom(config));
    codecs.set(cacheKey, codec);
  }
  return { payloadCodecs: [codec] };
}
