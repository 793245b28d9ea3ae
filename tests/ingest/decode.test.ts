import iconv from 'iconv-lite';
import { decodeFeed, plausibility } from '../../src/ingest/decode';

/** A small RSS document around `title`, with an optional encoding in the XML declaration. */
function feed(title: string, prologEncoding?: string): string {
  const declaration = prologEncoding ? `<?xml version="1.0" encoding="${prologEncoding}"?>` : '<?xml version="1.0"?>';
  return `${declaration}\n<rss version="2.0"><channel><title>${title}</title></channel></rss>`;
}

const BOM_UTF8 = Buffer.from([0xef, 0xbb, 0xbf]);
const BOM_UTF16LE = Buffer.from([0xff, 0xfe]);
const BOM_UTF16BE = Buffer.from([0xfe, 0xff]);

/** UTF-16BE bytes of a string (Node has no 'utf16be' encoding of its own). */
function utf16be(text: string): Buffer {
  const le = Buffer.from(text, 'utf16le');
  const be = Buffer.alloc(le.length);
  for (let i = 0; i < le.length; i += 2) {
    be[i] = le[i + 1];
    be[i + 1] = le[i];
  }
  return be;
}

describe('decodeFeed', () => {
  describe('byte-order marks and UTF-16', () => {
    const doc = feed('Café – 日本語 😀', 'utf-8');

    it.each([
      ['UTF-8 with BOM', Buffer.concat([BOM_UTF8, Buffer.from(doc, 'utf8')]), 'utf-8', 'bom'],
      ['UTF-16LE with BOM', Buffer.concat([BOM_UTF16LE, Buffer.from(doc, 'utf16le')]), 'utf-16le', 'bom'],
      ['UTF-16BE with BOM', Buffer.concat([BOM_UTF16BE, utf16be(doc)]), 'utf-16be', 'bom'],
      ['UTF-16LE without BOM (starts with "<" and a zero byte)', Buffer.from(doc, 'utf16le'), 'utf-16le', 'bom'],
      ['UTF-16BE without BOM (a zero byte then "<")', utf16be(doc), 'utf-16be', 'bom'],
    ])('%s', (_name, bytes, encoding, source) => {
      const decoded = decodeFeed(bytes, 'application/rss+xml');
      expect(decoded).toEqual({ text: doc, encoding, source });
    });

    it('UTF-16LE without BOM and with a leading newline is still read as UTF-16LE', () => {
      const bytes = Buffer.from(`\n${doc}`, 'utf16le');
      const decoded = decodeFeed(bytes, null);
      expect(decoded.text).not.toContain('\u0000');
      expect(decoded).toEqual({ text: `\n${doc}`, encoding: 'utf-16le', source: 'bom' });
    });

    it('strips the BOM from the text and lets it win over a contradicting header', () => {
      const bytes = Buffer.concat([BOM_UTF8, Buffer.from(feed('é'), 'utf8')]);
      const decoded = decodeFeed(bytes, 'text/xml; charset=iso-8859-1');
      expect(decoded).toEqual({ text: feed('é'), encoding: 'utf-8', source: 'bom' });
      expect(decoded.text.charCodeAt(0)).toBe(0x3c); // "<", no U+FEFF
    });
  });

  describe('declared encodings', () => {
    it('uses the charset of the HTTP header when the prolog declares none (Latin-1 bytes)', () => {
      const bytes = Buffer.from(feed('Café'), 'latin1');
      expect(bytes.includes(0xe9)).toBe(true);
      // iso-8859-1 is read as its superset windows-1252, as the WHATWG Encoding Standard says.
      expect(decodeFeed(bytes, 'application/rss+xml; charset=ISO-8859-1')).toEqual({
        text: feed('Café'),
        encoding: 'windows-1252',
        source: 'http',
      });
    });

    it.each([
      ['charset="utf-8" (quoted)', 'text/xml; charset="utf-8"'],
      ['charset=UTF8 (no dash, upper case)', 'text/xml;charset=UTF8'],
    ])('reads the header %s', (_name, contentType) => {
      const bytes = Buffer.from(feed('Ünïcödé'), 'utf8');
      expect(decodeFeed(bytes, contentType)).toEqual({ text: feed('Ünïcödé'), encoding: 'utf-8', source: 'http' });
    });

    it('uses the XML prolog when the header has no charset (windows-1251 Cyrillic)', () => {
      const doc = feed('Привет, мир', 'windows-1251');
      const bytes = iconv.encode(doc, 'windows-1251');
      expect(decodeFeed(bytes, 'application/rss+xml')).toEqual({ text: doc, encoding: 'windows-1251', source: 'xml' });
      expect(decodeFeed(bytes, null)).toEqual({ text: doc, encoding: 'windows-1251', source: 'xml' });
    });

    it('reads a prolog preceded by whitespace and a comment', () => {
      const doc = `\n  <!-- generated -->\n${feed('Привет', 'windows-1251')}`;
      const bytes = iconv.encode(doc, 'windows-1251');
      expect(decodeFeed(bytes, null)).toEqual({ text: doc, encoding: 'windows-1251', source: 'xml' });
    });

    it('prefers the HTTP header to a prolog that disagrees with it', () => {
      // Bytes in windows-1251, header says windows-1251, prolog says iso-8859-5 (another Cyrillic encoding).
      const doc = feed('Привет', 'iso-8859-5');
      const bytes = iconv.encode(doc, 'windows-1251');
      expect(decodeFeed(bytes, 'text/xml; charset=windows-1251')).toEqual({ text: doc, encoding: 'windows-1251', source: 'http' });
    });

    it('trusts a legacy prolog over a header claiming UTF-8 when the bytes are not UTF-8', () => {
      const doc = feed('Привет', 'windows-1251');
      const bytes = iconv.encode(doc, 'windows-1251');
      expect(decodeFeed(bytes, 'text/xml; charset=utf-8')).toEqual({ text: doc, encoding: 'windows-1251', source: 'xml' });
    });

    it('reads UTF-8 bytes as UTF-8 when the prolog lies (declares windows-1252)', () => {
      const doc = feed('Price: 5 € — café', 'windows-1252');
      const decoded = decodeFeed(Buffer.from(doc, 'utf8'), null);
      expect(decoded).toEqual({ text: doc, encoding: 'utf-8', source: 'detected' });
      expect(decoded.text).not.toMatch(/â|Ã/); // no mojibake ("â‚¬", "Ã©")
    });

    it('reads UTF-8 bytes as UTF-8 when the header lies (says iso-8859-1)', () => {
      const doc = feed('café €');
      expect(decodeFeed(Buffer.from(doc, 'utf8'), 'text/xml; charset=iso-8859-1')).toEqual({ text: doc, encoding: 'utf-8', source: 'detected' });
    });

    it('keeps a declared single-byte encoding for pure ASCII bytes', () => {
      const doc = feed('plain ascii', 'windows-1252');
      expect(decodeFeed(Buffer.from(doc, 'utf8'), null)).toEqual({ text: doc, encoding: 'windows-1252', source: 'xml' });
    });

    it('ignores a UTF-16 prolog over 8-bit bytes (no BOM, no zero bytes)', () => {
      const doc = feed('café', 'utf-16');
      expect(decodeFeed(Buffer.from(doc, 'utf8'), null)).toEqual({ text: doc, encoding: 'utf-8', source: 'default' });
    });

    it('ignores an unknown charset label', () => {
      const doc = feed('café');
      expect(decodeFeed(Buffer.from(doc, 'utf8'), 'text/xml; charset=x-no-such-thing')).toEqual({ text: doc, encoding: 'utf-8', source: 'default' });
    });
  });

  describe('undeclared encodings', () => {
    it('reads undeclared valid UTF-8 as UTF-8 (source default)', () => {
      const doc = feed('naïve café');
      expect(decodeFeed(Buffer.from(doc, 'utf8'), null)).toEqual({ text: doc, encoding: 'utf-8', source: 'default' });
    });

    it('reads undeclared Latin-1 bytes (invalid UTF-8) as a legacy encoding: "é", not U+FFFD', () => {
      const doc = feed('Le café est fermé à midi, déjà.');
      const decoded = decodeFeed(Buffer.from(doc, 'latin1'), 'application/xml');
      expect(decoded).toEqual({ text: doc, encoding: 'windows-1252', source: 'detected' });
      expect(decoded.text).not.toContain('\ufffd');
    });

    it.each([['é'], ['São Paulo: ação'], ['Müller, Straße'], ['señor, año']])('reads a short undeclared Latin-1 title %j', (title) => {
      expect(decodeFeed(Buffer.from(feed(title), 'latin1'), null)).toEqual({ text: feed(title), encoding: 'windows-1252', source: 'detected' });
    });

    it('reads Latin-1 bytes behind a header that says UTF-8 as a legacy encoding', () => {
      const doc = feed('Le café est fermé à midi, déjà.');
      expect(decodeFeed(Buffer.from(doc, 'latin1'), 'text/xml; charset=utf-8')).toEqual({ text: doc, encoding: 'windows-1252', source: 'detected' });
    });

    it('keeps declared UTF-8 that is only partly broken, replacing the broken byte', () => {
      const bytes = Buffer.concat([Buffer.from('<rss><channel><title>café ', 'utf8'), Buffer.from([0xff]), Buffer.from(' ok</title></channel></rss>', 'utf8')]);
      expect(decodeFeed(bytes, 'text/xml; charset=utf-8')).toEqual({
        text: '<rss><channel><title>café \ufffd ok</title></channel></rss>',
        encoding: 'utf-8',
        source: 'http',
      });
    });
  });

  describe('mislabeled legacy encodings, decided with all the evidence', () => {
    /** A short feed: one item whose title and description are `text`. */
    const shortFeed = (text: string, prologEncoding?: string) =>
      feed('News', prologEncoding).replace('</channel>', `<item><title>${text}</title><link>https://example.org/1</link><description>${text}</description></item></channel>`);

    const TEXTS: [string, string][] = [
      ['Привет мир', 'windows-1251'],
      ['Новости фонда', 'koi8-r'],
      ['Café à la crème — Zürich', 'windows-1252'],
      ['東京の天気は晴れです', 'shift_jis'],
      ['开源基金会发布年度报告', 'gb18030'],
      ['Zażółć gęślą jaźń', 'windows-1250'],
      ['Καλημέρα κόσμε', 'windows-1253'],
    ];
    const MISLABELS: [string, string | undefined, string | null][] = [
      ['undeclared', undefined, null],
      ['declared UTF-8 in the prolog', 'utf-8', null],
      ['declared UTF-8 in the HTTP header', undefined, 'application/rss+xml; charset=utf-8'],
      ['declared UTF-8 in both', 'UTF-8', 'text/xml; charset=UTF-8'],
    ];

    it.each(TEXTS.flatMap(([text, encoding]) => MISLABELS.map(([how, prolog, header]) => [text, encoding, how, prolog, header] as const)))(
      'reads %j in %s, %s, as the original text',
      (text, encoding, _how, prolog, header) => {
        const doc = shortFeed(text, prolog);
        // The text, not the label: these Greek bytes read the same in ISO-8859-7 as in windows-1253.
        expect(decodeFeed(iconv.encode(doc, encoding), header)).toMatchObject({ text: doc, source: 'detected' });
      },
    );

    it.each(TEXTS)('reads %j in %s when the prolog or the header says so', (text, encoding) => {
      const doc = shortFeed(text, encoding);
      expect(decodeFeed(iconv.encode(doc, encoding), null)).toEqual({ text: doc, encoding, source: 'xml' });
      const undeclared = shortFeed(text);
      expect(decodeFeed(iconv.encode(undeclared, encoding), `text/xml; charset=${encoding}`)).toEqual({ text: undeclared, encoding, source: 'http' });
    });

    it('overrules a header that says ISO-8859-1 over windows-1251 bytes (a server default): "Ïðèâåò ìèð" is not text', () => {
      const doc = shortFeed('Привет мир');
      expect(decodeFeed(iconv.encode(doc, 'windows-1251'), 'text/xml; charset=ISO-8859-1')).toEqual({ text: doc, encoding: 'windows-1251', source: 'detected' });
    });

    it('keeps a declared Latin encoding whose text is as plausible as another\'s (a declaration stands unless contradicted)', () => {
      // "Dzieñ dobry" (ISO-8859-2 read as Latin-1) is a possible text: only the language would tell.
      const doc = shortFeed('Müller, Straße, Zürich');
      expect(decodeFeed(iconv.encode(doc, 'iso-8859-2'), 'text/xml; charset=iso-8859-2')).toEqual({ text: doc, encoding: 'iso-8859-2', source: 'http' });
    });

    it('reads undeclared UTF-8 with one broken byte as UTF-8, not as windows-1252 mojibake', () => {
      const bytes = Buffer.concat([Buffer.from(shortFeed('Привет — café').replace('</rss>', ''), 'utf8'), Buffer.from([0xff]), Buffer.from('</rss>')]);
      const decoded = decodeFeed(bytes, null);
      expect(decoded).toMatchObject({ encoding: 'utf-8', source: 'detected' });
      expect(decoded.text).toBe(`${shortFeed('Привет — café').replace('</rss>', '')}\ufffd</rss>`);
    });
  });

  describe('plausibility of a candidate decoding', () => {
    it.each([
      ['Cyrillic read as Latin-1', 'Ïðèâåò ìèð', 'windows-1252', -1],
      ['the same bytes as windows-1251', 'Привет мир', 'windows-1251', 1],
      ['KOI8-R read as windows-1251 (cases swapped)', 'оПЧПУФЙ', 'windows-1251', -1],
      ['UTF-8 read as windows-1252 ("don’t")', 'donâ€™t', 'windows-1252', -1],
      ['UTF-8 read as windows-1255 (a Hebrew point after a Latin letter)', 'cafֳ©', 'windows-1255', -1],
      ['ISO-8859-2 read as windows-1252 (a sign before letters)', '¶wiecie', 'windows-1252', -1],
      ['accented Latin words', 'l’été, ação, Zażółć, Þórður', 'windows-1252', 1],
      ['inverted marks and degrees', '¿Qué? 20 °C', 'windows-1252', 1],
      ['a word of one letter: no evidence', 'é', 'windows-1252', 0],
      ['a replacement character', 'caf\ufffd', 'utf-8', -1],
      ['frequent hanzi in GB18030', '北京欢迎你', 'gb18030', 1],
      ['simplified hanzi, which are not frequent Big5 characters', '北京欢迎你', 'big5', -1],
      ['kanji and kana in Shift_JIS', '東京の天気は晴れです', 'shift_jis', 1],
      ['half-width katakana', 'ﾆｭｰｽ', 'shift_jis', -1],
      ['Hangul', '안녕하세요', 'euc-kr', 1],
      ['Hanja in EUC-KR (what GB2312 bytes become)', '안녕漢字', 'euc-kr', -1],
    ])('%s: %j in %s scores %d', (_name, text, encoding, score) => {
      expect(plausibility(text, encoding)).toBe(score);
    });
  });

  describe('C1 control characters', () => {
    it.each([
      ['U+0092 → ’', '\u0092', '’'],
      ['U+0093/U+0094 → “ ”', '\u0093quoted\u0094', '“quoted”'],
      ['U+0080 → €', '\u0080', '€'],
      ['U+0085 → …', '\u0085', '…'],
      ['U+0096 → –', '\u0096', '–'],
      ['U+0081 (undefined in windows-1252) → dropped', 'a\u0081b', 'ab'],
    ])('repairs %s in UTF-8 text', (_name, input, output) => {
      const decoded = decodeFeed(Buffer.from(feed(`It${input}s`), 'utf8'), 'text/xml; charset=utf-8');
      expect(decoded).toEqual({ text: feed(`It${output}s`), encoding: 'utf-8', source: 'http' });
    });
  });
});
