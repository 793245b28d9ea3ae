/**
 * Control characters in text that the API searches with (`ArticleFilter.search`, the name searches of
 * companies and foundations, membership tiers).
 *
 * They are refused, not read as spaces: nobody types them, so one in a search comes from a client's
 * bug (a C string terminator, binary data, text decoded with the wrong charset), and searching for
 * something other than what was sent would hide that bug. They are also unsafe further down: SQLite
 * reads a NUL (U+0000) as the end of an FTS5 query (an "unterminated string") and of a LIKE pattern
 * (which then matches every row).
 *
 * Refused: Unicode general category Cc, that is C0 (U+0000-U+001F), DEL (U+007F) and C1
 * (U+0080-U+009F), except tab, line feed and carriage return, which a pasted search may well hold
 * (the article search reads them as spaces).
 */
const CONTROL = /[^\P{Cc}\t\n\r]/u;

export interface ControlCharacter {
  /** Where it is, counting characters (code points) from 1, as a user counts them. */
  at: number;
  /** "a NUL character (U+0000)", "a control character (U+001B)". */
  description: string;
}

/** The first refused control character in `text`, if any. */
export function findControlCharacter(text: string): ControlCharacter | undefined {
  const match = CONTROL.exec(text);
  if (!match) return undefined;
  const code = match[0].codePointAt(0)!;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return {
    at: [...text.slice(0, match.index)].length + 1,
    description: code === 0 ? `a NUL character (${hex})` : `a control character (${hex})`,
  };
}

/** What an error message says about it: "a NUL character (U+0000) at character 3 is not allowed: remove it". */
export function controlCharacterProblem(found: ControlCharacter): string {
  return `${found.description} at character ${found.at} is not allowed: remove it`;
}
