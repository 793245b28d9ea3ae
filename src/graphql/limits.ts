import {
  GraphQLError,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  getNullableType,
  getVariableValues,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  isAbstractType,
  isCompositeType,
  isListType,
  isWrappingType,
  isObjectType,
  isInterfaceType,
  isInputObjectType,
  isEnumType,
  parse,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type GraphQLType,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { shortenQuoted } from '../errors';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './relay/connection';

/**
 * The limits every GraphQL operation is held to, over HTTP and WebSocket alike. Two stages, each in
 * time linear in the document:
 *  1. `guardDocument`, before validation: the document's length, its tokens (parsing stops at the
 *     limit), its aliases and its directives. Validation itself (graphql-js compares fields pairwise
 *     to check they can merge) is only linear in a document that small.
 *  2. `measureOperation`, after validation: depth and cost of the operation to run, each named
 *     fragment measured once however often it is spread (a fragment that spreads the next one twice,
 *     24 levels deep, is 24 measurements, not 2^24).
 * Both fail closed: anything unexpected while measuring refuses the operation (QUERY_REFUSED).
 */
export interface QueryLimits {
  /** Characters of the document. */
  maxLength: number;
  /** Lexical tokens of the document. */
  maxTokens: number;
  /** Aliased fields in the document. */
  maxAliases: number;
  /** Directives in the document. */
  maxDirectives: number;
  maxDepth: number;
  maxCost: number;
}

export interface QueryMeasure {
  depth: number;
  cost: number;
}

/** Each limit as (error code, the setting that changes it), for messages that say how to stay under it. */
const LIMITS = {
  length: { code: 'QUERY_TOO_LONG', setting: 'QUERY_MAX_LENGTH' },
  tokens: { code: 'QUERY_TOO_MANY_TOKENS', setting: 'QUERY_MAX_TOKENS' },
  aliases: { code: 'QUERY_TOO_MANY_ALIASES', setting: 'QUERY_MAX_ALIASES' },
  directives: { code: 'QUERY_TOO_MANY_DIRECTIVES', setting: 'QUERY_MAX_DIRECTIVES' },
  depth: { code: 'QUERY_TOO_DEEP', setting: 'QUERY_MAX_DEPTH' },
  cost: { code: 'QUERY_TOO_COSTLY', setting: 'QUERY_MAX_COST' },
} as const;

function overLimit(limit: keyof typeof LIMITS, message: string, maximum: number, actual?: number): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: LIMITS[limit].code, limit, maximum, ...(actual === undefined ? {} : { actual }), http: { status: 400 } },
  });
}

/** Validation errors reported for one document before graphql-js stops looking. */
export const MAX_VALIDATION_ERRORS = 20;

/**
 * graphql-js ends validation with two bare messages when a document is too much for it: say which
 * limit was reached and how to stay under it. Other messages are returned as they are.
 */
export function explainValidationLimit(message: string): { message: string; limit: string; maximum?: number } | null {
  if (message === 'Too many validation errors, error limit reached. Validation aborted.') {
    return {
      message: `the query has more than ${MAX_VALIDATION_ERRORS} validation errors, so validation stopped there: fix the errors listed before this one and send it again`,
      limit: 'validationErrors',
      maximum: MAX_VALIDATION_ERRORS,
    };
  }
  // OverlappingFieldsCanBeMergedRule meters its pairwise comparisons of same-named fields (500,000).
  if (message === 'Validation aborted.') {
    return {
      message:
        'the query repeats the same fields so often that checking they can be merged went over graphql-js\'s budget of 500000 comparisons: ask for each field once per selection, and use a fragment instead of repeating a selection',
      limit: 'fieldComparisons',
      maximum: 500_000,
    };
  }
  return null;
}

/** The refusal when measuring itself failed: the operation is not run (fail closed). */
export function refusedUnmeasured(): GraphQLError {
  return new GraphQLError('the query could not be measured against the server limits, so it was refused: simplify it', {
    extensions: { code: 'QUERY_REFUSED', http: { status: 400 } },
  });
}

