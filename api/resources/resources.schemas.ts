import { id, instantOut, pageQuery, name, plainText } from '../common.schemas';
import { z } from '../zod';

export const createResourceBody = z
  .strictObject({
    branchId: id,
    name,
    kind: plainText(100, 1).optional().openapi({ example: 'room' }),
  })
  .openapi('CreateResource');

export const listResourcesQuery = pageQuery.extend({ branchId: id.optional() });

export const resourceSchema = z
  .object({ id, branchId: id, name: z.string(), kind: z.string().nullable(), createdAt: instantOut })
  .openapi('Resource');
