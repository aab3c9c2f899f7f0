import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SimContact } from '../company';
import { bad, idValue, notFound, requireObject, sendDialpad, type SimRequest } from '../http';
import { decodeCursor, encodeCursor, pageBody, pageLimit } from '../pages';
import { renderContact } from '../render';
import type { SimulatorState } from '../state';

const E164 = /^\+[1-9]\d{6,14}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Shared and local contacts: list, get, create, create-or-replace by uid, update, delete. */
export function registerContactRoutes(api: FastifyInstance, state: SimulatorState): void {
  const { company } = state;
  /** ContactProto and AiRecapProto: every id is a string in the spec, whatever restIdFormat says. */
  const sendStringIds = (reply: FastifyReply, body: unknown) => sendDialpad(reply, state, 200, body, 'strings');
  api.get('/contacts', async (req: SimRequest, reply) => {
    const ownerId = req.query.owner_id;
    const includeLocal = req.query.include_local === 'true';
    if (ownerId !== undefined && !company.userById.has(ownerId)) throw notFound('User');
    const listKey = `contacts:${ownerId ?? ''}:${includeLocal}`;
    const after = decodeCursor(req.query.cursor, listKey);
    const afterSeq = typeof after === 'number' ? after : -1;
    const filter =
      ownerId !== undefined
        ? (c: SimContact) => c.type === 'local' && c.ownerId === ownerId
        : (c: SimContact) => c.type === 'shared' || includeLocal;
    const limit = pageLimit(req, state);
    const { items, lastSeq } = state.contacts.list(afterSeq, limit, filter);
    return sendStringIds(
      reply,
      pageBody(items.map(renderContact), items.length === limit ? encodeCursor(listKey, lastSeq) : null),
    );
  });
  api.get('/contacts/:id', async (req: SimRequest, reply) => {
    const c = state.contacts.get(req.params.id ?? '');
    if (!c) throw notFound('Contact');
    return sendStringIds(reply, renderContact(c));
  });
  api.post('/contacts', async (req, reply) => {
    const body = requireObject(req.body);
    if ('uid' in body) throw bad('uid is only accepted by PUT /api/v2/contacts');
    const fields = contactFields(body, true);
    let ownerId: string | null = null;
    if (body.owner_id !== undefined && body.owner_id !== null) {
      ownerId = idValue(body.owner_id, 'owner_id');
      if (!company.userById.has(ownerId)) throw bad(`owner_id ${ownerId} is not a user of this company`);
    }
    const contact = state.contacts.create({
      ...fields,
      id: state.newId(),
      type: ownerId ? 'local' : 'shared',
      ownerId,
      uid: null,
      country: null,
    });
    return sendStringIds(reply, renderContact(contact));
  });
  api.put('/contacts', async (req, reply) => {
    const body = requireObject(req.body);
    if ('owner_id' in body)
      throw bad('owner_id is not accepted by PUT /api/v2/contacts (it always creates a shared contact)');
    if (typeof body.uid !== 'string' || body.uid.trim() === '') throw bad('uid is required');
    const uid = body.uid;
    const fields = contactFields(body, true);
    const existing = state.contacts.findByUid(uid);
    if (existing) return sendStringIds(reply, renderContact(state.contacts.replace({ ...existing, ...fields })));
    const contact = state.contacts.create({
      ...fields,
      // Dialpad's generated id carries the uid: `<digits>_uid_<uid>` (API-NOTES §5).
      id: `${state.newId()}_uid_${uid}`,
      type: 'shared',
      ownerId: null,
      uid,
      country: null,
    });
    return sendStringIds(reply, renderContact(contact));
  });
  api.patch('/contacts/:id', async (req: SimRequest, reply) => {
    const existing = state.contacts.get(req.params.id ?? '');
    if (!existing) throw notFound('Contact');
    const body = requireObject(req.body);
    if ('owner_id' in body) throw bad('owner_id cannot be changed');
    if ('uid' in body) throw bad('uid cannot be changed');
    return sendStringIds(reply, renderContact(state.contacts.replace({ ...existing, ...contactFields(body, false) })));
  });
  api.delete('/contacts/:id', async (req: SimRequest, reply) => {
    const removed = state.contacts.remove(req.params.id ?? '');
    if (!removed) throw notFound('Contact');
    return sendStringIds(reply, renderContact(removed));
  });
}

type ContactFields = Pick<
  SimContact,
  'firstName' | 'lastName' | 'phones' | 'emails' | 'companyName' | 'jobTitle' | 'extension' | 'urls'
>;

/** The fields Dialpad validates on contact create and update (API-NOTES §5). */
function contactFields(body: Record<string, unknown>, creating: true): ContactFields;
function contactFields(body: Record<string, unknown>, creating: false): Partial<ContactFields>;
function contactFields(body: Record<string, unknown>, creating: boolean): Partial<ContactFields> {
  const out: Partial<ContactFields> = {};
  for (const [key, prop] of [
    ['first_name', 'firstName'],
    ['last_name', 'lastName'],
  ] as const) {
    const v = body[key];
    if (v === undefined && !creating) continue;
    if (typeof v !== 'string' || v.trim() === '') throw bad(`${key} is required`);
    out[prop] = v;
  }
  const list = (key: string, check: (s: string) => string | null): string[] | undefined => {
    const v = body[key];
    if (v === undefined || v === null) return creating ? [] : undefined;
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw bad(`${key} must be a list of strings`);
    for (const s of v) {
      const problem = check(s);
      if (problem) throw bad(problem);
    }
    return v;
  };
  const phones = list('phones', (p) =>
    E164.test(p)
      ? null
      : `Invalid phone number ${JSON.stringify(p)}: phones must be in E.164 format, e.g. +14155550123`,
  );
  if (phones) out.phones = phones;
  const emails = list('emails', (e) => (EMAIL.test(e) ? null : `Invalid email address ${JSON.stringify(e)}`));
  if (emails) out.emails = emails;
  const urls = list('urls', () => null);
  if (urls) out.urls = urls;
  for (const [key, prop] of [
    ['company_name', 'companyName'],
    ['job_title', 'jobTitle'],
    ['extension', 'extension'],
  ] as const) {
    const v = body[key];
    if (v === undefined) {
      if (creating) out[prop] = null;
      continue;
    }
    if (v !== null && typeof v !== 'string') throw bad(`${key} must be a string`);
    out[prop] = v;
  }
  return out;
}
