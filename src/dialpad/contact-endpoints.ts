import type { CallOptions } from './client-options';
import { mergeContactUpdate } from './contact-lists';
import { DialpadTransport } from './transport';
import {
  dialpadContactSchema,
  type DialpadContact,
  type DialpadContactCreate,
  type DialpadContactUpdate,
  type DialpadContactUpsert,
} from './types';

/** Contacts: shared and local, created, upserted by uid, updated, deleted. Composed into DialpadClient (client.ts). */
export abstract class ContactEndpoints extends DialpadTransport {
  /** Shared contacts; with `ownerId`, that user's local contacts; `includeLocal` adds local ones. */
  listContacts(
    options: CallOptions & { ownerId?: string; includeLocal?: boolean } = {},
  ): AsyncIterable<DialpadContact> {
    return this.paginate(
      {
        method: 'GET',
        template: '/api/v2/contacts',
        query: { owner_id: options.ownerId, include_local: options.includeLocal },
        signal: options.signal,
      },
      dialpadContactSchema,
    );
  }

  getContact(contactId: string, options: CallOptions = {}): Promise<DialpadContact> {
    return this.request(
      { method: 'GET', template: '/api/v2/contacts/{id}', params: { id: contactId }, signal: options.signal },
      dialpadContactSchema,
    );
  }

  /** POST /contacts (100/min). Not retried on timeout: Dialpad may have created it already. */
  createContact(contact: DialpadContactCreate, options: CallOptions = {}): Promise<DialpadContact> {
    return this.request(
      { method: 'POST', template: '/api/v2/contacts', body: contact, signal: options.signal },
      dialpadContactSchema,
    );
  }

  /** PUT /contacts (100/min): a shared contact keyed by our `uid`; again with the same uid updates it. */
  upsertContactByUid(contact: DialpadContactUpsert, options: CallOptions = {}): Promise<DialpadContact> {
    return this.request(
      { method: 'PUT', template: '/api/v2/contacts', body: contact, signal: options.signal },
      dialpadContactSchema,
    );
  }

  /**
   * PATCH /contacts/{id}. Dialpad **replaces** each list given (phones, emails, urls) with the one
   * sent: send full lists, or use updateContactKeepingLists.
   */
  updateContact(contactId: string, patch: DialpadContactUpdate, options: CallOptions = {}): Promise<DialpadContact> {
    return this.request(
      {
        method: 'PATCH',
        template: '/api/v2/contacts/{id}',
        params: { id: contactId },
        body: patch,
        signal: options.signal,
      },
      dialpadContactSchema,
    );
  }

  /**
   * An update that keeps what the contact has in Dialpad: GET /contacts/{id}, then PATCH with full
   * lists, ours first (our first phone and email stay primary), then Dialpad's other entries
   * (mergeContactUpdate). A DialpadApiError 404 from either means the contact is gone.
   */
  async updateContactKeepingLists(
    contactId: string,
    update: DialpadContactUpdate,
    options: CallOptions = {},
  ): Promise<DialpadContact> {
    const current = await this.getContact(contactId, options);
    return this.updateContact(contactId, mergeContactUpdate(current, update), options);
  }

  /** Returns the deleted contact, as Dialpad does. */
  deleteContact(contactId: string, options: CallOptions = {}): Promise<DialpadContact> {
    return this.request(
      { method: 'DELETE', template: '/api/v2/contacts/{id}', params: { id: contactId }, signal: options.signal },
      dialpadContactSchema,
    );
  }
}
