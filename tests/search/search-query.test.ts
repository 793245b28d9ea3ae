import Database from 'better-sqlite3';
import { BadInputError } from '../../src/errors';
import type { Context } from '../../src/graphql/context';
import { toArticleFilter } from '../../src/graphql/filters';
import type { ArticleFilter } from '../../src/graphql/inputs/article.input';
import { MAX_SEARCH_LENGTH, MAX_SEARCH_TERMS, parseSearch, type SearchNode } from '../../src/search/search-query';
import { toFts5 } from '../../src/store/sqlite/fts';

const term = (text: string, prefix = false): SearchNode => ({ kind: 'term', text, prefix });
const phrase = (text: string): SearchNode => ({ kind: 'phrase', text });
const and = (...children: SearchNode[]): SearchNode => ({ kind: 'and', children });
const or = (...children: SearchNode[]): SearchNode => ({ kind: 'or', children });
const not = (include: SearchNode, exclude: SearchNode): SearchNode => ({ kind: 'not', include, exclude });

/** `n` distinct words separated by one space. */
const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i + 1}`).join(' ');

/** The BadInputError parseSearch throws for an input (fails the test if it throws nothing or something else). */
function errorOf(parse: () => unknown): BadInputError {
  try {
    parse();
  } catch (err) {
    if (err instanceof BadInputError) return err;
    throw err;
  }
  throw new Error('expected a BadInputError, but nothing was thrown');
}

describe('parseSearch', () => {
  describe('valid inputs give exact trees', () => {
    it.each<[string, string, SearchNode]>([
      ['one word', 'kubernetes', term('kubernetes')],
      ['several words: implicit AND, one flat node', 'kubernetes supply chain security', and(term('kubernetes'), term('supply'), term('chain'), term('security'))],
      ['a quoted phrase', '"supply chain"', phrase('supply chain')],
      ['a phrase keeps inner spacing, trims its ends', '"  supply  chain "', phrase('supply  chain')],
      ['a phrase among words', 'cncf "supply chain" security', and(term('cncf'), phrase('supply chain'), term('security'))],
      ['a prefix', 'secur*', term('secur', true)],
      ['a prefix with several stars', 'secur**', term('secur', true)],
      ['a prefix among words', 'kubernetes secur*', and(term('kubernetes'), term('secur', true))],
      ['a star inside a word is text', 'a*b', term('a*b')],
      ['OR chain: one or node', 'rust OR go OR zig', or(term('rust'), term('go'), term('zig'))],
      ['explicit AND', 'kubernetes AND security', and(term('kubernetes'), term('security'))],
      ['explicit and implicit AND: one flat node', 'a AND b c', and(term('a'), term('b'), term('c'))],
      ['NOT', 'kubernetes NOT docker', not(term('kubernetes'), term('docker'))],
      ['NOT chain is left-nested', 'a NOT b NOT c', not(not(term('a'), term('b')), term('c'))],
      ['NOT binds tighter than the implicit AND', 'a b NOT c', and(term('a'), not(term('b'), term('c')))],
      ['NOT with a phrase and a group', '"supply chain" NOT (npm OR pypi)', not(phrase('supply chain'), or(term('npm'), term('pypi')))],
      ['AND binds tighter than OR (left)', 'a b OR c', or(and(term('a'), term('b')), term('c'))],
      ['AND binds tighter than OR (right)', 'a OR b c', or(term('a'), and(term('b'), term('c')))],
      ['explicit AND binds tighter than OR', 'a OR b AND c', or(term('a'), and(term('b'), term('c')))],
      ['parentheses group', '(a OR b) c', and(or(term('a'), term('b')), term('c'))],
      ['parentheses then AND', '(rust OR go) AND security', and(or(term('rust'), term('go')), term('security'))],
      ['parentheses around one word vanish', '(a)', term('a')],
      ['doubled parentheses vanish', '((a))', term('a')],
      ['a group is not flattened into the enclosing AND', '(a b) c', and(and(term('a'), term('b')), term('c'))],
      [
        'nested parentheses',
        '((a OR b) (c OR (d e))) OR f',
        or(and(or(term('a'), term('b')), or(term('c'), and(term('d'), term('e')))), term('f')),
      ],
      ['parentheses need no spaces around them', 'a OR(b c)', or(term('a'), and(term('b'), term('c')))],
      ['lower-case and/or/not are words', 'rust and go or not', and(term('rust'), term('and'), term('go'), term('or'), term('not'))],
      ['mixed-case operators are words', 'rust Or go', and(term('rust'), term('Or'), term('go'))],
      ['punctuation-only tokens are skipped', 'kubernetes - security', and(term('kubernetes'), term('security'))],
      ['several punctuation tokens skipped', '& kubernetes / + security !', and(term('kubernetes'), term('security'))],
      ['one word left after skipping punctuation', '- kubernetes -', term('kubernetes')],
      ['inner punctuation keeps one term', 'open-source C++ node.js', and(term('open-source'), term('C++'), term('node.js'))],
      ['a prefix after inner punctuation', 'node.js*', term('node.js', true)],
      ['Unicode words', 'München 日本', and(term('München'), term('日本'))],
      ['Unicode phrase', '"Straße in München"', phrase('Straße in München')],
      ['digits are searchable', 'CVE-2024-3094 2024', and(term('CVE-2024-3094'), term('2024'))],
      ['surrounding whitespace', '  \t kubernetes \n ', term('kubernetes')],
      ['tabs, newlines and no-break spaces separate words', 'a\tb\nc\u00a0d', and(term('a'), term('b'), term('c'), term('d'))],
      ['a phrase glued to a word is a separate operand', 'cncf"supply chain"', and(term('cncf'), phrase('supply chain'))],
    ])('%s: %j', (_label, input, tree) => {
      expect(parseSearch(input)).toStrictEqual(tree);
    });

    it(`accepts exactly ${MAX_SEARCH_LENGTH} characters`, () => {
      const input = 'a'.repeat(MAX_SEARCH_LENGTH);
      expect(parseSearch(input)).toStrictEqual(term(input));
    });

    it(`accepts exactly ${MAX_SEARCH_TERMS} words and phrases`, () => {
      const tree = parseSearch(`${words(MAX_SEARCH_TERMS - 1)} "last phrase"`);
      expect(tree.kind).toBe('and');
      expect(tree.kind === 'and' && tree.children).toHaveLength(MAX_SEARCH_TERMS);
    });

    it('does not count operators, parentheses or skipped punctuation as words', () => {
      const input = `(${words(16)}) OR ((${words(15)}) NOT - & last)`;
      expect(() => parseSearch(input)).not.toThrow();
    });
  });

  describe('errors: BadInputError with the exact message', () => {
    const prefix = '`filter.search`: ';
    it.each<[string, string, string]>([
      ['empty string', '', 'there is nothing to search for: give at least one word'],
      ['only spaces', '   ', 'there is nothing to search for: give at least one word'],
      ['only punctuation', '- & !', 'there is nothing to search for: give at least one word'],
      ['only operators', 'AND OR NOT', 'there is nothing to search for: give at least one word'],
      ['only parentheses', '()', 'there is nothing to search for: give at least one word'],
      ['unclosed quote at the start', '"supply chain', 'the quote at character 1 is never closed; close the phrase with another "'],
      ['unclosed quote later', 'kubernetes "supply chain', 'the quote at character 12 is never closed; close the phrase with another "'],
      ['empty phrase', 'kubernetes ""', 'the phrase at character 12 has no words in it'],
      ['blank phrase', '"   "', 'the phrase at character 1 has no words in it'],
      ['punctuation-only phrase', 'a "-" b', 'the phrase at character 3 has no words in it'],
      ['* alone', '*', '"*" at character 1: a prefix search needs letters or digits before the *'],
      ['* after a word', 'kubernetes *', '"*" at character 12: a prefix search needs letters or digits before the *'],
      ['punctuation then *', 'a -*', '"-*" at character 3: a prefix search needs letters or digits before the *'],
      ['a one-letter prefix', 'a* OR e*', '"a*" at character 1: a prefix search needs at least 3 letters or digits before the * (a shorter one matches most of the archive)'],
      ['a one-letter prefix with punctuation', 'kubernetes C++*', '"C++*" at character 12: a prefix search needs at least 3 letters or digits before the * (a shorter one matches most of the archive)'],
      [') without (', 'kubernetes )', 'the parenthesis at character 12 closes nothing'],
      [') first', ') kubernetes', 'the parenthesis at character 1 closes nothing'],
      ['one ) too many', '(a b)) c', 'the parenthesis at character 6 closes nothing'],
      ['( never closed', '(rust OR go security', 'the parenthesis at character 1 is never closed'],
      ['outer ( never closed', 'x (a (b)', 'the parenthesis at character 3 is never closed'],
      ['empty parentheses after a word', 'kubernetes ()', 'the parentheses at character 12 are empty'],
      ['empty parentheses with a space', 'a ( ) b', 'the parentheses at character 3 are empty'],
      ['leading OR', 'OR docker', 'OR at character 1 needs a word or phrase before it'],
      ['leading AND', 'AND docker', 'AND at character 1 needs a word or phrase before it'],
      ['leading OR after spaces', '  OR docker', 'OR at character 3 needs a word or phrase before it'],
      ['OR first in parentheses', 'a (OR b)', 'OR at character 4 needs a word or phrase before it'],
      ['trailing OR', 'docker OR', 'OR at character 8 needs a word or phrase after it'],
      ['trailing AND', 'docker AND', 'AND at character 8 needs a word or phrase after it'],
      ['trailing NOT', 'docker NOT', 'NOT at character 8 needs a word or phrase after it'],
      ['OR before )', '(a OR) b', 'OR at character 4 needs a word or phrase after it'],
      [
        'leading NOT',
        'NOT docker',
        'NOT at character 1 must follow what to keep: write "kubernetes NOT docker" (a search cannot be only an exclusion)',
      ],
      [
        'NOT first in parentheses',
        'a (NOT b)',
        'NOT at character 4 must follow what to keep: write "kubernetes NOT docker" (a search cannot be only an exclusion)',
      ],
      ['OR OR', 'a OR OR b', 'OR at character 3 needs a word or phrase after it'],
      ['AND OR', 'a AND OR b', 'AND at character 3 needs a word or phrase after it'],
      ['AND NOT', 'a AND NOT b', 'AND at character 3 needs a word or phrase after it'],
      ['NOT NOT', 'a NOT NOT b', 'NOT at character 3 needs a word or phrase after it'],
      ['over 500 characters', 'a'.repeat(MAX_SEARCH_LENGTH + 1), 'at most 500 characters (got 501)'],
      ['over 500 characters, counting surrounding spaces', ` ${'a'.repeat(MAX_SEARCH_LENGTH)}`, 'at most 500 characters (got 501)'],
      ['over 32 words', words(MAX_SEARCH_TERMS + 1), 'at most 32 words and phrases (got 33)'],
      ['over 32 words and phrases', `${words(MAX_SEARCH_TERMS)} "one more"`, 'at most 32 words and phrases (got 33)'],
      ['over 32 words, lower-case operators counting as words', `${words(30)} rust and go`, 'at most 32 words and phrases (got 33)'],
      // Control characters (src/search/control-characters.ts): refused before the tree is built.
      ['a NUL inside a word', 'kube\u0000rnetes', 'a NUL character (U+0000) at character 5 is not allowed: remove it'],
      ['a NUL alone', '\u0000', 'a NUL character (U+0000) at character 1 is not allowed: remove it'],
      ['a NUL inside a phrase', '"supply\u0000chain"', 'a NUL character (U+0000) at character 8 is not allowed: remove it'],
      ['a NUL inside an unclosed quote: the NUL is reported', '"supply\u0000', 'a NUL character (U+0000) at character 8 is not allowed: remove it'],
      ['the first of several control characters', 'a\u0001b\u0000', 'a control character (U+0001) at character 2 is not allowed: remove it'],
      ['a C0 control (U+001F)', 'rust\u001f', 'a control character (U+001F) at character 5 is not allowed: remove it'],
      ['a vertical tab', 'rust\u000bgo', 'a control character (U+000B) at character 5 is not allowed: remove it'],
      ['a form feed', 'rust\u000cgo', 'a control character (U+000C) at character 5 is not allowed: remove it'],
      ['DEL', 'rust\u007f', 'a control character (U+007F) at character 5 is not allowed: remove it'],
      ['a C1 control (U+0085)', 'rust\u0085go', 'a control character (U+0085) at character 5 is not allowed: remove it'],
      ['a quoted word is cut in the message', `${'-'.repeat(200)}*`, `"${'-'.repeat(100)}…" (201 characters) at character 1: a prefix search needs letters or digits before the *`],
    ])('%s', (_label, input, message) => {
      const err = errorOf(() => parseSearch(input));
      expect(err.message).toBe(prefix + message);
      expect(err.code).toBe('BAD_INPUT');
    });

    it('tab, line feed and carriage return are spaces', () => {
      expect(parseSearch('rust\tOR\r\ngo\nsecurity')).toEqual(or(term('rust'), and(term('go'), term('security'))));
    });

    it('counts positions of control characters in characters, not UTF-16 code units', () => {
      expect(errorOf(() => parseSearch('😀 rust\u0000')).message).toBe('`filter.search`: a NUL character (U+0000) at character 7 is not allowed: remove it');
    });

    it('counts positions in characters, not UTF-16 code units (emoji before an unclosed quote)', () => {
      expect(errorOf(() => parseSearch('😀 "supply chain')).message).toBe(
        '`filter.search`: the quote at character 3 is never closed; close the phrase with another "',
      );
    });
  });

  describe('as the API passes it (toArticleFilter in src/graphql/filters.ts)', () => {
    const viaApi = (search: string) => toArticleFilter({ loaders: {} } as unknown as Context, { search } as ArticleFilter);

    it('turns `filter.search` into a tree', async () => {
      await expect(viaApi('  rust OR go  ')).resolves.toMatchObject({ search: or(term('rust'), term('go')) });
    });

    it('an empty or blank search is no search; one of control characters is refused', async () => {
      await expect(viaApi('')).resolves.toMatchObject({ search: undefined });
      await expect(viaApi(' \t\n ')).resolves.toMatchObject({ search: undefined });
      // trim() removes a vertical tab, but it is a control character, not a space: refused, not ignored.
      await expect(viaApi('\u000b')).rejects.toThrow('`filter.search`: a control character (U+000B) at character 1 is not allowed: remove it');
      await expect(viaApi(' \u0000 ')).rejects.toThrow('`filter.search`: a NUL character (U+0000) at character 2 is not allowed: remove it');
    });

    it('reports positions in the text the user sent, leading spaces included', async () => {
      await expect(viaApi('  "supply chain')).rejects.toThrow(
        '`filter.search`: the quote at character 3 is never closed; close the phrase with another "',
      );
    });
  });
});

describe('toFts5', () => {
  it.each<[string, SearchNode, string]>([
    ['a word is quoted', term('kubernetes'), '"kubernetes"'],
    ['a word with punctuation is quoted as is', term('C++'), '"C++"'],
    ['FTS5 syntax inside a word stays text', term('title:NEAR^'), '"title:NEAR^"'],
    ['a prefix: star after the quotes', term('secur', true), '"secur"*'],
    ['a phrase is quoted', phrase('supply chain'), '"supply chain"'],
    ['a quote inside a phrase is doubled', phrase('say "hi" now'), '"say ""hi"" now"'],
    ['a quote inside a term is doubled', term('a"b'), '"a""b"'],
    ['and', and(term('a'), term('b'), term('c')), '("a" AND "b" AND "c")'],
    ['or', or(term('rust'), term('go')), '("rust" OR "go")'],
    ['not', not(term('kubernetes'), term('docker')), '("kubernetes" NOT "docker")'],
    ['left-nested not', not(not(term('a'), term('b')), term('c')), '(("a" NOT "b") NOT "c")'],
    [
      'nesting keeps the tree grouping',
      or(and(term('a'), phrase('b c')), not(term('d', true), or(term('e'), term('f')))),
      '(("a" AND "b c") OR ("d"* NOT ("e" OR "f")))',
    ],
  ])('%s', (_label, tree, fts) => {
    expect(toFts5(tree)).toBe(fts);
  });

  it.each<[string, string]>([
    ['kubernetes security', '("kubernetes" AND "security")'],
    ['(rust OR go) AND secur*', '(("rust" OR "go") AND "secur"*)'],
    ['kubernetes NOT docker NOT "docker desktop"', '(("kubernetes" NOT "docker") NOT "docker desktop")'],
    ['a b OR c', '(("a" AND "b") OR "c")'],
  ])('parseSearch(%j) renders as %s', (input, fts) => {
    expect(toFts5(parseSearch(input))).toBe(fts);
  });

  describe('read by SQLite FTS5 (tokenizer of migrations/0001_init.sql)', () => {
    const rows: [number, string][] = [
      [1, 'Kubernetes security audit'],
      [2, 'Kubernetes and Docker'],
      [3, 'Open-source supply chain security'],
      [4, 'C++ and Node.js tooling'],
      [5, 'Meetup in München'],
      [6, 'Rust or Go'],
      [7, 'He said "hi" there'],
    ];
    let db: Database.Database;
    beforeAll(() => {
      db = new Database(':memory:');
      db.exec("CREATE VIRTUAL TABLE t USING fts5 (x, tokenize = 'porter unicode61 remove_diacritics 2')");
      const insert = db.prepare('INSERT INTO t (rowid, x) VALUES (?, ?)');
      for (const [id, text] of rows) insert.run(id, text);
    });
    afterAll(() => db.close());
    const match = (fts: string) => (db.prepare('SELECT rowid FROM t WHERE t MATCH ? ORDER BY rowid').all(fts) as { rowid: number }[]).map((r) => r.rowid);

    it.each<[string, number[]]>([
      ['kubernetes security', [1]],
      ['kubernetes NOT docker', [1]],
      ['secur*', [1, 3]],
      ['"supply chain"', [3]],
      ['"chain supply"', []],
      ['open-source', [3]],
      ['C++ node.js', [4]],
      ['München', [5]],
      ['Munchen', [5]],
      ['rust or go', [6]],
      ['rust OR docker', [2, 6]],
      ['(rust OR docker) NOT kubernetes', [6]],
      ['kubernetes - security', [1]],
      ['(kubernetes OR rust) NOT docker NOT security', [6]],
      ['title:kubernetes', []],
      ['NEAR kubernetes', []],
    ])('%j matches rows %j', (input, ids) => {
      expect(match(toFts5(parseSearch(input)))).toEqual(ids);
    });

    it('matches a phrase holding a quote', () => {
      expect(match(toFts5(phrase('said "hi" there')))).toEqual([7]);
    });
  });
});
