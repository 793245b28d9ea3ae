/**
 * Keyset pagination, as the store sees it. A list is ordered by a sort key (a tuple of column values
 * whose last member is unique), and a page is "up to `limit` rows after/before this key". The API
 * layer turns keys into opaque cursors; the store never sees a cursor string.
 */
export type SortKey = readonly (string | number)[];

export type SortDirection = 'ASC' | 'DESC';

export interface PageRequest<Field extends string = string> {
  /** Which ordering the keys belong to. */
  orderBy: Field;
  direction: SortDirection;
  /** Rows wanted on this page (0..100; checked by the API layer). */
  limit: number;
  /** Page from the end of the range backwards (Relay `last`/`before`). */
  backward: boolean;
  /** Only rows strictly after this key in the requested order. */
  after?: SortKey;
  /** Only rows strictly before this key in the requested order. */
  before?: SortKey;
}

export interface PageEdge<T> {
  node: T;
  key: SortKey;
}

export interface Page<T> {
  /** The rows, always in the requested order (also when paging backwards). */
  edges: PageEdge<T>[];
  /** More rows exist after the last edge (in the requested order). */
  hasNextPage: boolean;
  /** More rows exist before the first edge (in the requested order). */
  hasPreviousPage: boolean;
}
