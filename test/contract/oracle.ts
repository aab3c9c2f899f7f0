import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * Dialpad's own OpenAPI 3.0 description (contracts/dialpad/openapi.json) as a validator, plus our
 * clearly marked supplement (contracts/dialpad/navigator-supplement.json). Read from the repo only.
 *
 * OpenAPI 3.0 schema objects are not JSON Schema; they are converted once, here:
 * - `nullable: true` → the type (or enum) also admits null; a nullable `$ref` → anyOf [$ref, null]
 *   (OpenAPI 3.0 ignores the siblings of a `$ref`, so `type` next to one is dropped);
 * - `type: integer, format: int64` → an integer OR a string of decimal digits: Dialpad's own examples
 *   write int64 as strings ("call_id": "1002") while its webhooks send numbers, and both are real;
 * - `format: date-time` → an ISO 8601 date-time whose UTC offset may be missing: Dialpad's examples
 *   write "2021-06-20T19:18:00", which RFC 3339 (ajv-formats' date-time) refuses;
 * - an object schema with `properties` and no `additionalProperties` gets `additionalProperties:
 *   false` when `closed` (the default): a field the spec does not name is reported, because such a
 *   field in our simulator is one our code might come to rely on while Dialpad never sends it.
 */

const CONTRACT_DIR = join(__dirname, '..', '..', 'contracts', 'dialpad');
const SPEC_ID = 'dialpad-openapi';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type SchemaObject = { [k: string]: Json };
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

interface Parameter {
  in: 'path' | 'query' | 'header' | 'cookie';
  name: string;
  required?: boolean;
  schema?: SchemaObject;
}

interface Operation {
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: SchemaObject }> };
  responses?: Record<string, { content?: Record<string, { schema?: SchemaObject }> }>;
}

interface OpenApiDoc {
  paths: Record<string, Partial<Record<Method, Operation>>>;
  components: { schemas: Record<string, SchemaObject> };
}

export interface OperationMatch {
  method: Method;
  /** The spec's path template, e.g. `/api/v2/call/{id}`. */
  template: string;
  operation: Operation;
  pathParams: Record<string, string>;
  /** True for operations that come from our supplement, not from Dialpad's description. */
  supplement: boolean;
}

/** A request as it left the client: method, full URL, raw body text. */
export interface WireRequest {
  method: string;
  url: string;
  body?: string | undefined;
}

const INT64_STRING = '^-?[0-9]{1,19}$';
/** ISO 8601 date-time: date, T, time with optional fraction, optional Z or ±hh:mm. */
const LENIENT_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/i;

export function convertSchema(schema: Json, closed: boolean): Json {
  if (Array.isArray(schema)) return schema.map((s) => convertSchema(s, closed));
  if (schema === null || typeof schema !== 'object') return schema;
  const s = schema;
  const nullable = s.nullable === true;
  if (typeof s.$ref === 'string') {
    const ref = { $ref: s.$ref };
    return nullable ? { anyOf: [ref, { type: 'null' }] } : ref;
  }
  const out: SchemaObject = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'nullable' || k === 'example' || k === 'examples' || k === 'description' || k === 'title') continue;
    if (k.startsWith('x-')) continue;
    if (k === 'properties' && v && typeof v === 'object' && !Array.isArray(v)) {
      out.properties = Object.fromEntries(Object.entries(v).map(([name, p]) => [name, convertSchema(p, closed)]));
    } else if (k === 'items' || k === 'additionalProperties' || k === 'not') {
      out[k] = typeof v === 'object' ? convertSchema(v, closed) : v;
    } else if (k === 'allOf' || k === 'anyOf' || k === 'oneOf') {
      out[k] = convertSchema(v, closed);
    } else {
      out[k] = v;
    }
  }
  if (out.type === 'integer' && out.format === 'int64') {
    delete out.type;
    delete out.format;
    const alternatives: Json[] = [{ type: 'integer' }, { type: 'string', pattern: INT64_STRING }];
    if (nullable) alternatives.push({ type: 'null' });
    return { ...out, anyOf: alternatives };
  }
  if (out.format === 'date-time') out.format = 'iso-date-time-lenient';
  if (out.format === 'double' || out.format === 'float' || out.format === 'int32' || out.format === 'byte') {
    delete out.format;
  }
  if (nullable) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  }
  if (closed && out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

function readJson<T>(name: string): T {
  return JSON.parse(readFileSync(join(CONTRACT_DIR, name), 'utf8')) as T;
}

export function formatErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const extra =
      e.keyword === 'additionalProperties'
        ? ` '${String((e.params as { additionalProperty?: string }).additionalProperty)}'`
        : e.keyword === 'enum'
          ? ` ${JSON.stringify((e.params as { allowedValues?: unknown }).allowedValues)}`
          : '';
    return `${e.instancePath || '(root)'} ${e.message ?? e.keyword}${extra}`;
  });
}

