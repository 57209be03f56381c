import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { createApp } from '../api/app';
import { loadConfig } from '../infra/config';
import { generateApiKey } from '../infra/db/api-keys';
import { newId } from '../infra/db/ids';
import { openBenchDatabase } from './lib/bench-database';
async function main() {
  const { db } = await openBenchDatabase({ max: 8 });
  const companyId = 'cmp_2oievus6ioaubszz';
  const key = generateApiKey();
  await db.apiKey.create({ data: { id: newId('key'), companyId, name: 'bench', role: 'manager', keyHash: key.hash, prefix: key.prefix } });
  const app = createApp({ config: loadConfig(), db, logger: pino({ level: 'silent' }), readiness: {}, rateLimit: false });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/analytics?from=2027-01-01&to=2027-12-31&groupBy=staff&interval=week`;
  for (let i = 0; i < 60; i++) {
    const t = performance.now(); const c = process.cpuUsage();
    const res = await fetch(url, { headers: { Authorization: `Bearer ${key.key}` } });
    const text = await res.text();
    const cu = process.cpuUsage(c);
    if (i % 5 === 4) console.log(`${res.status} ${(performance.now() - t).toFixed(0)} ms cpu ${((cu.user + cu.system) / 1000).toFixed(0)} ms, ${text.length} bytes`);
  }
  server.close();
  await db.apiKey.deleteMany({ where: { companyId } });
  await db.$disconnect();
}
main().catch((e) => { console.error(e); process.exit(1); });