/**
 * Stage 1: the document as text, then as tokens, then its aliases and directives, before anything
 * else reads it. Returns the parsed document.
 */
export function guardDocument(source: string, limits: QueryLimits): DocumentNode {
  if (source.length > limits.maxLength) {
    throw overLimit(
      'length',
      `the query is ${source.length} characters long, over the limit of ${limits.maxLength} (${LIMITS.length.setting}): send a shorter document (ask for fewer fields, or split it into several requests)`,
      limits.maxLength,
      source.length,
    );
  }
  let document: DocumentNode;
  try {
    document = parse(source, { maxTokens: limits.maxTokens });
  } catch (err) {
    if (err instanceof GraphQLError && / tokens\. Parsing aborted\.$/.test(err.message)) {
      throw overLimit(
        'tokens',
        `the query has more than ${limits.maxTokens} tokens (${LIMITS.tokens.setting}), so parsing stopped there: select fewer fields, use fragments for repeated selections, or pass values as variables`,
        limits.maxTokens,
      );
    }
    // Syntax errors quote the offending token whole (`found String "..."`): cut it.
    if (err instanceof GraphQLError) throw new GraphQLError(shortenQuoted(err.message), { nodes: err.nodes, source: err.source, positions: err.positions, extensions: { code: 'GRAPHQL_PARSE_FAILED', http: { status: 400 } } });
    throw err;
  }
  let aliases = 0;
  let directives = 0;
  visit(document, {
    Field(node) {
      if (node.alias) aliases++;
    },
    Directive() {
      directives++;
    },
  });
  if (aliases > limits.maxAliases) {
    throw overLimit(
      'aliases',
      `the query has ${aliases} aliased fields, over the limit of ${limits.maxAliases} (${LIMITS.aliases.setting}): ask for one list with a filter instead of many aliased fields, or send several requests`,
      limits.maxAliases,
      aliases,
    );
  }
  if (directives > limits.maxDirectives) {
    throw overLimit(
      'directives',
      `the query has ${directives} directives, over the limit of ${limits.maxDirectives} (${LIMITS.directives.setting}): use fewer @include/@skip, for example one on a fragment`,
      limits.maxDirectives,
      directives,
    );
  }
  return document;
}

/**
 * `guardDocument` with its verdicts remembered, per server (its limits), keyed by the document's
 * text: a client sends the same few documents over and over, and parsing one again costs more than
 * everything else the front does for a cached answer. Only the verdict is kept (accepted, or the
 * refusal), never the parsed document: a 10 KB document of 5,000 tokens parses into about 2 MB of
 * syntax tree, and a client sending 1,000 such documents grew the server by 2 GB when trees were
 * kept. Texts longer than `maxLength` are refused without parsing anyway. Bounded by entries and by
 * characters (least recently used out). A refusal is shared between requests: callers never change it.
 */
export function cachedDocumentGuard(
  limits: QueryLimits,
  options: { maxEntries?: number; maxChars?: number; guard?: (source: string, limits: QueryLimits) => unknown } = {},
): (source: string) => void {
  const maxEntries = options.maxEntries ?? 1000;
  const maxChars = options.maxChars ?? 8 * 1024 * 1024;
  const guard = options.guard ?? guardDocument;
  const verdicts = new Map<string, GraphQLError | null>();
  let chars = 0;
  return (source) => {
    if (source.length > limits.maxLength) {
      guard(source, limits);
      return;
    }
    let verdict = verdicts.get(source);
    if (verdict !== undefined) {
      verdicts.delete(source);
      verdicts.set(source, verdict);
    } else {
      try {
        guard(source, limits);
        verdict = null;
      } catch (err) {
        // Anything but a refusal (a bug) is not remembered.
        if (!(err instanceof GraphQLError)) throw err;
        verdict = err;
      }
      verdicts.set(source, verdict);
      // Each entry's own size too, so that many tiny texts are bounded as well.
      chars += source.length + ENTRY_OVERHEAD_CHARS;
      for (const [oldest] of verdicts) {
        if (verdicts.size <= maxEntries && chars <= maxChars) break;
        verdicts.delete(oldest);
        chars -= oldest.length + ENTRY_OVERHEAD_CHARS;
      }
    }
    if (verdict !== null) throw verdict;
  };
}

