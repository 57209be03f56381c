import { country, name } from '../common.schemas';
import { z } from '../zod';

export const createCompanyBody = z
  .strictObject({
    name,
    country: country.optional().openapi({ description: 'Default DE' }),
    currency: z.string().regex(/^[A-Z]{3}$/, 'Must be an ISO 4217 code like "EUR"').optional().openapi({ description: 'Currency of analytics revenue; default EUR' }),
  })
  .openapi('CreateCompany');

export const companyCreated = z
  .object({
    id: z.string(),
    name: z.string(),
    country: z.string(),
    currency: z.string().openapi({ description: 'ISO 4217; analytics revenue is in it (default EUR)' }),
    apiKey: z.string().openapi({ description: 'A manager key of the new company. Shown once; only its hash is stored.' }),
  })
  .openapi('CompanyCreated');
