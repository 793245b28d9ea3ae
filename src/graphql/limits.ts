import {
  GraphQLError,
  Kind,
  getNamedType,
  isLeafType,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './relay/connection';

export interface QueryLimits {
  maxDepth: number;
  maxCost: number;
}

export interface QueryMeasure {
  depth: number;
  cost: number;
}

/**
 * The cost of a field, as GitHub and Shopify count: a scalar costs nothing, an object 1 plus what it
 * selects, and a connection (or a list with `first`) multiplies what it selects by the page size it
 * asks for, default 20. Aliases are separate fields and cost separately; introspection is free (so
 * explorers always work).
 */
const estimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  if (field.name.startsWith('__')) return 0;
  const type = getNamedType(field.type);
  if (isLeafType(type)) return 0;
  let multiplier = 1;
  if (Array.isArray(args.ids)) multiplier = args.ids.length;
  else if (type.name.endsWith('Connection')) multiplier = args.first ?? args.last ?? DEFAULT_PAGE_SIZE;
  else if (typeof args.first === 'number') multiplier = args.first;
  // Larger pages are refused by the field itself, with a message about page sizes.
  multiplier = Math.min(multiplier, MAX_PAGE_SIZE);
  return 1 + Math.max(0, multiplier) * childComplexity;
};

/** The deepest nesting of fields under the operation, fragments followed, introspection not counted. */
function depthOf(document: DocumentNode, operationName: string | null | undefined): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const operation = document.definitions.find(
    (d) => d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName),
  );
  const walk = (set: SelectionSetNode | undefined, seen: Set<string>): number => {
    if (!set) return 0;
    let deepest = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__')) continue;
        deepest = Math.max(deepest, 1 + walk(selection.selectionSet, seen));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        deepest = Math.max(deepest, walk(selection.selectionSet, seen));
      } else if (!seen.has(selection.name.value)) {
        deepest = Math.max(deepest, walk(fragments.get(selection.name.value)?.selectionSet, new Set([...seen, selection.name.value])));
      }
    }
    return deepest;
  };
  return operation && operation.kind === Kind.OPERATION_DEFINITION ? walk(operation.selectionSet, new Set()) : 0;
}

/**
 * Measures a (valid) operation and refuses it when over a limit, with an error naming the limit,
 * the maximum and the value computed: QUERY_TOO_DEEP or QUERY_TOO_COSTLY.
 */
export function enforceLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | undefined,
  limits: QueryLimits,
): QueryMeasure {
  const depth = depthOf(document, operationName);
  if (depth > limits.maxDepth) {
    throw new GraphQLError(`query depth ${depth} exceeds the maximum depth of ${limits.maxDepth}: select fewer levels of nested fields`, {
      extensions: { code: 'QUERY_TOO_DEEP', limit: 'depth', maximum: limits.maxDepth, actual: depth, http: { status: 400 } },
    });
  }
  let cost: number;
  try {
    cost = getComplexity({ schema, query: document, operationName: operationName ?? undefined, variables: variables ?? {}, estimators: [estimator] });
  } catch (err) {
    // The cost depends on the variables. Values that cannot be read stop the operation before it
    // runs anyway, and execution reports them all (capped by maxCoercionErrors): nothing to limit.
    if (err instanceof GraphQLError) return { depth, cost: 0 };
    throw err;
  }
  if (cost > limits.maxCost) {
    throw new GraphQLError(
      `query cost ${cost} exceeds the maximum cost of ${limits.maxCost}: \`first\`/\`last\` multiply the cost of what a connection selects; ask for smaller pages or fewer fields`,
      { extensions: { code: 'QUERY_TOO_COSTLY', limit: 'cost', maximum: limits.maxCost, actual: cost, http: { status: 400 } } },
    );
  }
  return { depth, cost };
}
