/**
 * The generated client (clients/typescript) against the document the API serves: the committed
 * openapi.json and schema.d.ts must be exactly what `npm run client:generate` makes now (a route
 * changed without regeneration fails here), and the client makes real calls against the app
 * listening on a free port, typed by the generated paths.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createBookingClient } from '../../clients/typescript/src';
import { CLIENT_DIR, openApiText, typesFor } from '../../scripts/generate-client';
import { createCompany, startApiHarness, type ApiHarness } from './api-harness';

const committed = (file: string) => readFileSync(path.join(CLIENT_DIR, file), 'utf8');

describe('generated TypeScript client', () => {
  it('is up to date with the routes (run npm run client:generate after changing one)', () => {
    const fresh = openApiText();
    expect(fresh).toBe(committed('openapi.json'));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'client-drift-'));
    const file = path.join(dir, 'openapi.json');
    writeFileSync(file, fresh);
    expect(typesFor(file)).toBe(committed('schema.d.ts'));
  });

  it('the check can fail: a changed route gives another document and other types', () => {
    const changed = JSON.parse(openApiText());
    changed.paths['/v1/customers/{id}'].get.operationId = 'fetchCustomer';
    const dir = mkdtempSync(path.join(os.tmpdir(), 'client-drift-'));
    const file = path.join(dir, 'openapi.json');
    writeFileSync(file, `${JSON.stringify(changed, null, 2)}\n`);
    expect(`${JSON.stringify(changed, null, 2)}\n`).not.toBe(committed('openapi.json'));
    expect(typesFor(file)).not.toBe(committed('schema.d.ts'));
  });

  describe('real calls', () => {
    let h: ApiHarness;
    let server: ReturnType<ApiHarness['app']['listen']>;
    let baseUrl: string;
    beforeAll(async () => {
      h = await startApiHarness({ rateLimit: false });
      server = h.app.listen(0);
      await new Promise((resolve) => server.once('listening', resolve));
      baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
      await h.close();
    });

    it('finds-or-creates a customer, reads it back, and gets a typed 401 problem', async () => {
      const company = await createCompany(h.app, 'Client');
      const api = createBookingClient({ baseUrl, apiKey: company.key });
      const created = await api.POST('/v1/customers/find-or-create', { body: { phone: '030 5556677', name: 'Typed' } });
      expect(created.response.status).toBe(201);
      expect(created.data).toMatchObject({ created: true, phone: '+49305556677', name: 'Typed' });
      const found = await api.GET('/v1/customers/{id}', { params: { path: { id: created.data!.id } } });
      expect(found.data?.name).toBe('Typed');

      const anonymous = createBookingClient({ baseUrl, apiKey: 'wrong' });
      const refused = await anonymous.GET('/v1/customers/{id}', { params: { path: { id: created.data!.id } } });
      expect(refused.response.status).toBe(401);
      expect(refused.error).toMatchObject({ code: 'unauthenticated', status: 401 });
      expect(refused.response.headers.get('www-authenticate')).toBe('Bearer');
    });
  });
});
