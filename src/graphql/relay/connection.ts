import { ArgsType, Field, Int, ObjectType, type ClassType } from 'type-graphql';
import type { Page, PageRequest, SortDirection } from '../../store/paging';
import { badInput } from '../errors';
import { decodeCursor, encodeCursor } from './cursor';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

@ObjectType('PageInfo', { description: 'Where a page sits in its connection (Relay cursor connections).' })
export class PageInfo {
  @Field({ description: 'More elements exist after `endCursor` (in the requested order).' })
  hasNextPage!: boolean;

  @Field({
    description:
      'More elements exist before `startCursor`. When paging forward with `first`, this is true exactly when `after` was given.',
  })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: 'The cursor of the first edge; null when the page is empty.' })
  startCursor!: string | null;

  @Field(() => String, { nullable: true, description: 'The cursor of the last edge; null when the page is empty.' })
  endCursor!: string | null;
}

/** `first`/`after`/`last`/`before`, shared by every connection field. */
@ArgsType()
export class ConnectionArgs {
  @Field(() => Int, {
    nullable: true,
    description: `The first n elements after \`after\` (0 to ${MAX_PAGE_SIZE}). Defaults to ${DEFAULT_PAGE_SIZE} when neither \`first\` nor \`last\` is given.`,
  })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Only elements after this cursor (from an edge or `pageInfo.endCursor`).' })
  after?: string | null;

  @Field(() => Int, { nullable: true, description: `The last n elements before \`before\` (0 to ${MAX_PAGE_SIZE}).` })
  last?: number | null;

  @Field(() => String, { nullable: true, description: 'Only elements before this cursor (from an edge or `pageInfo.startCursor`).' })
  before?: string | null;
}

function checkSize(value: number | null | undefined, name: 'first' | 'last'): void {
  if (value === null || value === undefined) return;
  if (value < 0 || value > MAX_PAGE_SIZE) {
    throw badInput(`\`${name}\` must be between 0 and ${MAX_PAGE_SIZE} (got ${value}); page through larger results with cursors`, name);
  }
}

/**
 * Turns connection arguments into the store's page request, refusing what cannot be answered:
 * sizes out of range, both `first` and `last`, and cursors that are malformed or belong to another
 * ordering.
 */
export function toPageRequest<F extends string>(args: ConnectionArgs, orderBy: F, direction: SortDirection): PageRequest<F> {
  checkSize(args.first, 'first');
  checkSize(args.last, 'last');
  if (args.first != null && args.last != null) {
    throw badInput('pass either `first` (with `after`) or `last` (with `before`), not both', 'last');
  }
  const backward = args.last != null;
  return {
    orderBy,
    direction,
    limit: args.first ?? args.last ?? DEFAULT_PAGE_SIZE,
    backward,
    after: args.after != null ? decodeCursor(args.after, orderBy, 'after') : undefined,
    before: args.before != null ? decodeCursor(args.before, orderBy, 'before') : undefined,
  };
}

export interface Edge<TNode> {
  cursor: string;
  node: TNode;
}

/** The common shape of every connection object: edges, nodes, pageInfo and a lazily counted total. */
export interface ConnectionShape<TNode> {
  edges: Edge<TNode>[];
  nodes: TNode[];
  pageInfo: PageInfo;
  totalCount(): Promise<number>;
}

/**
 * Declares `<Name>Connection` and `<Name>Edge` for a node type. `totalCount` is computed only when
 * asked for: counting costs a second query that most pages do not need.
 */
export function ConnectionType<TNode extends object>(NodeClass: ClassType<TNode>, name: string) {
  @ObjectType(`${name}Edge`, { description: `An edge of a ${name} connection: one ${name} and its cursor.` })
  class EdgeType implements Edge<TNode> {
    @Field({ description: `The position of this ${name} in the connection, for \`after\`/\`before\`.` })
    cursor!: string;

    @Field(() => NodeClass, { description: `The ${name} at this position.` })
    node!: TNode;
  }

  // Never in the schema itself (nothing returns it): each `<Name>Connection` subclass inherits its fields.
  @ObjectType(`${name}ConnectionBase`)
  abstract class Connection implements ConnectionShape<TNode> {
    @Field(() => [EdgeType], { description: `The ${name} elements of this page with their cursors.` })
    edges: Edge<TNode>[];

    @Field(() => [NodeClass], { description: `The ${name} elements of this page (the edges' nodes, for when cursors are not needed).` })
    nodes: TNode[];

    @Field(() => PageInfo, { description: 'Cursors of this page and whether more pages exist.' })
    pageInfo: PageInfo;

    constructor(
      edges: Edge<TNode>[],
      pageInfo: PageInfo,
      private readonly count: () => Promise<number>,
    ) {
      this.edges = edges;
      this.nodes = edges.map((edge) => edge.node);
      this.pageInfo = pageInfo;
    }

    @Field(() => Int, { description: `How many ${name} elements match, across all pages (ignores first/last/after/before).` })
    totalCount(): Promise<number> {
      return this.count();
    }
  }
  return Connection;
}

/** Builds a connection object from a store page, encoding each row's sort key as its cursor. */
export function toConnection<TRecord, TNode, C extends ConnectionShape<TNode>>(
  Class: new (edges: Edge<TNode>[], pageInfo: PageInfo, count: () => Promise<number>) => C,
  page: Page<TRecord>,
  ordering: string,
  toNode: (record: TRecord) => TNode,
  count: () => Promise<number>,
): C {
  const edges = page.edges.map((edge) => ({ cursor: encodeCursor(ordering, edge.key), node: toNode(edge.node) }));
  const pageInfo = Object.assign(new PageInfo(), {
    hasNextPage: page.hasNextPage,
    hasPreviousPage: page.hasPreviousPage,
    startCursor: edges.length ? edges[0].cursor : null,
    endCursor: edges.length ? edges[edges.length - 1].cursor : null,
  });
  return new Class(edges, pageInfo, count);
}

/**
 * The whole of a connection field: validate the arguments, fetch the page, wrap it. `count` runs
 * only if the client selects `totalCount`.
 */
export async function resolveConnection<TRecord, TNode, C extends ConnectionShape<TNode>, F extends string>(
  Class: new (edges: Edge<TNode>[], pageInfo: PageInfo, count: () => Promise<number>) => C,
  args: ConnectionArgs,
  order: { field: F; direction: SortDirection },
  toNode: (record: TRecord) => TNode,
  list: (page: PageRequest<F>) => Promise<Page<TRecord>>,
  count: () => Promise<number>,
): Promise<C> {
  const page = toPageRequest(args, order.field, order.direction);
  return toConnection(Class, await list(page), order.field, toNode, count);
}
