import type { SimContact } from './company';

interface StoredContact {
  seq: number;
  contact: SimContact | null;
}

/** Seeded contacts plus changes, listable in a stable order with keyset cursors. */
export class ContactStore {
  private readonly seededIndex = new Map<string, number>();
  private overrides = new Map<string, SimContact | null>();
  private created: StoredContact[] = [];
  private createdById = new Map<string, StoredContact>();
  private byUid = new Map<string, string>();

  constructor(private readonly seeded: readonly SimContact[]) {
    seeded.forEach((c, i) => {
      this.seededIndex.set(c.id, i);
      if (c.uid) this.byUid.set(c.uid, c.id);
    });
  }

  get(id: string): SimContact | undefined {
    if (this.overrides.has(id)) return this.overrides.get(id) ?? undefined;
    const i = this.seededIndex.get(id);
    if (i !== undefined) return this.seeded[i];
    return this.createdById.get(id)?.contact ?? undefined;
  }

  findByUid(uid: string): SimContact | undefined {
    const id = this.byUid.get(uid);
    return id === undefined ? undefined : this.get(id);
  }

  /** Contacts after `afterSeq` that pass `filter`, up to `limit`; `lastSeq` is the cursor to continue. */
  list(afterSeq: number, limit: number, filter: (c: SimContact) => boolean): { items: SimContact[]; lastSeq: number } {
    const items: SimContact[] = [];
    let lastSeq = afterSeq;
    for (let seq = afterSeq + 1; seq < this.seeded.length && items.length < limit; seq++) {
      const base = this.seeded[seq] as SimContact;
      const c = this.overrides.has(base.id) ? this.overrides.get(base.id) : base;
      if (c && filter(c)) {
        items.push(c);
        lastSeq = seq;
      }
    }
    if (items.length < limit) {
      let lo = 0;
      let hi = this.created.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((this.created[mid] as StoredContact).seq <= afterSeq) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo; i < this.created.length && items.length < limit; i++) {
        const s = this.created[i] as StoredContact;
        if (s.contact && filter(s.contact)) {
          items.push(s.contact);
          lastSeq = s.seq;
        }
      }
    }
    return { items, lastSeq };
  }

  create(contact: SimContact): SimContact {
    const stored = { seq: this.seeded.length + this.created.length, contact };
    this.created.push(stored);
    this.createdById.set(contact.id, stored);
    if (contact.uid) this.byUid.set(contact.uid, contact.id);
    return contact;
  }

  replace(contact: SimContact): SimContact {
    const stored = this.createdById.get(contact.id);
    if (stored) stored.contact = contact;
    else this.overrides.set(contact.id, contact);
    return contact;
  }

  remove(id: string): SimContact | undefined {
    const existing = this.get(id);
    if (!existing) return undefined;
    const stored = this.createdById.get(id);
    if (stored) stored.contact = null;
    else this.overrides.set(id, null);
    if (existing.uid) this.byUid.delete(existing.uid);
    return existing;
  }

  *all(): IterableIterator<SimContact> {
    for (const base of this.seeded) {
      const c = this.overrides.has(base.id) ? this.overrides.get(base.id) : base;
      if (c) yield c;
    }
    for (const s of this.created) if (s.contact) yield s.contact;
  }

  /** Contacts created (not seeded) with a uid, i.e. through PUT /contacts, still present. */
  createdWithUid(): SimContact[] {
    return this.created.flatMap((s) => (s.contact?.uid ? [s.contact] : []));
  }

  reset(): void {
    this.overrides = new Map();
    this.created = [];
    this.createdById = new Map();
    this.byUid = new Map();
    this.seeded.forEach((c) => {
      if (c.uid) this.byUid.set(c.uid, c.id);
    });
  }
}
