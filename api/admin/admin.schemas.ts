import { country, name } from '../common.schemas';
import { z } from '../zod';

export const createCompanyBody = z
  .strictObject({ name, country: country.optional().openapi({ description: 'Default DE' }) })
  .openapi('CreateCompany');

export const companyCreated = z
  .object({
    id: z.string(),
    name: z.string(),
    country: z.string(),
    apiKey: z.string().openapi({ description: 'A manager key of the new company. Shown once; only its hash is stored.' }),
  })
  .openapi('CompanyCreated');