/** What one remembered verdict costs besides its text, counted in characters. */
const ENTRY_OVERHEAD_CHARS = 100;

/**
 * How many items an introspection list returns for this schema. Two sets: over all types (`types`
 * lists every type, so `fields` under it averages the fields of one type), and for one named type
 * (`__type(name:)`, `queryType`, ...), which may be the largest, so its lists count as the largest
 * of their kind. Introspection is costed like data (one per value): the standard introspection
 * query costs about what it returns.
 */
interface IntrospectionSizes {
  average: Record<string, number>;
  largest: Record<string, number>;
}

const introspectionSizesCache = new WeakMap<GraphQLSchema, IntrospectionSizes>();

function introspectionSizes(schema: GraphQLSchema): IntrospectionSizes {
  let sizes = introspectionSizesCache.get(schema);
  if (sizes) return sizes;
  const types = Object.values(schema.getTypeMap());
  const directives = schema.getDirectives();
  const total: Record<string, number> = { fields: 0, args: 0, inputFields: 0, enumValues: 0, interfaces: 0, possibleTypes: 0 };
  const largest: Record<string, number> = { fields: 1, args: 1, inputFields: 1, enumValues: 1, interfaces: 1, possibleTypes: 1, ofType: 1 };
  const count = (name: string, n: number) => {
    total[name] += n;
    largest[name] = Math.max(largest[name], n);
  };
  // `ofType` is one object, but a chain of them ends soon (String!, [Article!]!): with w wrappers
  // per type reference on average, each further level exists with probability w / (1 + w).
  let references = 0;
  let wrappers = 0;
  const countWrappers = (type: GraphQLType) => {
    references++;
    for (let t = type; isWrappingType(t); t = t.ofType) wrappers++;
  };
  for (const type of types) {
    if (isObjectType(type) || isInterfaceType(type)) {
      const list = Object.values(type.getFields());
      count('fields', list.length);
      for (const field of list) {
        count('args', field.args.length);
        countWrappers(field.type);
        for (const arg of field.args) countWrappers(arg.type);
      }
      count('interfaces', type.getInterfaces().length);
    }
    if (isAbstractType(type)) count('possibleTypes', schema.getPossibleTypes(type).length);
    if (isInputObjectType(type)) {
      const list = Object.values(type.getFields());
      count('inputFields', list.length);
      for (const field of list) countWrappers(field.type);
    }
    if (isEnumType(type)) count('enumValues', type.getValues().length);
  }
  for (const directive of directives) count('args', directive.args.length);
  const perType = (n: number) => n / Math.max(1, types.length);
  const perReference = wrappers / Math.max(1, references);
  const shared = { types: types.length, directives: directives.length, locations: 1 };
  sizes = {
    average: {
      ...shared,
      ofType: perReference / (1 + perReference),
      fields: perType(total.fields),
      inputFields: perType(total.inputFields),
      enumValues: perType(total.enumValues),
      interfaces: perType(total.interfaces),
      possibleTypes: perType(total.possibleTypes),
      args: total.args / Math.max(1, total.fields + directives.length),
    },
    largest: { ...shared, ...largest },
  };
  introspectionSizesCache.set(schema, sizes);
  return sizes;
}

/**
 * What a field of the schema may say about its cost, in its extensions (type-graphql's
 * `@Extensions({ cost: { ... } })`):
 *  - `listSize`: the items a list is expected to hold at most: a number for a list without
 *    `first` (an article's companies, a foundation's children), instead of 1; or a function of the
 *    field's arguments, which then decides over `first`;
 *  - `listSizes(args)`: for lists below the field, their sizes from its arguments (a timeline's
 *    `points`, one per bucket from `from` to `to`).
 */
