/**
 * Records event histories from a running Temporal server, so a release can replay what production
 * actually has (test/replay/booking-replay.test.ts replays every file in test/replay/histories):
 *
 *   npx tsx scripts/record-server-histories.ts --query 'WorkflowKind = "series"' --limit 20 [--out dir] [--prefix server-]
 *
 * Reads TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE (infra/config.ts). Closed executions only (a running
 * one's history would be cut mid-way); one JSON file per execution, named <prefix><workflowId>.json.
 * Histories carry the workflow inputs and results (ids, times): review them before committing
 * production data to the repository.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { loadConfig } from '../infra/config';

export interface RecordOptions {
  query: string;
  outDir: string;
  limit?: number;
  prefix?: string;
}

export interface RecordedHistory {
  workflowId: string;
  workflowType: string;
  file: string;
}

/** Writes the history of every closed execution the query finds (newest first, up to `limit`). */
export async function recordServerHistories(client: Client, options: RecordOptions): Promise<RecordedHistory[]> {
  fs.mkdirSync(options.outDir, { recursive: true });
  const recorded: RecordedHistory[] = [];
  const query = `(${options.query}) AND ExecutionStatus != "Running"`;
  for await (const execution of client.workflow.list({ query })) {
    if (recorded.length >= (options.limit ?? 50)) break;
    const history = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    const file = path.join(options.outDir, `${options.prefix ?? ''}${execution.workflowId}.json`);
    fs.writeFileSync(file, `${historyToJSON(history)}\n`);
    recorded.push({ workflowId: execution.workflowId, workflowType: execution.type, file });
  }
  return recorded;
}

function argument(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const query = argument('query');
  if (!query) throw new Error('--query is required, e.g. --query \'WorkflowKind = "series"\'');
  const connection = await Connection.connect({ address: config.temporalAddress });
  try {
    const client = new Client({ connection, namespace: config.temporalNamespace });
    const recorded = await recordServerHistories(client, {
      query,
      outDir: path.resolve(argument('out') ?? path.join(__dirname, '..', 'test', 'replay', 'histories')),
      limit: Number(argument('limit') ?? 50),
      prefix: argument('prefix') ?? 'server-',
    });
    for (const r of recorded) console.log(`${r.workflowType}\t${path.relative(process.cwd(), r.file)}`);
    console.log(`${recorded.length} histories recorded`);
  } finally {
    await connection.close();
  }
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(error.message);
    process.exit(1);
  });
}
