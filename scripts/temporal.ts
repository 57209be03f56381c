/**
 * `npm run temporal`: only the Temporal dev server, as `npm run dev` starts it (persistent state in
 * .data/temporal.sqlite, UI on :8233, the booking search attributes registered), in the
 * foreground until Ctrl-C. If a server already answers on TEMPORAL_ADDRESS it only registers the
 * search attributes and exits.
 */
import { Supervisor } from './lib/processes';
import { ensureTemporalServer } from './lib/temporal-server';

async function main(): Promise<void> {
  const supervisor = new Supervisor();
  supervisor.stopOnSignals(() => process.exit(0));
  const uiPort = Number(process.env.TEMPORAL_UI_PORT ?? 8233);
  const server = await ensureTemporalServer({ uiPort, dbFilename: process.env.TEMPORAL_DB_FILE ?? '.data/temporal.sqlite' });
  if (!server.started) {
    console.log(`[temporal]  a server already answers at ${server.address}; search attributes checked. Nothing to start.`);
    return;
  }
  supervisor.add('temporal', server.stop);
  console.log(`[temporal]  gRPC ${server.address}, UI http://127.0.0.1:${uiPort}. Ctrl-C stops it.`);
  await server.process?.exited;
  if (!supervisor.isStopping()) {
    console.error(`[temporal]  the server exited with code ${server.process?.exitCode()}`);
    process.exit(1);
  }
}

main().catch((error: Error) => {
  console.error(`[temporal]  ${error.message}`);
  process.exit(1);
});