export interface CostHints {
  listSize?: number | ((args: Record<string, unknown>) => number);
  listSizes?: (args: Record<string, unknown>) => Record<string, number>;
}

/** Where a selection sits: data, or introspection over all types or over one named type. */
interface Scope {
  kind: 'data' | 'types' | 'type';
  /** List sizes set by an enclosing field (CostHints.listSizes). */
  listSizes: Record<string, number> | null;
  /** The memo key of the scope (fragments are measured once per scope). */
  key: string;
}

const DATA_SCOPE: Scope = { kind: 'data', listSizes: null, key: 'data' };
/** Meta-fields that select one named type, whose lists count as the largest. */
const ONE_TYPE_FIELDS = new Set(['__type', 'queryType', 'mutationType', 'subscriptionType']);

function scopeBelow(scope: Scope, field: GraphQLField<unknown, unknown>, args: Record<string, unknown>): Scope {
  const name = field.name;
  if (name === '__schema' || (scope.kind !== 'data' && name === 'types')) return scope.kind === 'types' ? scope : { kind: 'types', listSizes: null, key: 'types' };
  if (ONE_TYPE_FIELDS.has(name) && (scope.kind !== 'data' || name === '__type')) {
    return scope.kind === 'type' ? scope : { kind: 'type', listSizes: null, key: 'type' };
  }
  const hints = field.extensions?.cost as CostHints | undefined;
  if (scope.kind === 'data' && hints?.listSizes) {
    const listSizes = hints.listSizes(args);
    return { kind: 'data', listSizes, key: `data:${JSON.stringify(listSizes)}` };
  }
  return scope;
}

/** The number of items a list or connection field asks for, as the field itself will cap it. */
function multiplierOf(field: GraphQLField<unknown, unknown>, args: Record<string, unknown>, sizes: IntrospectionSizes, scope: Scope): number {
  const type = getNullableType(field.type);
  if (scope.kind === 'types') return sizes.average[field.name] ?? 1;
  if (scope.kind === 'type') return sizes.largest[field.name] ?? 1;
  const named = getNamedType(field.type);
  const pageSize = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
  const hints = field.extensions?.cost as CostHints | undefined;
  if (isListType(type) && scope.listSizes?.[field.name] !== undefined) return Math.max(0, scope.listSizes[field.name]);
  let multiplier = 1;
  if (Array.isArray(args.ids)) multiplier = args.ids.length;
  else if (named.name.endsWith('Connection')) multiplier = pageSize(args.first) ?? pageSize(args.last) ?? DEFAULT_PAGE_SIZE;
  else if (isListType(type) && typeof hints?.listSize === 'function') multiplier = hints.listSize(args);
  else if (isListType(type)) multiplier = pageSize(args.first) ?? (typeof hints?.listSize === 'number' ? hints.listSize : 1);
  // Larger pages are refused by the field itself, with a message about page sizes.
  return Math.max(0, Math.min(multiplier, MAX_PAGE_SIZE));
}

