import { id, instantOut, pageQuery } from '../common.schemas';
import { z } from '../zod';

export const createResourceBody = z
  .strictObject({
    branchId: id,
    name: z.string().trim().min(1).max(200),
    kind: z.string().trim().min(1).max(100).optional().openapi({ example: 'room' }),
  })
  .openapi('CreateResource');

export const listResourcesQuery = pageQuery.extend({ branchId: id.optional() });

export const resourceSchema = z
  .object({ id, branchId: id, name: z.string(), kind: z.string().nullable(), createdAt: instantOut })
  .openapi('Resource');
