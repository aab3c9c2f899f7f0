import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/**
 * Two layout rules for the product's code (src/, workflows/, activities/):
 *
 * - no file over 400 lines (the tools' too): a file that long has several reasons to change;
 * - SQL only in repository modules (`repository.ts`, `*-repository.ts`), `src/db/` and
 *   `migrations/`: routes, the CLI, activities and ops logic call repositories, so a reader finds
 *   every query of a table in one place. "SQL" is SQL text in strings and knex query-builder calls
 *   naming a table (`db('calls')`, `trx('accounts')`, `.raw(`, `.from('calls as c')`).
 */
const root = resolve(__dirname, '../..');
const PRODUCT = ['src', 'workflows', 'activities'];
const MAX_LINES = 400;

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

const productFiles = PRODUCT.flatMap((d) => tsFiles(join(root, d))).map((f) => relative(root, f));
/** The tools (simulator, dev stack, bench, reliability) keep files as short; they may hold SQL. */
const toolFiles = tsFiles(join(root, 'tools')).map((f) => relative(root, f));

/** Comments out, so prose about a query ("the bare SELECT") is not a query. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1');
}

const SQL_PATTERNS: [RegExp, string][] = [
  [/\b(?:db|trx|knex|tx)\(\s*['"`][a-z_]+/, 'a knex query on a table'],
  [/\b(?:this|deps|ctx)\.db\(\s*['"`][a-z_]+/, 'a knex query on a table'],
  [/\.(?:raw|whereRaw|joinRaw|orderByRaw|havingRaw|selectRaw)\s*[<(]/, 'raw SQL'],
  [
    /(?<!Buffer|Array)\.(?:from|join|leftJoin|innerJoin|into|table|update)\(\s*['"`][a-z_]+(?: as [a-z_]+)?['"`]\s*[,)]/,
    'a knex query on a table',
  ],
  [/\bSELECT\b[\s\S]{0,400}?\bFROM\b/, 'SQL text'],
  [/\b(?:INSERT INTO|DELETE FROM|UPDATE [a-z_]+ SET|ON CONFLICT)\b/, 'SQL text'],
];

/** What makes a file hold SQL, or null. */
export function sqlIn(text: string): string | null {
  const body = code(text);
  for (const [re, what] of SQL_PATTERNS) if (re.test(body)) return what;
  return null;
}

const mayHoldSql = (file: string) =>
  file.startsWith('src/db/') || /(^|\/)repository\.ts$/.test(file) || /-repository\.ts$/.test(file);

describe('code layout', () => {
  it('finds the product files', () => {
    expect(productFiles.length).toBeGreaterThan(50);
    expect(productFiles).toContain('src/accounts/repository.ts');
  });

  it(`no product or tool file is over ${MAX_LINES} lines`, () => {
    const long = [...productFiles, ...toolFiles]
      .map((f) => ({ f, lines: readFileSync(join(root, f), 'utf8').split('\n').length - 1 }))
      .filter((x) => x.lines > MAX_LINES)
      .map((x) => `${x.f}: ${x.lines} lines`);
    expect(long).toEqual([]);
  });

  it('the SQL check recognises queries and ignores prose', () => {
    expect(sqlIn("await db('calls').where({ id })")).toBe('a knex query on a table');
    expect(sqlIn("await this.db('accounts').first('id')")).toBe('a knex query on a table');
    expect(sqlIn('await trx.raw(`LOCK TABLE x`)')).toBe('raw SQL');
    expect(sqlIn('const { rows } = await deps.db.raw<{ id: string }>(q, [id]);')).toBe('raw SQL');
    expect(sqlIn("q.leftJoin('customers as cu', 'cu.id', 'c.customer_id')")).toBe('a knex query on a table');
    expect(sqlIn('const q = `SELECT id\n  FROM calls WHERE account_id = ?`;')).toBe('SQL text');
    expect(sqlIn("const q = 'INSERT INTO calls (id) VALUES (?)';")).toBe('SQL text');
    expect(sqlIn('// the bare SELECT id FROM calls, for comparison\nconst x = 1;')).toBeNull();
    expect(sqlIn('/** UPDATE calls SET x, in one statement */\nconst y = Buffer.from(s, "hex");')).toBeNull();
    expect(sqlIn("const list = Array.from(set); const b = Buffer.from('abc');")).toBeNull();
  });

  it('SQL lives only in repository modules, src/db and migrations', () => {
    const misplaced = productFiles
      .filter((f) => !mayHoldSql(f))
      .map((f) => ({ f, what: sqlIn(readFileSync(join(root, f), 'utf8')) }))
      .filter((x) => x.what !== null)
      .map((x) => `${x.f}: ${x.what}`);
    expect(misplaced).toEqual([]);
  });
});
