import { BadInputError, quote } from '../errors';
import { controlCharacterProblem, findControlCharacter } from './control-characters';

/**
 * The search syntax of `ArticleFilter.search`, parsed into a tree that each store translates into its
 * own engine's syntax (FTS5 for SQLite). Parsing here, not in the engine, gives users errors that say
 * what is wrong and where, and lets ordinary text ("open-source", "C++") search as text.
 *
 *   kubernetes security        both words (AND is implied)
 *   "supply chain"             the phrase
 *   secur*                     words starting with "secur"
 *   rust OR go                 either
 *   kubernetes NOT docker      the first without the second
 *   (rust OR go) AND security  grouping
 *
 * Operators are the upper-case words AND, OR, NOT; in lower case they are ordinary words.
 *
 * Control characters are refused here, before any store sees them (see control-characters.ts): tab
 * and line breaks are spaces, NUL and the others are BAD_USER_INPUT with their position.
 */
export type SearchNode =
  | { kind: 'term'; text: string; prefix: boolean }
  | { kind: 'phrase'; text: string }
  | { kind: 'and' | 'or'; children: SearchNode[] }
  | { kind: 'not'; include: SearchNode; exclude: SearchNode };

export const MAX_SEARCH_LENGTH = 500;
export const MAX_SEARCH_TERMS = 32;
/**
 * Letters or digits a prefix search needs before its `*`. A prefix reads every indexed word it
 * starts (FTS5 has no prefix index here): at 100,000 articles, seven one-letter prefixes OR-ed took
 * 6.1 s, seven of three letters 0.25 s.
 */
export const MIN_PREFIX_CHARS = 3;

type Token =
  | { type: 'word'; text: string; prefix: boolean; at: number }
  | { type: 'phrase'; text: string; at: number }
  | { type: 'AND' | 'OR' | 'NOT' | '(' | ')'; at: number };

const fail = (message: string) => new BadInputError(`\`filter.search\`: ${message}`);
/** A word must have a letter or digit to be searchable: the search index keeps nothing else. */
const searchable = (text: string) => /[\p{L}\p{N}]/u.test(text);

/** "at character N", N counting characters (code points) from 1, as a user counts them. */
let positionIn = '';
const position = (at: number) => `at character ${[...positionIn.slice(0, at)].length + 1}`;

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ type: c, at: i++ });
    } else if (c === '"') {
      const end = input.indexOf('"', i + 1);
      if (end < 0) throw fail(`the quote ${position(i)} is never closed; close the phrase with another "`);
      const text = input.slice(i + 1, end).trim();
      if (searchable(text)) tokens.push({ type: 'phrase', text, at: i });
      else throw fail(`the phrase ${position(i)} has no words in it`);
      i = end + 1;
    } else {
      const start = i;
      while (i < input.length && !/[\s()"]/.test(input[i])) i++;
      const raw = input.slice(start, i);
      if (raw === 'AND' || raw === 'OR' || raw === 'NOT') {
        tokens.push({ type: raw, at: start });
        continue;
      }
      const prefix = raw.endsWith('*');
      const text = raw.replace(/\*+$/, '');
      if (prefix && !searchable(text)) throw fail(`${quote(raw)} ${position(start)}: a prefix search needs letters or digits before the *`);
      if (prefix && text.replace(/[^\p{L}\p{N}]/gu, '').length < MIN_PREFIX_CHARS) {
        throw fail(`${quote(raw)} ${position(start)}: a prefix search needs at least ${MIN_PREFIX_CHARS} letters or digits before the * (a shorter one matches most of the archive)`);
      }
      // Punctuation alone ("-", "&") is not searchable text: skip it.
      if (searchable(text)) tokens.push({ type: 'word', text, prefix, at: start });
    }
  }
  return tokens;
}

/** Parses a search string, or throws a BadInputError that says what is wrong and where. */
export function parseSearch(input: string): SearchNode {
  const length = [...input].length;
  if (length > MAX_SEARCH_LENGTH) throw fail(`at most ${MAX_SEARCH_LENGTH} characters (got ${length})`);
  positionIn = input;
  const control = findControlCharacter(input);
  if (control) throw fail(controlCharacterProblem(control));
  const tokens = tokenize(input);
  const terms = tokens.filter((t) => t.type === 'word' || t.type === 'phrase').length;
  if (terms === 0) throw fail('there is nothing to search for: give at least one word');
  if (terms > MAX_SEARCH_TERMS) throw fail(`at most ${MAX_SEARCH_TERMS} words and phrases (got ${terms})`);
  let next = 0;
  const peek = () => tokens[next];
  const describe = (t: Token | undefined) => (t ? `${t.type === 'word' || t.type === 'phrase' ? quote(t.text) : t.type} ${position(t.at)}` : 'the end');

  // or := and (OR and)* ; and := not ([AND] not)* ; not := primary (NOT primary)* ; primary := word | phrase | ( or )
  const parseOr = (): SearchNode => {
    const children = [parseAnd()];
    while (peek()?.type === 'OR') {
      const op = tokens[next++];
      if (!startsOperand(peek())) throw fail(`OR ${position(op.at)} needs a word or phrase after it`);
      children.push(parseAnd());
    }
    return children.length === 1 ? children[0] : { kind: 'or', children };
  };
  const startsOperand = (t: Token | undefined) => t !== undefined && (t.type === 'word' || t.type === 'phrase' || t.type === '(');
  const parseAnd = (): SearchNode => {
    const children = [parseNot()];
    for (;;) {
      const t = peek();
      if (t?.type === 'AND') {
        next++;
        if (!startsOperand(peek())) throw fail(`AND ${position(t.at)} needs a word or phrase after it`);
      } else if (!startsOperand(t)) break;
      children.push(parseNot());
    }
    return children.length === 1 ? children[0] : { kind: 'and', children };
  };
  const parseNot = (): SearchNode => {
    let node = parsePrimary();
    while (peek()?.type === 'NOT') {
      const op = tokens[next++];
      if (!startsOperand(peek())) throw fail(`NOT ${position(op.at)} needs a word or phrase after it`);
      node = { kind: 'not', include: node, exclude: parsePrimary() };
    }
    return node;
  };
  const parsePrimary = (): SearchNode => {
    const t = tokens[next];
    if (!t) throw fail('the search ends where a word or phrase was expected');
    next++;
    if (t.type === 'word') return { kind: 'term', text: t.text, prefix: t.prefix };
    if (t.type === 'phrase') return { kind: 'phrase', text: t.text };
    if (t.type === '(') {
      if (peek()?.type === ')') throw fail(`the parentheses ${position(t.at)} are empty`);
      const inner = parseOr();
      const close = tokens[next++];
      if (close?.type !== ')') throw fail(`the parenthesis ${position(t.at)} is never closed`);
      return inner;
    }
    if (t.type === 'NOT') throw fail(`NOT ${position(t.at)} must follow what to keep: write "kubernetes NOT docker" (a search cannot be only an exclusion)`);
    if (t.type === ')') throw fail(`the parenthesis ${position(t.at)} closes nothing`);
    throw fail(`${t.type} ${position(t.at)} needs a word or phrase before it`);
  };

  const tree = parseOr();
  if (next < tokens.length) {
    const t = tokens[next];
    throw fail(t.type === ')' ? `the parenthesis ${position(t.at)} closes nothing` : `unexpected ${describe(t)}`);
  }
  return tree;
}