/**
 * Stage 2: depth and cost of the operation that will run (fields under `@skip(if: true)` or
 * `@include(if: false)` are not counted); null when its variables cannot be read, which execution
 * refuses before running anything.
 *  - Depth: the deepest nesting of fields; introspection fields add no level (the cost bounds them).
 *  - Cost: every field costs 1; a field that selects fields adds what they cost, multiplied by the
 *    items it asks for: a connection by its page size (`first`/`last`, default 20), a list by
 *    `first` or else by the size its field declares (CostHints), `nodes(ids:)` by the number of ids,
 *    an introspection list by its length in this schema. Aliases are separate fields and cost
 *    separately. On an interface or a union the fragments for different types add up (an upper bound).
 */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
): QueryMeasure | null {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((d) => d.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  // No operation to run: execution answers that (unknown name, several operations and no name).
  if (!operation) return { depth: 0, cost: 0 };
  const rootType = schema.getRootType(operation.operation);
  if (!rootType) {
    // graphql-js 16 validates this only at execution: the caller's mistake, said plainly.
    throw new GraphQLError(`this API has no ${operation.operation} operations: it serves queries over HTTP and subscriptions over WebSocket`, {
      extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
    });
  }

  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}, { maxErrors: 1 });
  // Variables that cannot be read: execution coerces them the same way and refuses the operation,
  // with every error said, before it runs any field. Nothing runs, so there is nothing to measure.
  if (coerced.errors) return null;
  const values = coerced.coerced;

  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const measuredFragments = new Map<string, QueryMeasure>();
  const inProgress = new Set<string>();
  const sizes = introspectionSizes(schema);

  const included = (node: { directives?: readonly unknown[] } & Parameters<typeof getDirectiveValues>[1]): boolean => {
    if (!node.directives?.length) return true;
    if (getDirectiveValues(GraphQLSkipDirective, node, values)?.if === true) return false;
    if (getDirectiveValues(GraphQLIncludeDirective, node, values)?.if === false) return false;
    return true;
  };

  const measureSet = (set: SelectionSetNode, parent: GraphQLCompositeType, scope: Scope): QueryMeasure => {
    let depth = 0;
    let cost = 0;
    for (const selection of set.selections) {
      if (!included(selection)) continue;
      let part: QueryMeasure;
      if (selection.kind === Kind.FIELD) {
        part = measureField(selection, parent, scope);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (!on || !isCompositeType(on)) throw new Error('limits: an inline fragment on an unknown type');
        part = measureSet(selection.selectionSet, on, scope);
      } else {
        part = measureFragment(selection.name.value, scope);
      }
      depth = Math.max(depth, part.depth);
      cost += part.cost;
    }
    return { depth, cost };
  };

  const measureField = (node: FieldNode, parent: GraphQLCompositeType, scope: Scope): QueryMeasure => {
    const field = fieldOf(schema, parent, node.name.value);
    if (!field) throw new Error(`limits: no field ${node.name.value} on ${parent.name}`);
    const introspection = scope.kind !== 'data' || node.name.value.startsWith('__');
    if (!node.selectionSet) return { depth: introspection ? 0 : 1, cost: 1 };
    const type = getNamedType(field.type);
    if (!isCompositeType(type)) throw new Error(`limits: ${field.name} selects fields of a leaf type`);
    const args = getArgumentValues(field, node, values);
    const below = scopeBelow(scope, field, args);
    const children = measureSet(node.selectionSet, type, below);
    const multiplier = multiplierOf(field, args, sizes, below.kind === 'data' ? scope : below);
    return { depth: introspection ? 0 : 1 + children.depth, cost: 1 + multiplier * children.cost };
  };

  // A fragment is measured once per scope: the same fragment adds depth in data and not in
  // introspection, and lists in it may have sizes set by the field it is spread under.
  const measureFragment = (name: string, scope: Scope): QueryMeasure => {
    const key = `${scope.key}:${name}`;
    const known = measuredFragments.get(key);
    if (known) return known;
    const fragment = fragments.get(name);
    if (!fragment || inProgress.has(key)) throw new Error(`limits: fragment ${name} is unknown or spreads itself`);
    const on = schema.getType(fragment.typeCondition.name.value);
    if (!on || !isCompositeType(on)) throw new Error(`limits: fragment ${name} is on an unknown type`);
    inProgress.add(key);
    const measure = measureSet(fragment.selectionSet, on, scope);
    inProgress.delete(key);
    measuredFragments.set(key, measure);
    return measure;
  };

  const measure = measureSet(operation.selectionSet, rootType, DATA_SCOPE);
  return { depth: measure.depth, cost: Math.ceil(measure.cost) };
}

/**
 * `measureOperation` with its results remembered for documents seen before. Apollo hands the same
 * DocumentNode for the same text (its document store), so results are kept per document object
 * (a WeakMap: they go when Apollo drops the document) and, within it, per operation name and, when
 * the document declares variables (a page size, an @include condition), per variables' JSON.
 * Only results are kept: a measure that throws is measured (and refused) again each time, so the
 * guard still fails closed.
 */
