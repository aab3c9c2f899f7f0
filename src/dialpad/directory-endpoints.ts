import type { CallOptions } from './client-options';
import { DialpadTransport } from './transport';
import {
  dialpadCallCenterSchema,
  dialpadDepartmentSchema,
  dialpadOfficeSchema,
  dialpadUserSchema,
  type DialpadCallCenter,
  type DialpadDepartment,
  type DialpadOffice,
  type DialpadUser,
} from './types';

/** Offices, departments, call centres and users. Composed into DialpadClient (client.ts). */
export abstract class DirectoryEndpoints extends DialpadTransport {
  listOffices(options: CallOptions & { activeOnly?: boolean } = {}): AsyncIterable<DialpadOffice> {
    return this.paginate(
      {
        method: 'GET',
        template: '/api/v2/offices',
        query: { active_only: options.activeOnly },
        signal: options.signal,
      },
      dialpadOfficeSchema,
    );
  }

  getOffice(officeId: string, options: CallOptions = {}): Promise<DialpadOffice> {
    return this.request(
      { method: 'GET', template: '/api/v2/offices/{id}', params: { id: officeId }, signal: options.signal },
      dialpadOfficeSchema,
    );
  }

  listOfficeDepartments(officeId: string, options: CallOptions = {}): AsyncIterable<DialpadDepartment> {
    return this.paginate(
      {
        method: 'GET',
        template: '/api/v2/offices/{id}/departments',
        params: { id: officeId },
        signal: options.signal,
      },
      dialpadDepartmentSchema,
    );
  }

  listOfficeCallCenters(officeId: string, options: CallOptions = {}): AsyncIterable<DialpadCallCenter> {
    return this.paginate(
      {
        method: 'GET',
        template: '/api/v2/offices/{id}/callcenters',
        params: { id: officeId },
        signal: options.signal,
      },
      dialpadCallCenterSchema,
    );
  }

  /**
   * Users of the company; with `officeId`, only that office's. Dialpad's /users has no office
   * filter, so this pages through every user and filters here. `limit` is deliberately never sent:
   * above 100 Dialpad answers 400 on a fifth of requests.
   */
  async *listUsers(
    options: CallOptions & { officeId?: string; state?: string; email?: string; number?: string } = {},
  ): AsyncIterable<DialpadUser> {
    const pages = this.paginate(
      {
        method: 'GET',
        template: '/api/v2/users',
        query: { state: options.state, email: options.email, number: options.number },
        signal: options.signal,
      },
      dialpadUserSchema,
    );
    for await (const user of pages) {
      if (options.officeId === undefined || user.office_id === options.officeId) yield user;
    }
  }

  getUser(userId: string, options: CallOptions = {}): Promise<DialpadUser> {
    return this.request(
      { method: 'GET', template: '/api/v2/users/{id}', params: { id: userId }, signal: options.signal },
      dialpadUserSchema,
    );
  }
}
