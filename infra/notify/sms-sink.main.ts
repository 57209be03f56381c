/** `npm run sms`: the local SMS sink for development (Twilio-shaped API and GET /messages on SMS_SINK_PORT). */
import { startSmsSink } from './sms-sink';

async function main(): Promise<void> {
  const sink = await startSmsSink({ port: Number(process.env.SMS_SINK_PORT ?? 2590) });
  console.log(`sms sink: ${sink.url}, messages at ${sink.url}/messages`);
  const stop = (): void => {
    void sink.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
