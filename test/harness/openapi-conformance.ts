/**
 * Holds real answers against the OpenAPI document the API serves: an openapi-fetch middleware for
 * the generated client (clients/typescript) that checks every answer's status is documented for
 * its operation, and that its JSON body (application/json or application/problem+json) validates
 * against the documented schema (JSON Schema 2020-12, as OpenAPI 3.1 writes it, formats
 * included). Tests collect the findings and assert there are none, so a call that works but
 * answers something the document does not say fails the test.
 */
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { Middleware } from 'openapi-fetch';

interface MediaType {
  schema?: object;
}
interface ResponseObject {
  content?: Record<string, MediaType>;
}
interface Operation {
  operationId?: string;
  responses: Record<string, ResponseObject>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components?: object;
}

export interface Conformance {
  middleware: Middleware;
  /** `METHOD /path status` of every answer checked. */
  checked: string[];
  /** What did not match the document (empty when everything did). */
  findings: string[];
  /** operationIds the calls reached. */
  operations: Set<string>;
}

const DOCUMENT_ID = 'urn:booking:openapi';

export function openApiConformance(document: Document): Conformance {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  ajv.addSchema({ $id: DOCUMENT_ID, components: document.components ?? {} });
  const compiled = new Map<string, ValidateFunction>();
  const validatorFor = (key: string, schema: object) => {
    let validate = compiled.get(key);
    if (!validate) {
      // Refs point into the document's components: resolve them against the registered copy.
      const rebased = JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, `"${DOCUMENT_ID}#/components/`)) as object;
      validate = ajv.compile(rebased);
      compiled.set(key, validate);
    }
    return validate;
  };

  const conformance: Conformance = { checked: [], findings: [], operations: new Set(), middleware: {} as Middleware };
  conformance.middleware = {
    async onResponse({ request, response, schemaPath }) {
      const method = request.method.toLowerCase();
      const label = `${request.method} ${schemaPath} ${response.status}`;
      conformance.checked.push(label);
      const operation = document.paths[schemaPath]?.[method];
      if (!operation) {
        conformance.findings.push(`${label}: no such operation in the document`);
        return undefined;
      }
      if (operation.operationId) conformance.operations.add(operation.operationId);
      const documented = operation.responses[String(response.status)] ?? operation.responses[`${String(response.status)[0]}XX`] ?? operation.responses.default;
      if (!documented) {
        conformance.findings.push(`${label}: status not documented (documented: ${Object.keys(operation.responses).join(', ')})`);
        return undefined;
      }
      const type = (response.headers.get('content-type') ?? '').split(';')[0].trim();
      const text = await response.clone().text();
      if (!text) {
        if (documented.content && Object.keys(documented.content).length > 0) conformance.findings.push(`${label}: empty body, documented ${Object.keys(documented.content).join(', ')}`);
        return undefined;
      }
      const media = documented.content?.[type];
      if (!media) {
        conformance.findings.push(`${label}: content type ${type || '(none)'} not documented (documented: ${Object.keys(documented.content ?? {}).join(', ') || 'none'})`);
        return undefined;
      }
      if (!media.schema || !type.endsWith('json')) return undefined;
      const validate = validatorFor(`${method} ${schemaPath} ${response.status} ${type}`, media.schema);
      if (!validate(JSON.parse(text))) {
        const errors = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
        conformance.findings.push(`${label}: body does not match the documented schema: ${errors}`);
      }
      return undefined;
    },
  };
  return conformance;
}
