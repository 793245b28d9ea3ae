import { BadInputError, quote } from '../errors';

export type TimeInterval = 'DAY' | 'WEEK' | 'MONTH';

export const MAX_BUCKETS = 1000;

interface LocalTime {
  year: number;
  month: number; // 1-12
  day: number;
  weekday: number; // 0 = Monday ... 6 = Sunday (ISO 8601)
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * A UTC offset spelled as ECMA-402 reads one ("+05:30", "-0800", "+05", with U+2212 as minus too).
 * Recent engines (Node 24's ICU, ECMA-402 2024) accept these as time zones; older ones refuse them.
 */
const UTC_OFFSET = /^[+\-\u2212]\d{2}(?::?\d{2})?$/;

/**
 * Checks an IANA time zone name ("Europe/Paris", "UTC"), returning its canonical form. UTC offsets
 * are refused on every Node version, as the API documents `timeZone` as an IANA name: an offset
 * has no daylight saving rules, so calendar days "in -05:00" are not New York's days half the year.
 */
export function checkTimeZone(timeZone: string): string {
  const known = checkedZones.get(timeZone);
  if (known !== undefined) return known;
  let resolved: string | undefined;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch {
    resolved = undefined;
  }
  // The resolved name is checked too, in case an engine accepts an offset in some other spelling.
  if (UTC_OFFSET.test(timeZone) || (resolved !== undefined && UTC_OFFSET.test(resolved))) {
    throw new BadInputError(
      `\`timeZone\`: ${quote(timeZone)} is a UTC offset, not an IANA time zone name: name the zone, such as "Asia/Kolkata" ` +
        '(not "+05:30") or "America/Los_Angeles" (not "-08:00"), so that its daylight saving changes count',
    );
  }
  if (resolved === undefined) {
    throw new BadInputError(`\`timeZone\`: ${quote(timeZone)} is not an IANA time zone name (such as "UTC", "Europe/Paris" or "America/New_York")`);
  }
  // Only names that resolved are kept: at most the IANA database's few hundred names and their aliases.
  checkedZones.set(timeZone, resolved);
  return resolved;
}

/** Time zone names already checked, with their canonical form (making a DateTimeFormat for a zone is the costliest step of a timeline request). */
const checkedZones = new Map<string, string>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

function partsOf(ms: number, timeZone: string) {
  // UTC (what most dashboards ask for) from the Date's own fields, without ICU.
  if (timeZone === 'UTC') {
    const d = new Date(ms);
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
      weekday: (d.getUTCDay() + 6) % 7,
    };
  }
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS.indexOf(parts.weekday),
  };
}

/** The zone's offset from UTC at an instant, in milliseconds. */
function offsetAt(ms: number, timeZone: string): number {
  const p = partsOf(ms, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

const dayKey = (p: { year: number; month: number; day: number }) => p.year * 10_000 + p.month * 100 + p.day;

/**
 * The first instant of a calendar day in a zone: local midnight, or where a change of offset skips
 * midnight, the first instant that belongs to the day (a day that does not exist at all, like
 * 30 December 2011 in Samoa, starts where the next one does).
 */
function startOfLocalDay(year: number, month: number, day: number, timeZone: string): number {
  const target = dayKey({ year, month, day });
  const guess = Date.UTC(year, month - 1, day);
  // The usual case: midnight exists once and the offset is the same just before it.
  const candidate = guess - offsetAt(guess - offsetAt(guess, timeZone), timeZone);
  const at = partsOf(candidate, timeZone);
  if (dayKey(at) === target && at.hour === 0 && at.minute === 0 && at.second === 0 && dayKey(localDay(candidate - 1000, timeZone)) < target) {
    return candidate;
  }
  // Otherwise, the earliest second whose local date is the day or later (dates only move forward
  // across a day start): offsets are within ±14 hours, so it lies within a day and a half of `guess`.
  let low = guess - 36 * 3_600_000;
  let high = guess + 36 * 3_600_000;
  while (high - low > 1000) {
    const mid = low + Math.floor((high - low) / 2000) * 1000;
    if (dayKey(localDay(mid, timeZone)) >= target) high = mid;
    else low = mid;
  }
  return high;
}

function localDay(ms: number, timeZone: string): LocalTime {
  const p = partsOf(ms, timeZone);
  return { year: p.year, month: p.month, day: p.day, weekday: p.weekday };
}

/** The calendar date `days` after a date (pure calendar arithmetic, no zone). */
function addDays(date: { year: number; month: number; day: number }, days: number) {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/**
 * The starts of the calendar buckets (days, ISO weeks starting on Monday, months) of a time zone that
 * cover [from, to), as UTC instants, plus the end of the last one. The first bucket is the one holding
 * `from` (it may start before it).
 */
export function bucketBoundaries(from: number, to: number, interval: TimeInterval, timeZone: string): number[] {
  if (!(from < to)) throw new BadInputError('`from` must be before `to` (`from` is inclusive, `to` exclusive)');
  const first = localDay(from, timeZone);
  let date =
    interval === 'DAY'
      ? first
      : interval === 'WEEK'
        ? addDays(first, -first.weekday)
        : { year: first.year, month: first.month, day: 1 };
  const boundaries = [startOfLocalDay(date.year, date.month, date.day, timeZone)];
  while (boundaries[boundaries.length - 1] < to) {
    if (boundaries.length > MAX_BUCKETS) {
      throw new BadInputError(
        `from ${new Date(from).toISOString()} to ${new Date(to).toISOString()} makes more than ${MAX_BUCKETS} ${interval} buckets: use a longer interval or a shorter range`,
      );
    }
    date =
      interval === 'DAY'
        ? addDays(date, 1)
        : interval === 'WEEK'
          ? addDays(date, 7)
          : date.month === 12
            ? { year: date.year + 1, month: 1, day: 1 }
            : { year: date.year, month: date.month + 1, day: 1 };
    const start = startOfLocalDay(date.year, date.month, date.day, timeZone);
    // A day that does not exist in the zone starts where the next one does: no empty bucket for it.
    if (start > boundaries[boundaries.length - 1]) boundaries.push(start);
  }
  return boundaries;
}

const SHORTEST_MS: Record<TimeInterval, number> = { DAY: 23 * 3_600_000, WEEK: 7 * 86_400_000 - 3_600_000, MONTH: 28 * 86_400_000 - 3_600_000 };

/**
 * At most how many buckets `bucketBoundaries` makes for a range, without making them: for the
 * query measure, which sizes a timeline's `points` before it runs. Counted with the shortest a
 * bucket can be (a 23-hour day on a DST change, a 28-day month), plus the partial buckets at both
 * ends; never more than MAX_BUCKETS, which the timeline refuses. An unreadable range counts as the most.
 */
export function bucketCountBound(from: unknown, to: unknown, interval: unknown): number {
  if (!(from instanceof Date) || !(to instanceof Date) || typeof interval !== 'string' || !(interval in SHORTEST_MS)) return MAX_BUCKETS;
  const span = to.getTime() - from.getTime();
  if (!Number.isFinite(span)) return MAX_BUCKETS;
  if (span <= 0) return 0;
  return Math.min(MAX_BUCKETS, Math.ceil(span / SHORTEST_MS[interval as TimeInterval]) + 2);
}
