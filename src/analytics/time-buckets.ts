import { BadInputError } from '../errors';

export type TimeInterval = 'DAY' | 'WEEK' | 'MONTH';

export const MAX_BUCKETS = 1000;

interface LocalTime {
  year: number;
  month: number; // 1-12
  day: number;
  weekday: number; // 0 = Monday ... 6 = Sunday (ISO 8601)
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Checks an IANA time zone name ("Europe/Paris", "UTC"), returning its canonical form. */
export function checkTimeZone(timeZone: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch {
    throw new BadInputError(`\`timeZone\`: "${timeZone}" is not an IANA time zone name (such as "UTC", "Europe/Paris" or "America/New_York")`);
  }
}

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

/**
 * The instant of local midnight starting a calendar day in a zone. Where a DST change skips midnight,
 * the first instant of that day.
 */
function startOfLocalDay(year: number, month: number, day: number, timeZone: string): number {
  const guess = Date.UTC(year, month - 1, day);
  let instant = guess - offsetAt(guess, timeZone);
  // The offset at the true instant may differ from the one at the guess (a DST change that night).
  instant = guess - offsetAt(instant, timeZone);
  const p = partsOf(instant, timeZone);
  if (p.day !== new Date(guess).getUTCDate()) instant += 3_600_000; // midnight did not exist: the first hour of the day
  return instant;
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
    boundaries.push(startOfLocalDay(date.year, date.month, date.day, timeZone));
  }
  return boundaries;
}
