/**
 * The zod instance every API schema imports. `extendZodWithOpenApi` patches zod's prototypes so
 * schemas can carry `.openapi(...)` metadata; importing `z` from here guarantees the patch ran
 * before any schema is built, whatever the module load order.
 */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);

export { z };
