import { BadInputError } from '../../errors';
import type { Page, PageRequest, SortKey } from '../paging';
import { inList, jsonList, placeholders, type Statements } from './statements';

/**
 * A listing query, described rather than written out, so that one engine can run it as a page, a
 * count, or a batch of pages (one per parent) for nested connections.
 */
export interface ListSpec<Row, T> {
  /** The selected columns (no SELECT). */
  select: string;
  /** FROM and joins (no FROM keyword). */
  from: string;
  /** Parameters of placeholders in `from` (a subquery), bound before those of `where`. */
  fromParams?: unknown[];
  /** Conditions, joined with AND. */
  where: string[];
  params: unknown[];
  /** Sort key: SQL expressions, all sorted in the page's direction; the last must be unique. */
  keys: readonly KeyColumn[];
  map: (row: Row) => T;
}

export interface KeyColumn {
  expr: string;
  type: 'number' | 'string';
}

/** For nested connections: one page per parent, in one query. */
export interface Partition {
  /** The SQL expression that names a row's parent (e.g. `m.company_id`). */
  expr: string;
  parentIds: readonly number[];
}

type KeyedRow = Record<string, unknown>;

const keyAlias = (i: number) => `__k${i}`;

function checkKey<Row, T>(spec: ListSpec<Row, T>, key: SortKey | undefined, name: 'after' | 'before'): void {
  if (key === undefined) return;
  const ok =
    key.length === spec.keys.length &&
    spec.keys.every((column, i) => typeof key[i] === column.type && (column.type === 'string' || Number.isFinite(key[i])));
  if (!ok) throw new BadInputError(`the \`${name}\` cursor does not belong to this list and ordering`);
}

/**
 * The WHERE conditions of a page: the filter, plus the keyset bounds. Row-value comparisons
 * `(a, b) < (?, ?)` let SQLite seek straight to the cursor in an index on the same columns.
 */
function pageConditions<Row, T>(spec: ListSpec<Row, T>, page: PageRequest) {
  checkKey(spec, page.after, 'after');
  checkKey(spec, page.before, 'before');
  const where = [...spec.where];
  const params = [...spec.params];
  const tuple = `(${spec.keys.map((k) => k.expr).join(', ')})`;
  const marks = `(${placeholders(spec.keys.length)})`;
  const ascending = page.direction === 'ASC';
  if (page.after) {
    where.push(`${tuple} ${ascending ? '>' : '<'} ${marks}`);
    params.push(...page.after);
  }
  if (page.before) {
    where.push(`${tuple} ${ascending ? '<' : '>'} ${marks}`);
    params.push(...page.before);
  }
  // Paging backwards walks the range from its end: reverse the scan, then the rows.
  const scan: 'ASC' | 'DESC' = ascending !== page.backward ? 'ASC' : 'DESC';
  const orderBy = spec.keys.map((k) => `${k.expr} ${scan}`).join(', ');
  return { where, params, orderBy };
}

function whereClause(where: string[]): string {
  return where.length ? `WHERE ${where.join(' AND ')}` : '';
}

/** Takes the sort key (and the partition bookkeeping) out of a row, leaving the record's own columns. */
function takeKey(row: KeyedRow, n: number): SortKey {
  const key: (string | number)[] = [];
  for (let i = 0; i < n; i++) {
    key.push(row[keyAlias(i)] as string | number);
    delete row[keyAlias(i)];
  }
  delete row.__parent;
  delete row.__rn;
  return key;
}

function toPage<Row, T>(spec: ListSpec<Row, T>, rows: KeyedRow[], page: PageRequest): Page<T> {
  const hasMore = rows.length > page.limit;
  const taken = hasMore ? rows.slice(0, page.limit) : rows;
  if (page.backward) taken.reverse();
  const edges = taken.map((row) => {
    const key = takeKey(row, spec.keys.length);
    return { node: spec.map(row as Row), key };
  });
  // Relay: paging forward, hasPreviousPage may simply say whether a cursor was given; likewise backwards.
  return page.backward
    ? { edges, hasPreviousPage: hasMore, hasNextPage: page.before !== undefined }
    : { edges, hasNextPage: hasMore, hasPreviousPage: page.after !== undefined };
}

function selectWithKeys<Row, T>(spec: ListSpec<Row, T>): string {
  return [spec.select, ...spec.keys.map((k, i) => `${k.expr} AS ${keyAlias(i)}`)].join(', ');
}

export function runPage<Row, T>(statements: Statements, spec: ListSpec<Row, T>, page: PageRequest): Page<T> {
  const { where, params, orderBy } = pageConditions(spec, page);
  const sql = `SELECT ${selectWithKeys(spec)} FROM ${spec.from} ${whereClause(where)} ORDER BY ${orderBy} LIMIT ?`;
  const rows = statements.get(sql).all(...(spec.fromParams ?? []), ...params, page.limit + 1) as KeyedRow[];
  return toPage(spec, rows, page);
}

export function runCount<Row, T>(statements: Statements, spec: ListSpec<Row, T>): number {
  const sql = `SELECT COUNT(*) FROM ${spec.from} ${whereClause(spec.where)}`;
  return statements.get(sql).pluck().get(...(spec.fromParams ?? []), ...spec.params) as number;
}

/**
 * One page per parent in a single statement: ROW_NUMBER() restarts for each parent, and only the
 * first limit+1 rows of each are kept. The result is aligned with `partition.parentIds`.
 */
export function runPartitionedPage<Row, T>(
  statements: Statements,
  spec: ListSpec<Row, T>,
  partition: Partition,
  page: PageRequest,
): Page<T>[] {
  if (partition.parentIds.length === 0) return [];
  const { where, params, orderBy } = pageConditions(spec, page);
  where.unshift(inList(partition.expr));
  params.unshift(jsonList(partition.parentIds));
  const sql =
    `SELECT * FROM (SELECT ${selectWithKeys(spec)}, ${partition.expr} AS __parent, ` +
    `ROW_NUMBER() OVER (PARTITION BY ${partition.expr} ORDER BY ${orderBy}) AS __rn ` +
    `FROM ${spec.from} ${whereClause(where)}) WHERE __rn <= ? ORDER BY __parent, __rn`;
  const rows = statements.get(sql).all(...params, page.limit + 1) as KeyedRow[];
  const byParent = new Map<number, KeyedRow[]>();
  for (const row of rows) {
    const parent = row.__parent as number;
    let list = byParent.get(parent);
    if (!list) byParent.set(parent, (list = []));
    list.push(row);
  }
  return partition.parentIds.map((id) => toPage(spec, byParent.get(id) ?? [], page));
}

/** Row counts per parent, aligned with `partition.parentIds`. */
export function runPartitionedCount<Row, T>(
  statements: Statements,
  spec: ListSpec<Row, T>,
  partition: Partition,
): number[] {
  if (partition.parentIds.length === 0) return [];
  const where = [inList(partition.expr), ...spec.where];
  const sql = `SELECT ${partition.expr} AS parent, COUNT(*) AS n FROM ${spec.from} ${whereClause(where)} GROUP BY 1`;
  const rows = statements.get(sql).all(jsonList(partition.parentIds), ...spec.params) as { parent: number; n: number }[];
  const counts = new Map(rows.map((r) => [r.parent, r.n]));
  return partition.parentIds.map((id) => counts.get(id) ?? 0);
}
