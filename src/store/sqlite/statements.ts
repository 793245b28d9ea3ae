import type Database from 'better-sqlite3';
import type { Db } from './open';

/**
 * Prepared statements cached by their SQL text. Listing queries are assembled from a filter, so there
 * are many shapes, but few in practice; the cache is bounded so an unusual mix cannot grow it forever.
 */
export class Statements {
  private readonly cache = new Map<string, Database.Statement>();

  constructor(
    private readonly db: Db,
    private readonly capacity = 500,
  ) {}

  get(sql: string): Database.Statement {
    let statement = this.cache.get(sql);
    if (statement) {
      // Refresh its place: the Map keeps insertion order, so the first key is the least recently used.
      this.cache.delete(sql);
    } else {
      statement = this.db.prepare(sql);
      if (this.cache.size >= this.capacity) this.cache.delete(this.cache.keys().next().value!);
    }
    this.cache.set(sql, statement);
    return statement;
  }
}

/** `?, ?, ?` for a list of n values (n >= 1). */
export function placeholders(n: number): string {
  return new Array(n).fill('?').join(', ');
}

/**
 * `expr IN (the values of one JSON array parameter)`: one statement text whatever the list length,
 * so the statement cache is not filled with one variant per length. Pass `jsonList(values)`.
 */
export function inList(expr: string): string {
  return `${expr} IN (SELECT value FROM json_each(?))`;
}

export function jsonList(values: readonly (string | number)[]): string {
  return JSON.stringify(values);
}

/** Escapes a user string for `LIKE ... ESCAPE '\'`, so that % and _ match themselves. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
