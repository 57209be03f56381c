/** Reading what the services texted: the test SMS sink's HTTP API (GET /messages?to=). */
import { testEnv } from './env';

export interface SinkText {
  to: string;
  from: string;
  body: string;
  sentAt: string;
}

/** Every SMS the sink holds for `to` (E.164), oldest first. */
export async function texts(to: string): Promise<SinkText[]> {
  const res = await fetch(`${testEnv().smsSinkUrl}/messages?to=${encodeURIComponent(to)}`);
  if (!res.ok) throw new Error(`SMS sink answered ${res.status} for the messages of ${to}`);
  return ((await res.json()) as { data: SinkText[] }).data;
}
