/** `npm run smtp`: the local SMTP sink for development (SMTP on SMTP_SINK_PORT, HTTP on SMTP_SINK_API_PORT). */
import { startSmtpSink } from './smtp-sink';

async function main(): Promise<void> {
  const sink = await startSmtpSink({
    port: Number(process.env.SMTP_SINK_PORT ?? 2525),
    apiPort: Number(process.env.SMTP_SINK_API_PORT ?? 2580),
  });
  console.log(`smtp sink: ${sink.smtpUrl}, messages at ${sink.apiUrl}/messages`);
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
