import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../../workflows/shared/search-attributes';

const KEYWORD = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;

export interface SearchAttributeState {
  namespace: string;
  /** Registered with the expected type. */
  present: string[];
  /** Not registered (calls are still processed; the Temporal UI cannot filter by them). */
  missing: string[];
  /** Registered under another type: the Temporal UI's filters on them misbehave. */
  wrongType: string[];
}

/** Which of the call runs' search attributes the namespace has (OperatorService, allowed on Cloud). */
export async function searchAttributeState(client: Client, namespace: string): Promise<SearchAttributeState> {
  const res = await client.connection.withDeadline(Date.now() + 5_000, () =>
    client.connection.operatorService.listSearchAttributes({ namespace }),
  );
  const custom = res.customAttributes ?? {};
  const state: SearchAttributeState = { namespace, present: [], missing: [], wrongType: [] };
  for (const name of Object.keys(CUSTOM_SEARCH_ATTRIBUTES)) {
    if (!(name in custom)) state.missing.push(name);
    else if (custom[name] !== KEYWORD) state.wrongType.push(name);
    else state.present.push(name);
  }
  return state;
}

export interface SearchAttributeSetup extends SearchAttributeState {
  added: string[];
  /** Why they could not be added here (no permission, as on Temporal Cloud), when they could not. */
  refused?: string;
}

/**
 * `npm run cli -- temporal setup`: registers the missing search attributes where the operator may
 * (a self-hosted cluster, the dev server). Temporal Cloud refuses OperatorService writes; there they
 * are added in the Cloud console (or `tcld namespace search-attributes add`), and `refused` says so.
 */
export async function setupSearchAttributes(client: Client, namespace: string): Promise<SearchAttributeSetup> {
  const before = await searchAttributeState(client, namespace);
  if (before.missing.length === 0) return { ...before, added: [] };
  try {
    await client.connection.withDeadline(Date.now() + 30_000, () =>
      client.connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(before.missing.map((name) => [name, KEYWORD])),
      }),
    );
  } catch (err) {
    const code = (err as { code?: number }).code;
    // gRPC 7 PERMISSION_DENIED, 12 UNIMPLEMENTED (Cloud's frontend), 16 UNAUTHENTICATED.
    if (code === 7 || code === 12 || code === 16) {
      return { ...before, added: [], refused: cloudHint(namespace, before.missing, (err as Error).message) };
    }
    throw err;
  }
  const after = await searchAttributeState(client, namespace);
  return { ...after, added: before.missing.filter((n) => after.present.includes(n)) };
}

export function cloudHint(namespace: string, missing: string[], why: string): string {
  return `this connection may not add search attributes to ${namespace} (${why.split('\n')[0]}). ${cloudInstructions(namespace, missing)}`;
}

export function cloudInstructions(namespace: string, missing: string[]): string {
  return (
    `On Temporal Cloud add them in the console (Namespaces → ${namespace} → Search Attributes, type Keyword) or with ` +
    missing.map((n) => `\`tcld namespace search-attributes add -n ${namespace} --sa "${n}=Keyword"\``).join(', ')
  );
}