export function cachedMeasure(perDocument = 64): typeof measureOperation {
  const byDocument = new WeakMap<DocumentNode, { schema: GraphQLSchema; usesVariables: boolean; measures: Map<string, QueryMeasure | null> }>();
  return (schema, document, operationName, variables) => {
    let known = byDocument.get(document);
    if (!known || known.schema !== schema) {
      const usesVariables = document.definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION && (d.variableDefinitions?.length ?? 0) > 0);
      byDocument.set(document, (known = { schema, usesVariables, measures: new Map() }));
    }
    let key: string;
    try {
      key = known.usesVariables ? `${operationName ?? ''}\u0000${JSON.stringify(variables ?? {})}` : (operationName ?? '');
    } catch {
      return measureOperation(schema, document, operationName, variables);
    }
    const measures = known.measures;
    if (measures.has(key)) return measures.get(key)!;
    const measure = measureOperation(schema, document, operationName, variables);
    if (measures.size >= perDocument) measures.delete(measures.keys().next().value!);
    measures.set(key, measure);
    return measure;
  };
}

/** A field of a composite type, including the meta-fields `__typename`, `__schema` and `__type`. */
function fieldOf(schema: GraphQLSchema, parent: GraphQLCompositeType, name: string): GraphQLField<unknown, unknown> | undefined {
  if (name === '__typename') return TYPENAME_FIELD;
  if (name === '__schema' || name === '__type') {
    if (parent !== schema.getQueryType()) return undefined;
    return name === '__schema' ? SCHEMA_FIELD : TYPE_FIELD;
  }
  if (isObjectType(parent) || isInterfaceType(parent)) return parent.getFields()[name] as GraphQLField<unknown, unknown> | undefined;
  return undefined;
}

const TYPENAME_FIELD = TypeNameMetaFieldDef as GraphQLField<unknown, unknown>;
const SCHEMA_FIELD = SchemaMetaFieldDef as GraphQLField<unknown, unknown>;
const TYPE_FIELD = TypeMetaFieldDef as GraphQLField<unknown, unknown>;

/**
 * Measures a (valid) operation and refuses it when over a limit, with an error naming the limit,
 * the maximum, the value computed and the setting: QUERY_TOO_DEEP or QUERY_TOO_COSTLY. Anything
 * unexpected while measuring refuses it too (QUERY_REFUSED): the guard never fails open.
 */
export function enforceLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
  limits: QueryLimits,
  measureWith: typeof measureOperation = measureOperation,
): QueryMeasure | null {
  let measure: QueryMeasure | null;
  try {
    measure = measureWith(schema, document, operationName, variables);
  } catch (err) {
    if (err instanceof GraphQLError) throw err;
    throw Object.assign(refusedUnmeasured(), { cause: err });
  }
  if (measure === null) return null;
  // A fan-out can make the cost overflow to Infinity: still a number over the limit, said as the largest exact one.
  const depth = measure.depth;
  const cost = Math.min(measure.cost, Number.MAX_SAFE_INTEGER);
  if (Number.isNaN(depth) || Number.isNaN(cost)) throw refusedUnmeasured();
  if (depth > limits.maxDepth) {
    throw overLimit('depth', `query depth ${depth} exceeds the maximum depth of ${limits.maxDepth} (${LIMITS.depth.setting}): select fewer levels of nested fields`, limits.maxDepth, depth);
  }
  if (cost > limits.maxCost) {
    throw overLimit(
      'cost',
      `query cost ${cost} exceeds the maximum cost of ${limits.maxCost} (${LIMITS.cost.setting}): every field costs 1 and \`first\`/\`last\` multiply the cost of what a connection selects; ask for smaller pages or fewer fields`,
      limits.maxCost,
      cost,
    );
  }
  return { depth, cost };
}
