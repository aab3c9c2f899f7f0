import type { z } from 'zod';
import type { DialpadClient } from '../dialpad/client';
import {
  dialpadCallCenterSchema,
  dialpadContactSchema,
  dialpadDepartmentSchema,
  dialpadUserSchema,
  type DialpadCallCenter,
  type DialpadContact,
  type DialpadDepartment,
  type DialpadUser,
} from '../dialpad/types';

/**
 * Dialpad's cursor lists one page at a time, so a sync can store the cursor of the next page as
 * its checkpoint and a restarted sync fetches only the pages it had not finished.
 * Every page goes through DialpadClient.fetchPage: the shared rate limiter, 429/5xx retries,
 * timeouts and id handling.
 */
export interface DialpadPage<T> {
  items: T[];
  /** Cursor of the following page; null on the last page. */
  nextCursor: string | null;
}

type QueryValue = string | number | boolean | undefined | null;

interface PageSpec {
  template: string;
  params?: Record<string, string>;
  query?: Record<string, QueryValue>;
}

function fetchPage<S extends z.ZodType>(
  client: DialpadClient,
  spec: PageSpec,
  itemSchema: S,
  cursor: string | null,
  signal: AbortSignal | undefined,
): Promise<DialpadPage<z.output<S>>> {
  return client.fetchPage(spec, itemSchema, cursor, signal ? { signal } : {});
}

export interface PageOptions {
  cursor: string | null;
  signal?: AbortSignal;
}

/** Shared contacts, or with `ownerId` that user's local contacts. */
export function fetchContactsPage(
  client: DialpadClient,
  options: PageOptions & { ownerId?: string | null },
): Promise<DialpadPage<DialpadContact>> {
  return fetchPage(
    client,
    { template: '/api/v2/contacts', query: { owner_id: options.ownerId ?? undefined } },
    dialpadContactSchema,
    options.cursor,
    options.signal,
  );
}

/** Every user of the company (Dialpad's /users has no office filter); `limit` is never sent. */
export function fetchUsersPage(client: DialpadClient, options: PageOptions): Promise<DialpadPage<DialpadUser>> {
  return fetchPage(client, { template: '/api/v2/users' }, dialpadUserSchema, options.cursor, options.signal);
}

export function fetchOfficeDepartmentsPage(
  client: DialpadClient,
  officeId: string,
  options: PageOptions,
): Promise<DialpadPage<DialpadDepartment>> {
  return fetchPage(
    client,
    { template: '/api/v2/offices/{id}/departments', params: { id: officeId } },
    dialpadDepartmentSchema,
    options.cursor,
    options.signal,
  );
}

export function fetchOfficeCallCentersPage(
  client: DialpadClient,
  officeId: string,
  options: PageOptions,
): Promise<DialpadPage<DialpadCallCenter>> {
  return fetchPage(
    client,
    { template: '/api/v2/offices/{id}/callcenters', params: { id: officeId } },
    dialpadCallCenterSchema,
    options.cursor,
    options.signal,
  );
}
