/**
 * Lenient reading of the dates found in real RSS/Atom feeds (RSS 2.0 `pubDate`, Atom `updated`/`published`,
 * Dublin Core `dc:date`, and whatever else publishers put there).
 *
 * The text is tried against each known shape in turn: epoch numbers, ISO 8601 / RFC 3339, RFC 822 / RFC 2822
 * (with localized month names), and only then `Date.parse`. A shape that is recognized but holds an impossible
 * value ("2019-02-30", "32 Jan 2020", hour 25) is refused outright rather than handed on to `Date.parse`,
 * which would silently roll it over.
 *
 * Nothing here reads the machine's time zone: a date written without a zone is taken as UTC.
 */

/** Results outside [1970-01-01T00:00Z, 2101-01-01T00:00Z) are refused: no feed item is dated there. */
const MIN_MS = Date.UTC(1970, 0, 1);
const MAX_MS = Date.UTC(2101, 0, 1);

/** Longer texts are not dates (a date with a zone comment is well under 100 characters). */
const MAX_LENGTH = 256;

/**
 * What a shape parser returns: the instant when it read one, `null` when the text has its shape but an
 * impossible value (no further parser is tried), `undefined` when the text does not have its shape.
 */
type Attempt = number | null | undefined;

/** A case-insensitive Unicode regular expression matching the whole text, written as consecutive pieces. */
function pattern(...pieces: string[]): RegExp {
  return new RegExp(`^${pieces.join('')}$`, 'iu');
}

/** Milliseconds since the epoch (UTC) of a feed date, or null when the text is not a date we can read. */
export function parseFeedDate(text: string | null | undefined): number | null {
  if (typeof text !== 'string') return null;
  const clean = normalize(text);
  if (clean === '' || clean.length > MAX_LENGTH) return null;
  for (const parse of [parseEpoch, parseIso8601, parseRfc2822]) {
    const attempt = parse(clean);
    if (attempt !== undefined) return attempt;
  }
  return parseWithDateParse(clean);
}

/**
 * Drops comments, e.g. "(CEST)" or "(Central European Summer Time)": RFC 2822 §3.2.3 allows them around
 * any token, and JavaScript's Date#toString() appends one. Then folds every run of white space (including
 * no-break spaces) into one space.
 */
