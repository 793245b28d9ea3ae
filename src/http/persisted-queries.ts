import { createHash } from 'node:crypto';

/**
 * Automatic persisted queries across the read threads. Each thread's Apollo keeps the documents
 * registered with it, so a hash registered through one thread was unknown to the others, and a
 * client was told PERSISTED_QUERY_NOT_FOUND at random. The front remembers every registration (a
 * document with its SHA-256, checked here) and gives a request that sends the hash alone its
 * document before a thread sees it; the thread checks the hash again and runs it. A hash the front
 * does not know goes on as it came, for Apollo to answer PERSISTED_QUERY_NOT_FOUND.
 *
 * Kept in memory, least recently used dropped first, at most `maxChars` characters of documents
 * (each already within QUERY_MAX_LENGTH: the guard runs before this).
 */
export class PersistedQueries {
  private readonly byHash = new Map<string, string>();
  private chars = 0;

  constructor(private readonly maxChars = 2_000_000) {}

  /** The request to hand on: as it came, or with the document of a hash this front knows. */
  resolve(body: unknown, search: string): { body: unknown; search: string } {
    if (body && typeof body === 'object' && !Array.isArray(body)) {
      const fields = body as Record<string, unknown>;
      const hash = hashOf(fields.extensions);
      if (hash === null) return { body, search };
      if (typeof fields.query === 'string') {
        this.remember(hash, fields.query);
        return { body, search };
      }
      const known = this.recall(hash);
      return { body: known === undefined ? body : { ...fields, query: known }, search };
    }
    if (!search.includes('extensions')) return { body, search };
    const params = new URLSearchParams(search);
    let extensions: unknown;
    try {
      extensions = JSON.parse(params.get('extensions') ?? 'null');
    } catch {
      return { body, search }; // Apollo says what is wrong with it
    }
    const hash = hashOf(extensions);
    if (hash === null) return { body, search };
    const query = params.get('query');
    if (query !== null) {
      this.remember(hash, query);
      return { body, search };
    }
    const known = this.recall(hash);
    if (known === undefined) return { body, search };
    params.set('query', known);
    return { body, search: `?${params.toString()}` };
  }

  private remember(hash: string, query: string): void {
    if (this.byHash.has(hash) || query.length > this.maxChars) return;
    if (createHash('sha256').update(query).digest('hex') !== hash) return; // Apollo refuses it
    this.byHash.set(hash, query);
    this.chars += query.length + ENTRY_OVERHEAD_CHARS;
    for (const [oldest, text] of this.byHash) {
      if (this.chars <= this.maxChars) break;
      this.byHash.delete(oldest);
      this.chars -= text.length + ENTRY_OVERHEAD_CHARS;
    }
  }

  private recall(hash: string): string | undefined {
    const query = this.byHash.get(hash);
    if (query !== undefined) {
      // Most recently used last.
      this.byHash.delete(hash);
      this.byHash.set(hash, query);
    }
    return query;
  }
}

/** What an entry costs besides its document (its 64-character hash, the map's own), counted in characters. */
const ENTRY_OVERHEAD_CHARS = 200;

/** The hash of an `extensions` object asking for an automatic persisted query (version 1), or null. */
function hashOf(extensions: unknown): string | null {
  const pq = (extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } } | null | undefined)?.persistedQuery;
  if (!pq || pq.version !== 1 || typeof pq.sha256Hash !== 'string' || !/^[0-9a-f]{64}$/.test(pq.sha256Hash)) return null;
  return pq.sha256Hash;
}
