/**
 * Regenerates the typed client in clients/typescript from the OpenAPI document the API serves
 * (built from the same route table, without starting anything): src/openapi.json and, through
 * openapi-typescript, src/schema.d.ts (`paths` for openapi-fetch). `npm run client:generate`;
 * test/api/client-drift.test.ts fails when a route changed without this being run.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildOpenApiDocument } from '../api/openapi';
import { routeGroups } from '../api/routes';

export const CLIENT_DIR = path.resolve(__dirname, '..', 'clients', 'typescript', 'src');

/** The document as committed: stable key order as generated, two-space JSON, trailing newline. */
export function openApiText(): string {
  return `${JSON.stringify(buildOpenApiDocument(routeGroups), null, 2)}\n`;
}

/** openapi-typescript's output for a document file. */
export function typesFor(documentFile: string): string {
  const bin = path.resolve(__dirname, '..', 'node_modules', '.bin', 'openapi-typescript');
  // --default-non-nullable=false: a field with a default may be left out of a request body (the
  // server fills it in); openapi-typescript would otherwise type it as required.
  return execFileSync(bin, [documentFile, '--default-non-nullable=false'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

if (require.main === module) {
  mkdirSync(CLIENT_DIR, { recursive: true });
  const documentFile = path.join(CLIENT_DIR, 'openapi.json');
  writeFileSync(documentFile, openApiText());
  writeFileSync(path.join(CLIENT_DIR, 'schema.d.ts'), typesFor(documentFile));
  console.log(`client regenerated in ${path.relative(process.cwd(), CLIENT_DIR)}`);
}
