/**
 * Routes of API.md that other lanes are landing ("Outbound webhooks", "Catalog depth:
 * approval"), typed after the contract until the generated schema.d.ts
 * carries them; then this file shrinks to nothing and the generated types rule alone.
 */
import type { components } from '../../../clients/typescript/src/schema';

type Schemas = components['schemas'];
type Problem = Schemas['Problem'];
type Json<T> = { headers: { [name: string]: unknown }; content: { 'application/json': T } };
type Answers<S extends number, T> = { [K in S]: Json<T> } & { default: { headers: { [name: string]: unknown }; content: { 'application/problem+json': Problem } } };
type Op<Path, Query, Body, S extends number, Answer> = {
  parameters: { query?: Query; header?: never; cookie?: never } & ([Path] extends [never] ? { path?: never } : { path: Path });
  responses: Answers<S, Answer>;
} & ([Body] extends [never] ? { requestBody?: never } : { requestBody: { content: { 'application/json': Body } } });
type NoBody = never;
interface Route<Get = never, Post = never, Patch = never, Delete = never> {
  parameters: { query?: never; header?: never; path?: never; cookie?: never };
  get: Get;
  put?: never;
  post: Post;
  delete: Delete;
  options?: never;
  head?: never;
  patch: Patch;
  trace?: never;
}

export interface WebhookEndpoint {
  id: string;
  url: string;
  events: string[];
  description?: string | null;
  secret?: string;
  createdAt?: string;
}
export interface WebhookDelivery {
  id: string;
  event: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatusCode: number | null;
  createdAt: string;
}
type Id = { id: string };

export interface UpcomingPaths {
  '/v1/bookings/{id}/approve': Route<never, Op<Id, never, Record<string, never>, 200, Schemas['Booking']>>;
  '/v1/bookings/{id}/decline': Route<never, Op<Id, never, { reason?: string }, 200, Schemas['Booking']>>;
  '/v1/webhook-endpoints': Route<
    Op<never, { limit?: number; cursor?: string }, NoBody, 200, { data: WebhookEndpoint[]; nextCursor?: string | null }>,
    Op<never, never, { url: string; events: string[]; description?: string }, 201, WebhookEndpoint>
  >;
  '/v1/webhook-endpoints/{id}': Route<
    Op<Id, never, NoBody, 200, WebhookEndpoint>,
    never,
    Op<Id, never, { url?: string; events?: string[]; description?: string | null }, 200, WebhookEndpoint>,
    Op<Id, never, NoBody, 200, unknown>
  >;
  '/v1/webhook-endpoints/{id}/deliveries': Route<Op<Id, { limit?: number; cursor?: string }, NoBody, 200, { data: WebhookDelivery[]; nextCursor?: string | null }>>;
  '/v1/webhook-endpoints/{id}/deliveries/{deliveryId}/retry': Route<never, Op<Id & { deliveryId: string }, never, Record<string, never>, 202, unknown>>;
}
