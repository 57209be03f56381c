import { name } from '../common.schemas';
import { z } from '../zod';

export const createCompanyBody = z.strictObject({ name }).openapi('CreateCompany');

export const companyCreated = z
  .object({
    id: z.string(),
    name: z.string(),
    apiKey: z.string().openapi({ description: 'A manager key of the new company. Shown once; only its hash is stored.' }),
  })
  .openapi('CompanyCreated');
