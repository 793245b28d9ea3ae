import type { Store } from '../store/store';
import type { EntityDictionary, EntityNames, MentionCount, Mentions } from '../store/types';

/**
 * Entity linking: which companies and foundations an article names, by their names and aliases from
 * the reference data. Dictionary matching with rules for the ambiguous cases that matter in this
 * domain; measured against a hand-labeled corpus (tests/fixtures/linking, figures in the README).
 *
 * Rules:
 * 1. Terms are every entity's name, its aliases, and a foundation's short name. Aliases and short
 *    names under 3 characters are too ambiguous to use ("LF"); names are always used ("F5").
 * 2. A one-word term matches when written capitalized: as in the dictionary, or in another case that
 *    starts with a capital ("Github", "Nvidia", "NVIDIA"), but never in lower case: "Meta" and not
 *    "meta", "Apple" and not "apple", "AWS" and not "aws". Terms of several words ignore case
 *    ("linux foundation").
 * 3. A match must stand alone: no letter, digit or underscore just before or after it, so "Meta" is
 *    not found in "Metadata" and "Intel" not in "Intelligence". URLs and e-mail addresses are not
 *    read at all.
 * 4. Terms that are also ordinary English words (Meta, Apple, Oracle, ...) do not match as the
 *    first part of a hyphenated word ("Meta-analysis").
 * 5. Where terms overlap, the longest wins ("Amazon Web Services" over "Amazon", "LF AI & Data"
 *    over nothing shorter), each stretch of text counting once.
 */

export type { EntityDictionary, MentionCount, Mentions };

type Kind = 'company' | 'foundation';
type DictionaryEntity = EntityNames;

interface Term {
  text: string;
  kind: Kind;
  id: number;
}

/** One-word terms that are also common English words: rule 4. */
const ORDINARY_WORDS = new Set(['meta', 'apple', 'oracle', 'intel', 'amazon', 'uber', 'alphabet', 'azure', 'eclipse', 'docker']);

const MIN_ALIAS_LENGTH = 3;

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Hides URLs and e-mail addresses (same length, so offsets stay true). */
function maskAddresses(text: string): string {
  return text.replace(/\b(?:https?:\/\/|www\.)[^\s<>"]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+/gi, (m) => ' '.repeat(m.length));
}

export class Linker {
  private readonly oneWord: RegExp | null;
  private readonly caseless: RegExp | null;
  /** Terms by their text: one-word terms in lower case, several-word terms with spaces normalized and lowercased. */
  private readonly byText = new Map<string, Term>();

  constructor(dictionary: EntityDictionary) {
    const terms: Term[] = [];
    const add = (kind: Kind, entity: DictionaryEntity) => {
      const names = [entity.name];
      const others = [entity.shortName, ...entity.aliases].filter((t): t is string => !!t && t.trim().length >= MIN_ALIAS_LENGTH);
      for (const text of [...names, ...others]) terms.push({ text: text.trim().replace(/\s+/g, ' '), kind, id: entity.id });
    };
    dictionary.companies.forEach((c) => add('company', c));
    dictionary.foundations.forEach((f) => add('foundation', f));

    const oneWord: string[] = [];
    const severalWords: string[] = [];
    for (const term of terms) {
      const multi = /\s/.test(term.text);
      const key = term.text.toLowerCase();
      if (this.byText.has(key)) continue; // the reference data guarantees one owner per alias
      this.byText.set(key, term);
      (multi ? severalWords : oneWord).push(term.text);
    }
    this.oneWord = compile(oneWord, 'giu');
    this.caseless = compile(severalWords, 'giu');
  }

  /** The entities named in a title and a text, with how often, and whether in the title. */
  link(title: string, text: string | null): Mentions {
    const found = new Map<string, { kind: Kind; id: number; count: number; inTitle: boolean }>();
    const scan = (source: string, inTitle: boolean) => {
      for (const term of this.matches(source)) {
        const key = `${term.kind}:${term.id}`;
        const entry = found.get(key) ?? { kind: term.kind, id: term.id, count: 0, inTitle: false };
        entry.count++;
        entry.inTitle ||= inTitle;
        found.set(key, entry);
      }
    };
    scan(title, true);
    if (text) scan(text, false);
    const list = (kind: Kind) =>
      [...found.values()].filter((e) => e.kind === kind).map(({ id, count, inTitle }) => ({ id, count, inTitle }));
    return { companies: list('company'), foundations: list('foundation') };
  }

  private matches(source: string): Term[] {
    const text = maskAddresses(source);
    const spans: { start: number; end: number; term: Term }[] = [];
    for (const [regex, multi] of [
      [this.oneWord, false],
      [this.caseless, true],
    ] as const) {
      if (!regex) continue;
      regex.lastIndex = 0;
      for (let m = regex.exec(text); m; m = regex.exec(text)) {
        const matched = m[1].replace(/\s+/g, ' ');
        const term = this.byText.get(matched.toLowerCase());
        if (!term) continue;
        if (!multi && matched !== term.text && !/^\p{Lu}/u.test(matched)) continue;
        const end = m.index + m[1].length;
        if (!multi && ORDINARY_WORDS.has(m[1].toLowerCase()) && /^-\p{L}/u.test(text.slice(end, end + 2))) continue;
        spans.push({ start: m.index, end, term });
        // Overlapping terms are all collected; rule 5 picks among them below.
        regex.lastIndex = m.index + 1;
      }
    }
    spans.sort((a, b) => a.start - b.start || b.end - a.end);
    const kept: Term[] = [];
    let reached = -1;
    for (const span of spans) {
      if (span.start < reached) continue;
      kept.push(span.term);
      reached = span.end;
    }
    return kept;
  }
}

/** One alternation of all terms, longest first, bounded by non-word characters (Unicode-aware). */
function compile(terms: string[], flags: string): RegExp | null {
  if (terms.length === 0) return null;
  const alternation = [...terms]
    .sort((a, b) => b.length - a.length)
    .map((term) => escape(term).replace(/ /g, '\\s+'))
    .join('|');
  return new RegExp(`(?<![\\p{L}\\p{N}_])(${alternation})(?![\\p{L}\\p{N}_])`, flags);
}

/** A Linker over the store's current companies, foundations and aliases (read when called: once per round of fetches). */
export async function loadLinker(store: Pick<Store, 'loadEntityDictionary'>): Promise<Linker> {
  return new Linker(await store.loadEntityDictionary());
}
