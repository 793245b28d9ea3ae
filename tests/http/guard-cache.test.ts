import { buildSchema, GraphQLError, parse } from 'graphql';
import { cachedDocumentGuard, cachedMeasure, enforceLimits, guardDocument, measureOperation, type QueryLimits } from '../../src/graphql/limits';

/**
 * The verdicts the HTTP front remembers between requests: the document guard's, per text, and the
 * operation measure's, per document and variables. Remembered verdicts are the verdicts computed
 * afresh; the limits themselves: tests/graphql/limits.e2e.test.ts and query-guard.e2e.test.ts.
 */

const limits: QueryLimits = { maxLength: 1000, maxTokens: 200, maxAliases: 2, maxDirectives: 2, maxDepth: 5, maxCost: 100 };

describe('cachedDocumentGuard', () => {
  /** guardDocument, counting the texts it was asked to check. */
  function counting() {
    const seen: string[] = [];
    return { seen, guard: (source: string, l: QueryLimits) => (seen.push(source), guardDocument(source, l)) };
  }

  it('checks the same text once, and keeps no parsed document', () => {
    const { seen, guard } = counting();
    const cached = cachedDocumentGuard(limits, { guard });
    expect(cached('{ a { b } }')).toBeUndefined();
    expect(cached('{ a { b } }')).toBeUndefined();
    expect(seen).toEqual(['{ a { b } }']);
  });

  it.each([
    ['a syntax error', '{ a { b } '],
    ['too many aliases', '{ x: a y: a z: a }'],
    ['too many directives', '{ a @skip(if: false) b @skip(if: false) c @skip(if: false) }'],
    ['too many tokens', `{ ${'a '.repeat(300)}}`],
    ['too long', `{ a } #${'x'.repeat(1000)}`],
  ])('refuses %s every time, as the guard itself does', (_name, text) => {
    const guard = cachedDocumentGuard(limits);
    const expected = (() => {
      try {
        guardDocument(text, limits);
      } catch (err) {
        return err as GraphQLError;
      }
      throw new Error('not refused');
    })();
    for (let i = 0; i < 2; i++) {
      expect(() => guard(text)).toThrow(GraphQLError);
      try {
        guard(text);
      } catch (err) {
        expect((err as GraphQLError).message).toBe(expected.message);
        expect((err as GraphQLError).extensions).toEqual(expected.extensions);
      }
    }
  });

  it('keeps at most maxEntries verdicts and maxChars of text (each entry counted with its overhead)', () => {
    const few = counting();
    const guard = cachedDocumentGuard(limits, { maxEntries: 2, maxChars: 10_000, guard: few.guard });
    for (const text of ['{ a }', '{ b }', '{ c }', '{ a }']) guard(text);
    // `{ a }` went first: checked again.
    expect(few.seen).toEqual(['{ a }', '{ b }', '{ c }', '{ a }']);
    const small = counting();
    const bounded = cachedDocumentGuard(limits, { maxEntries: 100, maxChars: 250, guard: small.guard });
    for (const text of ['{ x }', '{ yy }', '{ zzz }', '{ x }']) bounded(text);
    expect(small.seen).toEqual(['{ x }', '{ yy }', '{ zzz }', '{ x }']);
    // Well within both bounds, nothing is checked twice.
    const roomy = counting();
    const kept = cachedDocumentGuard(limits, { guard: roomy.guard });
    for (const text of ['{ x }', '{ yy }', '{ zzz }', '{ x }', '{ yy }']) kept(text);
    expect(roomy.seen).toEqual(['{ x }', '{ yy }', '{ zzz }']);
  });
});

describe('cachedMeasure', () => {
  const schema = buildSchema(`
    type Query { items(first: Int): ItemConnection! item: Item }
    type ItemConnection { nodes: [Item!]! }
    type Item { name: String child: Item }
  `);

  it('measures per variables when the document declares some', () => {
    const measure = cachedMeasure();
    const document = parse('query ($n: Int) { items(first: $n) { nodes { name } } }');
    expect(measure(schema, document, undefined, { n: 2 })).toEqual(measureOperation(schema, document, undefined, { n: 2 }));
    expect(measure(schema, document, undefined, { n: 50 })).toEqual(measureOperation(schema, document, undefined, { n: 50 }));
    expect(measure(schema, document, undefined, { n: 2 })).toEqual(measureOperation(schema, document, undefined, { n: 2 }));
    expect(measure(schema, document, undefined, { n: 'ten' })).toBeNull();
  });

  it('measures per operation name', () => {
    const measure = cachedMeasure();
    const document = parse('query A { item { name } } query B { item { child { child { name } } } }');
    expect(measure(schema, document, 'A', undefined)!.depth).toBe(2);
    expect(measure(schema, document, 'B', undefined)!.depth).toBe(4);
    expect(measure(schema, document, 'A', undefined)!.depth).toBe(2);
  });

  it('refuses over a limit every time: only measures are kept, the limits are compared afresh', () => {
    const measure = cachedMeasure();
    const document = parse('query ($n: Int) { items(first: $n) { nodes { name child { name } } } }');
    const over = { n: 50 };
    for (let i = 0; i < 2; i++) {
      expect(() => enforceLimits(schema, document, undefined, over, limits, measure)).toThrow(/exceeds the maximum cost of 100/);
      // items (1) + 5 × nodes (1 + name 1 + child (1 + name 1)), 4 levels deep.
      expect(enforceLimits(schema, document, undefined, { n: 5 }, limits, measure)).toEqual({ depth: 4, cost: 21 });
      expect(() => enforceLimits(schema, document, undefined, { n: 5 }, { ...limits, maxCost: 20 }, measure)).toThrow(/query cost 21 exceeds the maximum cost of 20/);
    }
  });

  it('fails closed as before: what cannot be measured is refused, every time', () => {
    const measure = cachedMeasure();
    const document = parse('{ item { nope } }');
    for (let i = 0; i < 2; i++) {
      expect(() => enforceLimits(schema, document, undefined, {}, limits, measure)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'QUERY_REFUSED' }) }));
    }
  });
});