function normalize(text: string): string {
  return text
    .replace(/\([^()]*\)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Unix time: 9 to 11 digits are seconds (1973 to 5138), 12 to 14 digits are milliseconds (1973 to 5138);
 * the range check then keeps 1970–2100.
 */
function parseEpoch(text: string): Attempt {
  if (/^\d{9,11}$/.test(text)) return inRange(Number(text) * 1000);
  if (/^\d{12,14}$/.test(text)) return inRange(Number(text));
  return undefined;
}

/**
 * ISO 8601 / RFC 3339 §5.6 ("2003-12-13T18:30:02.25+01:00"), leniently: "T" or spaces between date and time,
 * seconds and fraction optional (the fraction is truncated to milliseconds), month and day of one digit,
 * "/" instead of "-" (year first, so not ambiguous), "t"/"z" in lower case (RFC 3339 §5.6 NOTE), and any zone
 * `parseZone` reads ("Z", "+01:00", "+0100", "+01", " UTC", " EST"). A date alone is midnight UTC; a time
 * without a zone is UTC (RFC 3339 §4.4 leaves it unknown; UTC is the usual intent in feeds).
 */
const ISO_8601 = pattern(
  String.raw`(?<year>\d{4})(?<sep>[-/])(?<month>\d{1,2})\k<sep>(?<day>\d{1,2})`,
  String.raw`(?:(?:T\s*|\s+)(?<hour>\d{1,2}):(?<minute>\d{2})(?::(?<second>\d{2})(?:[.,](?<fraction>\d+))?)?`,
  String.raw`(?:\s*(?<zone>\S.*))?)?`, // zone, read by parseZone; the time and zone are optional
);

function parseIso8601(text: string): Attempt {
  const groups = ISO_8601.exec(text)?.groups;
  if (!groups) return undefined;
  const offset = groups.zone === undefined ? 0 : parseZone(groups.zone);
  if (offset === null) return null;
  return toEpochMs(
    {
      year: Number(groups.year),
      month: Number(groups.month),
      day: Number(groups.day),
      hour: Number(groups.hour ?? 0),
      minute: Number(groups.minute ?? 0),
      second: Number(groups.second ?? 0),
      millisecond: fractionToMs(groups.fraction),
    },
    offset,
  );
}

/**
 * RFC 822 §5 / RFC 2822 §3.3 date-time, the RSS 2.0 pubDate: "[day-of-week ,] day month year [time [zone]]",
 * e.g. "Tue, 10 Jun 2003 04:00:00 GMT". Leniently:
 * - the day of week is optional and ignored, in any language and spelling ("Seg,", "Mo.,", "segunda-feira,");
 * - the day may have one digit and a German trailing dot ("24. Sep"); day, month and year may be separated
 *   by spaces or "-" ("10-Jun-2003"), or by the Portuguese/Spanish "de" ("24 de setembro de 2018");
 * - the month is an English, Portuguese, Spanish, French or German name or abbreviation, any case, accents
 *   and trailing dot optional (see `MONTHS`);
 * - the year has 4 digits, or 2 or 3 (RFC 2822 §4.3: 00–49 is 2000–2049, 50–99 is 1950–1999, 3 digits +1900);
 * - the time is optional (midnight); it is "hh:mm[:ss[.fff]]" (hour of 1 or 2 digits) or "hhmm" without colon
 *   ("03 Apr 02 1500 GMT"), optionally followed by AM/PM;
 * - the zone is optional (UTC) and read by `parseZone`.
 */
const RFC_2822 = pattern(
  String.raw`(?:\p{L}[\p{L}-]*\.?,?\s*)?`, // day of week, ignored
  String.raw`(?<day>\d{1,2})\.?[\s-]*(?:de\s+)?`,
  String.raw`(?<month>\p{L}+)\.?,?[\s-]*(?:de\s+)?`,
  String.raw`(?<year>\d{2,4})`,
  String.raw`(?:,?\s+(?:(?<hour>\d{1,2}):(?<minute>\d{2})(?::(?<second>\d{2})(?:[.,](?<fraction>\d+))?)?|(?<hhmm>\d{4}))`,
  String.raw`(?:\s*(?<ampm>[ap])\.?m\.?)?`,
  String.raw`(?:\s*(?<zone>\S.*))?)?`, // zone, read by parseZone; the time and zone are optional
);

function parseRfc2822(text: string): Attempt {
  const groups = RFC_2822.exec(text)?.groups;
  if (!groups) return undefined;
  const month = monthNumber(groups.month);
  if (month === null) return null;
  const offset = groups.zone === undefined ? 0 : parseZone(groups.zone);
  if (offset === null) return null;

  let year = Number(groups.year);
  if (groups.year.length === 2) year += year < 50 ? 2000 : 1900;
  else if (groups.year.length === 3) year += 1900;

  let hour = Number(groups.hhmm?.slice(0, 2) ?? groups.hour ?? 0);
  const minute = Number(groups.hhmm?.slice(2) ?? groups.minute ?? 0);
  if (groups.ampm !== undefined) {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (groups.ampm.toLowerCase() === 'p' ? 12 : 0);
  }
  return toEpochMs(
    {
      year,
      month,
      day: Number(groups.day),
      hour,
      minute,
      second: Number(groups.second ?? 0),
      millisecond: fractionToMs(groups.fraction),
    },
    offset,
  );
}

/**
 * Month names, lower case and without accents, per month: English, Portuguese, Spanish, French, German.
 * A name matches when it equals one of these or is a prefix of at least 3 letters of one, which covers the
 * abbreviations feeds use: "Jun", "Sept", "Fev", "Set", "Out", "Dez", "Ene", "Dic", "janv", "févr", "juil",
 * "août", "déc", "Mär", "Okt", "Jän" ("Mrz" is listed as is). A prefix of two months' names ("jui": juin or
 * juillet) matches neither.
 */
const MONTHS: readonly (readonly string[])[] = [
  ['january', 'janeiro', 'enero', 'janvier', 'januar', 'janner'],
  ['february', 'fevereiro', 'febrero', 'fevrier', 'februar'],
  ['march', 'marco', 'marzo', 'mars', 'marz', 'mrz'],
  ['april', 'abril', 'avril'],
  ['may', 'maio', 'mayo', 'mai'],
  ['june', 'junho', 'junio', 'juin', 'juni'],
  ['july', 'julho', 'julio', 'juillet', 'juli'],
  ['august', 'agosto', 'aout'],
  ['september', 'setembro', 'septiembre', 'setiembre', 'septembre'],
  ['october', 'outubro', 'octubre', 'octobre', 'oktober'],
  ['november', 'novembro', 'noviembre', 'novembre'],
  ['december', 'dezembro', 'diciembre', 'decembre', 'dezember'],
];

/** 1–12 for a month name or abbreviation in one of the languages of `MONTHS`, else null. */
function monthNumber(name: string): number | null {
  const key = name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase();
  if (key.length < 3) return null;
  const matches = MONTHS.flatMap((names, index) => (names.some((full) => full.startsWith(key)) ? [index + 1] : []));
  return matches.length === 1 ? matches[0] : null;
}

/**
 * Zone offsets in minutes east of UTC, by abbreviation.
 * - RFC 822 §5 / RFC 2822 §4.3: UT, GMT, Z and the North American zones.
 * - Others common in feeds, each taken in its most common meaning there: IST is India (not Ireland or
 *   Israel), BST is British Summer Time (not Bangladesh), CST stays US Central (RFC 822, not China).
 *   MEZ/MESZ are the German names of CET/CEST.
 * An abbreviation of 1 to 5 letters that is not listed (including the military letters other than Z) is taken
 * as UTC, as RFC 2822 §4.3 says for zones whose meaning is not known ("equivalent to -0000").
 */
const NAMED_ZONES: Readonly<Record<string, number>> = {
  UT: 0,
  UTC: 0,
  GMT: 0,
  Z: 0,
  EST: -5 * 60,
  EDT: -4 * 60,
  CST: -6 * 60,
  CDT: -5 * 60,
  MST: -7 * 60,
  MDT: -6 * 60,
  PST: -8 * 60,
  PDT: -7 * 60,
  AKST: -9 * 60,
  AKDT: -8 * 60,
  HST: -10 * 60,
  BRT: -3 * 60,
  WET: 0,
  WEST: 1 * 60,
  BST: 1 * 60,
  CET: 1 * 60,
  CEST: 2 * 60,
  MET: 1 * 60,
  MEST: 2 * 60,
  MEZ: 1 * 60,
  MESZ: 2 * 60,
  EET: 2 * 60,
  EEST: 3 * 60,
  MSK: 3 * 60,
  IST: 5 * 60 + 30,
  SGT: 8 * 60,
  HKT: 8 * 60,
  AWST: 8 * 60,
  JST: 9 * 60,
  KST: 9 * 60,
  ACST: 9 * 60 + 30,
  ACDT: 10 * 60 + 30,
  AEST: 10 * 60,
  AEDT: 11 * 60,
  NZST: 12 * 60,
  NZDT: 13 * 60,
};

/**
 * A zone's offset in minutes east of UTC, or null when it cannot be one. Reads a name of `NAMED_ZONES`, a
 * numeric offset "+hhmm" (RFC 2822 §3.3; "-0000" is UTC), "+hh:mm" or "+hh" (RFC 3339 §5.6, ISO 8601),
 * optionally after GMT/UTC/UT ("GMT+0200", "UTC+2") or before a name, which is then ignored ("-0700 MST", as Go's
 * time.String() writes), and unknown names as UTC (see `NAMED_ZONES`).
 */
function parseZone(zone: string): number | null {
  const key = zone.replace(/\s+/g, '').toUpperCase();
  const named = NAMED_ZONES[key];
  if (named !== undefined) return named;
  const numeric = /^(?:UTC?|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?(?:[A-Z]{1,5})?$/.exec(key);
  if (numeric) {
    const [, sign, hours, minutes = '0'] = numeric;
    if (Number(hours) > 23 || Number(minutes) > 59) return null;
    return (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes));
  }
  return /^[A-Z]{1,5}$/.test(key) ? 0 : null;
}

/** "5" → 500, "25" → 250, "123456" → 123: a decimal fraction of a second, truncated to milliseconds. */
function fractionToMs(fraction: string | undefined): number {
  return fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
}

interface DateTimeFields {
  year: number;
  month: number; // 1–12
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

/**
 * The instant of a wall-clock date and time at `offsetMinutes` east of UTC, or null if a field is out of range
 * (no rolling over like `Date.UTC` does). A leap second (:60, RFC 3339 §5.6) is read as :59, since
 * JavaScript time has none.
 */
function toEpochMs(f: DateTimeFields, offsetMinutes: number): number | null {
  const daysInMonth = new Date(Date.UTC(f.year, f.month, 0)).getUTCDate();
  if (f.month < 1 || f.month > 12 || f.day < 1 || f.day > daysInMonth) return null;
  if (f.hour > 23 || f.minute > 59 || f.second > 60) return null;
  const utc = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, Math.min(f.second, 59), f.millisecond);
  return inRange(utc - offsetMinutes * 60_000);
}

function inRange(ms: number): number | null {
  return Number.isFinite(ms) && ms >= MIN_MS && ms < MAX_MS ? ms : null;
}

/** A 4-digit year of 1970–2100 standing alone. */
const YEAR_IN_TEXT = /(?<!\d)(?:19[7-9]\d|20\d\d|2100)(?!\d)/;
/** "10/06/2003", "06.10.2003", "6-10-03": day-first or month-first cannot be told apart. */
const NUMERIC_DAY_MONTH = /(?<!\d)\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}(?!\d)/;
/** The first "h:mm" or "h:mm:ss" of the text. */
const TIME_IN_TEXT = /(?<![\d:])(\d{1,2}):(\d{2})(?::(\d{2}))?(?![\d:])/;
/** Numbers of 1 or 2 digits that are not part of a time: the candidates for the day of month. */
const SMALL_NUMBERS = /(?<![\d:.])\d{1,2}(?![\d:])/g;
/** A zone `Date.parse` applies with a non-zero offset: a North American name, or a signed offset after GMT/UTC or a time. */
const OFFSET_ZONE_IN_TEXT = /(?<!\p{L})[ECMP][SD]T(?!\p{L})|(?:UTC?|GMT)\s*[+-]\d|\d:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AP]M\s*)?[+-]\d/iu;