export class DialpadContract {
  readonly doc: OpenApiDoc;
  readonly supplementPaths: ReadonlySet<string>;
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly closed: boolean;

  private constructor(closed: boolean) {
    this.closed = closed;
    const spec = readJson<OpenApiDoc>('openapi.json');
    const supplement = readJson<
      OpenApiDoc & { 'x-navigator-webhook-extras': Record<string, Record<string, SchemaObject> | string> }
    >('navigator-supplement.json');
    for (const name of Object.keys(supplement.components.schemas)) {
      if (spec.components.schemas[name]) throw new Error(`supplement redefines Dialpad's ${name}`);
    }
    for (const p of Object.keys(supplement.paths)) {
      if (spec.paths[p]) throw new Error(`supplement redefines Dialpad's ${p}: drop it from the supplement`);
    }
    this.supplementPaths = new Set(Object.keys(supplement.paths));
    this.doc = {
      paths: { ...spec.paths, ...supplement.paths },
      components: { schemas: { ...spec.components.schemas, ...supplement.components.schemas } },
    };

    // Webhook events: CallProto and CallContactProto plus the extras, as new named schemas.
    const extras = supplement['x-navigator-webhook-extras'];
    const withExtras = (base: string, add: Record<string, SchemaObject>, refs: Record<string, string>) => {
      const schema = structuredClone(this.doc.components.schemas[base]) as SchemaObject;
      const props = { ...(schema.properties as Record<string, Json>), ...add };
      for (const [prop, ref] of Object.entries(refs)) {
        props[prop] = { ...(props[prop] as SchemaObject), $ref: `#/components/schemas/${ref}` };
      }
      return { ...schema, properties: props };
    };
    const partyExtras = extras['schemas.call.CallContactProto'] as Record<string, SchemaObject>;
    const callExtras = extras['schemas.call.CallProto'] as Record<string, SchemaObject>;
    const components: Record<string, SchemaObject> = {
      ...this.doc.components.schemas,
      'navigator.webhook.CallEventParty': withExtras('schemas.call.CallContactProto', partyExtras, {}),
    };
    components['navigator.webhook.CallEvent'] = withExtras('schemas.call.CallProto', callExtras, {
      contact: 'navigator.webhook.CallEventParty',
      target: 'navigator.webhook.CallEventParty',
      entry_point_target: 'navigator.webhook.CallEventParty',
      proxy_target: 'navigator.webhook.CallEventParty',
    });

    this.ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true });
    addFormats(this.ajv);
    this.ajv.addFormat('iso-date-time-lenient', LENIENT_DATE_TIME);
    this.ajv.addSchema(
      {
        $id: SPEC_ID,
        components: {
          schemas: Object.fromEntries(Object.entries(components).map(([n, sc]) => [n, convertSchema(sc, closed)])),
        },
      },
      SPEC_ID,
    );
  }

  private static cache = new Map<boolean, DialpadContract>();

  /** `closed` (default true): fields the spec does not name are errors. */
  static load(options: { closed?: boolean } = {}): DialpadContract {
    const closed = options.closed ?? true;
    let c = DialpadContract.cache.get(closed);
    if (!c) {
      c = new DialpadContract(closed);
      DialpadContract.cache.set(closed, c);
    }
    return c;
  }

  /** Problems of `value` against a named component schema ([] when valid). */
  schemaProblems(name: string, value: unknown): string[] {
    if (!this.doc.components.schemas[name] && !name.startsWith('navigator.webhook.')) {
      throw new Error(`no schema ${name}`);
    }
    return this.validate({ $ref: `${SPEC_ID}#/components/schemas/${name}` }, value);
  }

  /** Problems of `value` against an inline OpenAPI schema object of the spec (refs resolve in it). */
  private validate(schema: Json, value: unknown): string[] {
    const key = JSON.stringify(schema);
    let fn = this.compiled.get(key);
    if (!fn) {
      fn = this.ajv.compile(rebase(convertSchema(schema, this.closed)) as object);
      this.compiled.set(key, fn);
    }
    return fn(value) ? [] : formatErrors(fn.errors);
  }

  /** The operation for a concrete method and path: literal segments beat `{param}` segments. */
  operation(method: string, path: string): OperationMatch | null {
    const m = method.toLowerCase() as Method;
    const segments = path.split('/');
    let best: { match: OperationMatch; literals: number } | null = null;
    for (const [template, item] of Object.entries(this.doc.paths)) {
      const op = item[m];
      if (!op) continue;
      const parts = template.split('/');
      if (parts.length !== segments.length) continue;
      const params: Record<string, string> = {};
      let literals = 0;
      let ok = true;
      for (let i = 0; i < parts.length; i++) {
        const part = parts[i] as string;
        const seg = segments[i] as string;
        const param = /^\{(\w+)\}$/.exec(part)?.[1];
        if (param) {
          if (seg === '') ok = false;
          else params[param] = decodeURIComponent(seg);
        } else if (part === seg) literals++;
        else ok = false;
        if (!ok) break;
      }
      if (ok && (!best || literals > best.literals)) {
        best = {
          literals,
          match: {
            method: m,
            template,
            operation: op,
            pathParams: params,
            supplement: this.supplementPaths.has(template),
          },
        };
      }
    }
    return best?.match ?? null;
  }

  /** What is wrong with a request the client sent ([] when it is a request the spec describes). */
  requestProblems(req: WireRequest): string[] {
    const url = new URL(req.url);
    const where = `${req.method} ${url.pathname}`;
    const match = this.operation(req.method, url.pathname);
    if (!match) return [`${where}: no such operation in Dialpad's spec`];
    const problems: string[] = [];
    const params = match.operation.parameters ?? [];
    for (const p of params.filter((p) => p.in === 'path')) {
      const value = match.pathParams[p.name];
      if (value === undefined) problems.push(`${where}: path parameter ${p.name} missing`);
      else problems.push(...this.paramProblems(p, value).map((e) => `${where}: path ${p.name}=${value}: ${e}`));
    }
    const query = url.searchParams;
    for (const name of new Set(query.keys())) {
      const p = params.find((x) => x.in === 'query' && x.name === name);
      if (!p) {
        problems.push(`${where}: query parameter ${name} is not declared by ${match.template}`);
        continue;
      }
      const values = query.getAll(name);
      if (values.length > 1) problems.push(`${where}: query parameter ${name} sent ${values.length} times`);
      for (const v of values) {
        problems.push(...this.paramProblems(p, v).map((e) => `${where}: query ${name}=${v}: ${e}`));
      }
    }
    for (const p of params.filter((p) => p.in === 'query' && p.required)) {
      if (!query.has(p.name)) problems.push(`${where}: required query parameter ${p.name} missing`);
    }
    const bodySpec = match.operation.requestBody;
    if (req.body === undefined || req.body === '') {
      if (bodySpec?.required) problems.push(`${where}: request body required`);
      return problems;
    }
    const schema = bodySpec?.content?.['application/json']?.schema;
    if (!schema) return [...problems, `${where}: sends a body, but ${match.template} takes no JSON body`];
    let body: unknown;
    try {
      body = JSON.parse(req.body);
    } catch {
      return [...problems, `${where}: body is not JSON`];
    }
    problems.push(...this.validate(schema, body).map((e) => `${where}: body ${e}`));
    return problems;
  }

  /** What is wrong with a 200 answer for this method and path ([] when it matches the spec). */
  responseProblems(method: string, path: string, body: unknown): string[] {
    const where = `${method} ${path}`;
    const match = this.operation(method, path);
    if (!match) return [`${where}: no such operation in Dialpad's spec`];
    const schema = match.operation.responses?.['200']?.content?.['application/json']?.schema;
    if (!schema) return [`${where}: the spec describes no JSON 200 answer for ${match.template}`];
    return this.validate(schema, body).map((e) => `${where}: ${e}`);
  }

  /** The 200 response schema of an operation, for tests that validate examples. */
  responseSchema(template: string, method: Method): SchemaObject | undefined {
    return this.doc.paths[template]?.[method]?.responses?.['200']?.content?.['application/json']?.schema;
  }

  validateAgainst(schema: SchemaObject, value: unknown): string[] {
    return this.validate(schema, value);
  }

  private paramProblems(p: Parameter, raw: string): string[] {
    const schema = p.schema ?? { type: 'string' };
    let value: unknown = raw;
    if (schema.type === 'boolean') {
      if (raw !== 'true' && raw !== 'false') return ['expected true or false'];
      value = raw === 'true';
    } else if (schema.type === 'integer' && schema.format !== 'int64') {
      if (!/^-?\d+$/.test(raw)) return ['expected an integer'];
      value = Number(raw);
    } else if (schema.type === 'number') {
      if (!/^-?\d+(\.\d+)?$/.test(raw)) return ['expected a number'];
      value = Number(raw);
    }
    return this.validate(schema, value);
  }
}

/** Local refs (`#/components/...`) of an inline schema point into the spec document. */
function rebase(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(rebase);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: SchemaObject = {};
  for (const [k, v] of Object.entries(schema)) {
    out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `${SPEC_ID}${v}` : rebase(v);
  }
  return out;
}
