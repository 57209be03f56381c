/**
 * `npm run db:generate`: generates the Prisma client into generated/prisma.
 *
 * Why the stand-in engine: the Prisma 7 CLI asks for the native schema engine on every command,
 * `generate` included, and downloads it from binaries.prisma.sh when it is missing. Generation
 * never runs the engine (the client is built by the WASM query compiler), so on offline machines
 * we point PRISMA_SCHEMA_ENGINE_BINARY at a stub that only exits with an error. This is done only
 * when no engine is installed and no PRISMA_SCHEMA_ENGINE_BINARY was given, and it is printed.
 *
 * Skips the work when schema.prisma and the Prisma version are unchanged since the last run
 * (hash stamp inside the output folder), so a second start is fast.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const SCHEMA = path.join(ROOT, 'prisma', 'schema.prisma');
const OUTPUT = path.join(ROOT, 'generated', 'prisma');
const STAMP = path.join(OUTPUT, '.schema-hash');
const STUB_ENGINE = path.join(ROOT, '.data', 'schema-engine-offline-stub.sh');

export interface GenerateResult {
  generated: boolean;
  /** set when the stand-in engine was used */
  stubEngine?: string;
}

function schemaHash(): string {
  const prismaVersion = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', 'prisma', 'package.json'), 'utf8')).version;
  return createHash('sha256').update(prismaVersion).update('\0').update(fs.readFileSync(SCHEMA)).digest('hex');
}

/** The native engine the CLI would use, if one was installed alongside the packages. */
function installedEngine(): string | undefined {
  const dirs = [path.join(ROOT, 'node_modules', '@prisma', 'engines'), path.join(ROOT, 'node_modules', 'prisma')];
  for (const dir of dirs) {
    if (!fs.existsSync(dir)) continue;
    const hit = fs.readdirSync(dir).find((f) => f.startsWith('schema-engine-') && !f.endsWith('.wasm') && !f.endsWith('.sha256'));
    if (hit) return path.join(dir, hit);
  }
  return undefined;
}

function stubEngine(): string {
  fs.mkdirSync(path.dirname(STUB_ENGINE), { recursive: true });
  fs.writeFileSync(
    STUB_ENGINE,
    '#!/bin/sh\necho "schema engine not available offline: stand-in used by scripts/prisma-generate.ts for prisma generate only" >&2\nexit 1\n',
    { mode: 0o755 },
  );
  return STUB_ENGINE;
}

export function generatePrismaClient(options: { force?: boolean; log?: (line: string) => void } = {}): GenerateResult {
  const log = options.log ?? ((line: string) => console.log(line));
  const hash = schemaHash();
  const clientEntry = path.join(OUTPUT, 'client.ts');
  if (!options.force && fs.existsSync(clientEntry) && fs.existsSync(STAMP) && fs.readFileSync(STAMP, 'utf8').trim() === hash) {
    log('prisma generate: schema unchanged, client in generated/prisma is up to date');
    return { generated: false };
  }

  const env = { ...process.env };
  let stub: string | undefined;
  if (!env.PRISMA_SCHEMA_ENGINE_BINARY && !installedEngine()) {
    stub = stubEngine();
    env.PRISMA_SCHEMA_ENGINE_BINARY = stub;
    log(`prisma generate: native schema engine not installed (cannot be downloaded here); PRISMA_SCHEMA_ENGINE_BINARY=${path.relative(ROOT, stub)} (stand-in, generate does not run it)`);
  }
  const cli = path.join(ROOT, 'node_modules', 'prisma', 'build', 'index.js');
  const result = spawnSync(process.execPath, [cli, 'generate', '--schema', SCHEMA], { cwd: ROOT, env, stdio: 'inherit' });
  if (result.status !== 0) {
    throw new Error(`prisma generate failed with exit code ${result.status ?? result.signal}`);
  }
  fs.writeFileSync(STAMP, `${hash}\n`);
  return { generated: true, stubEngine: stub };
}

if (require.main === module) {
  try {
    generatePrismaClient({ force: process.argv.includes('--force') });
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