/**
 * Last resort: ECMAScript `Date.parse` (its implementation-specific fallback, in V8 the legacy parser), for
 * shapes such as "June 10, 2003 4:00 PM EST" or Date#toString()'s "Tue Jun 10 2003 04:00:00 GMT+0200".
 * It guesses freely, so its result is kept only when:
 * - the text holds a 4-digit year of 1970–2100, and no all-numeric day/month date (ambiguous);
 * - its time, if any, is a real one (V8 reads "23:60" as 23:00) and its day of month appears in the text (V8
 *   rolls "February 30" over to March 2, and reads "foo 2003" as 1 January);
 * - the instant is within 1970–2100.
 * `Date.parse` reads a text without a zone as local time, so the text is parsed with " GMT" appended (V8 takes
 * the last zone it reads): that gives its wall-clock time as UTC. Only when the text carries a zone with an
 * offset is the text parsed as it is, to apply that offset.
 */
function parseWithDateParse(text: string): number | null {
  if (!YEAR_IN_TEXT.test(text) || NUMERIC_DAY_MONTH.test(text)) return null;
  const time = TIME_IN_TEXT.exec(text);
  if (time && (Number(time[1]) > 23 || Number(time[2]) > 59 || Number(time[3] ?? 0) > 59)) return null;

  const wallClock = Date.parse(`${text} GMT`);
  if (!Number.isFinite(wallClock)) return null;
  const day = new Date(wallClock).getUTCDate();
  if (!(text.match(SMALL_NUMBERS) ?? []).some((number) => Number(number) === day)) return null;

  return inRange(OFFSET_ZONE_IN_TEXT.test(text) ? Date.parse(text) : wallClock);
}
