import type { SearchNode } from '../../search/search-query';

/**
 * A parsed search as an FTS5 query. Every word and phrase is quoted, so that FTS5 reads user text
 * as text, never as its own syntax (column filters, NEAR, ^); FTS5's tokenizer splits it as it
 * split the indexed text. https://www.sqlite.org/fts5.html#full_text_query_syntax
 */
export function toFts5(node: SearchNode): string {
  switch (node.kind) {
    case 'term':
      return `${quote(node.text)}${node.prefix ? '*' : ''}`;
    case 'phrase':
      return quote(node.text);
    case 'and':
      return `(${node.children.map(toFts5).join(' AND ')})`;
    case 'or':
      return `(${node.children.map(toFts5).join(' OR ')})`;
    case 'not':
      return `(${toFts5(node.include)} NOT ${toFts5(node.exclude)})`;
  }
}

function quote(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

/** Relevance: FTS5's rank, configured (migration 0003) as bm25 with the title weighing ten times the text; lower is better. */
export const RANK = 'articles_fts.rank';

/** An excerpt of the best-matching column, matched terms between U+0001 and U+0002. */
export const SNIPPET = "snippet(articles_fts, -1, char(1), char(2), '…', 24)";
