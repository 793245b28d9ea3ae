import { quote, shortenQuoted } from '../src/errors';

describe('quote: user input in error messages', () => {
  it.each<[string, string, string]>([
    ['a short string, JSON-quoted', 'cncf', '"cncf"'],
    ['the empty string', '', '""'],
    ['quotes and backslashes escaped', 'say "hi"\\', '"say \\"hi\\"\\\\"'],
    ['control characters escaped', 'a\u0000b\n', '"a\\u0000b\\n"'],
    ['non-ASCII kept as is', 'Zürich 😀', '"Zürich 😀"'],
    ['a lone surrogate escaped', 'a\ud800b', '"a\\ud800b"'],
  ])('%s', (_label, value, expected) => {
    expect(quote(value)).toBe(expected);
  });

  it('leaves a string of exactly `max` characters untouched', () => {
    expect(quote('a'.repeat(100))).toBe(`"${'a'.repeat(100)}"`);
  });

  it('cuts a longer string at `max` characters, with an ellipsis and the original length', () => {
    expect(quote('a'.repeat(10_000))).toBe(`"${'a'.repeat(100)}…" (10000 characters)`);
    expect(quote('a'.repeat(101))).toBe(`"${'a'.repeat(100)}…" (101 characters)`);
    expect(quote('abcdef', 3)).toBe('"abc…" (6 characters)');
  });

  it('never splits a surrogate pair, and counts characters (code points), not UTF-16 units', () => {
    // 😀 is two UTF-16 code units: 'a' + 😀 is 3 units but 2 characters.
    expect(quote('a😀😀😀', 2)).toBe('"a😀…" (4 characters)');
    const emoji = '😀'.repeat(5_000);
    const quoted = quote(emoji);
    expect(quoted).toBe(`"${'😀'.repeat(100)}…" (5000 characters)`);
    expect(quoted).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
  });

  it('bounds the quoted text after escaping: escapes count, and are kept whole', () => {
    // Each NUL becomes the six characters \u0000: 16 of them fit in 100, never a part of one.
    expect(quote('\u0000'.repeat(10_000))).toBe(`"${'\\u0000'.repeat(16)}…" (10000 characters)`);
    expect(quote('ab\u0000', 4)).toBe('"ab…" (3 characters)');
  });
});

describe('shortenQuoted', () => {
  it('cuts every long quoted run and every long unbroken run, and leaves short messages alone', () => {
    const long = 'v'.repeat(500);
    expect(shortenQuoted(`Variable "$n" got invalid value "${long}"; Int cannot represent non-integer value: "${long}"`)).toBe(
      `Variable "$n" got invalid value "${'v'.repeat(100)}…"; Int cannot represent non-integer value: "${'v'.repeat(100)}…"`,
    );
    expect(shortenQuoted(`DateTime cannot represent an invalid date-time-string ${long}`)).toBe(
      `DateTime cannot represent an invalid date-time-string ${'v'.repeat(100)}…`,
    );
    const short = 'Cannot query field "nope" on type "Query".';
    expect(shortenQuoted(short)).toBe(short);
  });

  it('never splits a surrogate pair, and skips escaped quotes inside a quoted run', () => {
    const emoji = '😀'.repeat(300);
    const cut = shortenQuoted(`value "${emoji}"`);
    expect(cut.length).toBeLessThan(120);
    expect(cut).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
    const escaped = shortenQuoted(`value "${'a\\"'.repeat(100)}" end`);
    expect(escaped).toMatch(/…" end$/);
  });
});
