import { BadInputError } from '../../src/errors';
import { bucketBoundaries, checkTimeZone, MAX_BUCKETS, type TimeInterval } from '../../src/analytics/time-buckets';

// Every expected instant below is a hard-coded UTC ISO string worked out from the calendar and the zone's
// rules (comments give the local reading). Nothing here reads the machine's zone: these tests must pass
// whatever TZ is: run them with TZ=Asia/Kolkata and TZ=America/Los_Angeles too.

const HOUR = 3_600_000;

/** The boundaries bucketBoundaries returns, as ISO strings. */
function buckets(from: string, to: string, interval: TimeInterval, timeZone = 'UTC'): string[] {
  return bucketBoundaries(Date.parse(from), Date.parse(to), interval, timeZone).map((ms) => new Date(ms).toISOString());
}

/** The length of each bucket, in hours. */
function hours(boundaries: string[]): number[] {
  return boundaries.slice(1).map((end, i) => (Date.parse(end) - Date.parse(boundaries[i])) / HOUR);
}

function errorOf(run: () => unknown): BadInputError {
  try {
    run();
  } catch (err) {
    if (err instanceof BadInputError) return err;
    throw err;
  }
  throw new Error('expected a BadInputError, but nothing was thrown');
}

describe('bucketBoundaries', () => {
  describe('DAY in UTC', () => {
    it.each<[string, string, string, string[]]>([
      [
        'three whole days',
        '2026-03-10T00:00:00.000Z',
        '2026-03-13T00:00:00.000Z',
        ['2026-03-10T00:00:00.000Z', '2026-03-11T00:00:00.000Z', '2026-03-12T00:00:00.000Z', '2026-03-13T00:00:00.000Z'],
      ],
      [
        '`from` in the middle of a day starts at that midnight',
        '2026-03-10T15:30:00.000Z',
        '2026-03-12T08:00:00.000Z',
        ['2026-03-10T00:00:00.000Z', '2026-03-11T00:00:00.000Z', '2026-03-12T00:00:00.000Z', '2026-03-13T00:00:00.000Z'],
      ],
      [
        '`to` exactly on a boundary adds no bucket',
        '2026-03-10T15:30:00.000Z',
        '2026-03-12T00:00:00.000Z',
        ['2026-03-10T00:00:00.000Z', '2026-03-11T00:00:00.000Z', '2026-03-12T00:00:00.000Z'],
      ],
      [
        '`to` 1 ms past a boundary adds a bucket',
        '2026-03-10T15:30:00.000Z',
        '2026-03-12T00:00:00.001Z',
        ['2026-03-10T00:00:00.000Z', '2026-03-11T00:00:00.000Z', '2026-03-12T00:00:00.000Z', '2026-03-13T00:00:00.000Z'],
      ],
      ['from and to in the same day: one bucket', '2026-03-10T01:00:00.000Z', '2026-03-10T23:59:59.999Z', ['2026-03-10T00:00:00.000Z', '2026-03-11T00:00:00.000Z']],
      ['a 1 ms range: one bucket', '2026-03-10T23:59:59.999Z', '2026-03-11T00:00:00.000Z', ['2026-03-10T00:00:00.000Z', '2026-03-11T00:00:00.000Z']],
      ['a whole day exactly: one bucket', '2026-03-10T00:00:00.000Z', '2026-03-11T00:00:00.000Z', ['2026-03-10T00:00:00.000Z', '2026-03-11T00:00:00.000Z']],
      [
        'across the end of February 2028 (leap year)',
        '2028-02-28T12:00:00.000Z',
        '2028-03-01T12:00:00.000Z',
        ['2028-02-28T00:00:00.000Z', '2028-02-29T00:00:00.000Z', '2028-03-01T00:00:00.000Z', '2028-03-02T00:00:00.000Z'],
      ],
      [
        'across a year end',
        '2026-12-31T12:00:00.000Z',
        '2027-01-01T12:00:00.000Z',
        ['2026-12-31T00:00:00.000Z', '2027-01-01T00:00:00.000Z', '2027-01-02T00:00:00.000Z'],
      ],
    ])('%s', (_label, from, to, expected) => {
      expect(buckets(from, to, 'DAY')).toEqual(expected);
    });

    it("'UTC' days are all 24 hours, even over the European and American DST changes", () => {
      const b = buckets('2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z', 'DAY');
      expect(b).toHaveLength(32);
      expect(new Set(hours(b))).toEqual(new Set([24]));
    });
  });

  describe('WEEK (ISO 8601: Monday 00:00)', () => {
    it.each<[string, string, string, string[]]>([
      // 2026-03-12 is a Thursday; Mondays: 9, 16, 23 March.
      ['from a Thursday', '2026-03-12T10:00:00.000Z', '2026-03-20T00:00:00.000Z', ['2026-03-09T00:00:00.000Z', '2026-03-16T00:00:00.000Z', '2026-03-23T00:00:00.000Z']],
      ['from a Monday 00:00', '2026-03-16T00:00:00.000Z', '2026-03-16T00:00:00.001Z', ['2026-03-16T00:00:00.000Z', '2026-03-23T00:00:00.000Z']],
      ['from the last ms of a Sunday', '2026-03-15T23:59:59.999Z', '2026-03-16T00:00:00.000Z', ['2026-03-09T00:00:00.000Z', '2026-03-16T00:00:00.000Z']],
      ['`to` on a Monday adds no bucket', '2026-03-12T10:00:00.000Z', '2026-03-23T00:00:00.000Z', ['2026-03-09T00:00:00.000Z', '2026-03-16T00:00:00.000Z', '2026-03-23T00:00:00.000Z']],
      // 2026-01-01 is a Thursday: ISO week 2026-W01 starts on Monday 2025-12-29.
      ['across the 2025/2026 year end: week 1 starts in December', '2026-01-01T12:00:00.000Z', '2026-01-06T00:00:00.000Z', ['2025-12-29T00:00:00.000Z', '2026-01-05T00:00:00.000Z', '2026-01-12T00:00:00.000Z']],
      // 2027-01-01 is a Friday: it belongs to 2026-W53 (from Monday 2026-12-28); 2027-W01 starts on Monday 4 January.
      [
        'across the 2026/2027 year end: week 1 starts on 4 January',
        '2026-12-30T00:00:00.000Z',
        '2027-01-12T00:00:00.000Z',
        ['2026-12-28T00:00:00.000Z', '2027-01-04T00:00:00.000Z', '2027-01-11T00:00:00.000Z', '2027-01-18T00:00:00.000Z'],
      ],
    ])('%s', (_label, from, to, expected) => {
      expect(buckets(from, to, 'WEEK')).toEqual(expected);
    });
  });

  describe('MONTH (the 1st, 00:00)', () => {
    it.each<[string, string, string, string[]]>([
      ['from the middle of a month', '2026-03-15T12:00:00.000Z', '2026-05-02T00:00:00.000Z', ['2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z', '2026-05-01T00:00:00.000Z', '2026-06-01T00:00:00.000Z']],
      ['`to` on the 1st adds no bucket', '2026-03-15T12:00:00.000Z', '2026-05-01T00:00:00.000Z', ['2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z', '2026-05-01T00:00:00.000Z']],
      ['one month, from its first instant', '2026-03-01T00:00:00.000Z', '2026-03-31T23:59:59.999Z', ['2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z']],
      ['February 2028 (leap year)', '2028-02-10T00:00:00.000Z', '2028-03-05T00:00:00.000Z', ['2028-02-01T00:00:00.000Z', '2028-03-01T00:00:00.000Z', '2028-04-01T00:00:00.000Z']],
      ['February 2027', '2027-02-10T00:00:00.000Z', '2027-03-05T00:00:00.000Z', ['2027-02-01T00:00:00.000Z', '2027-03-01T00:00:00.000Z', '2027-04-01T00:00:00.000Z']],
      [
        'across a year end',
        '2026-11-20T00:00:00.000Z',
        '2027-02-01T00:00:00.000Z',
        ['2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z', '2027-02-01T00:00:00.000Z'],
      ],
    ])('%s', (_label, from, to, expected) => {
      expect(buckets(from, to, 'MONTH')).toEqual(expected);
    });

    it.each<[string, string, number]>([
      ['2028-02-01T00:00:00.000Z', 'February 2028 (leap)', 29],
      ['2027-02-01T00:00:00.000Z', 'February 2027', 28],
      ['2100-02-01T00:00:00.000Z', 'February 2100 (not leap: divisible by 100, not by 400)', 28],
      ['2000-02-01T00:00:00.000Z', 'February 2000 (leap: divisible by 400)', 29],
    ])('%s: %s has %d days', (start, _label, days) => {
      const to = new Date(Date.parse(start) + 1).toISOString();
      expect(hours(buckets(start, to, 'MONTH'))).toEqual([days * 24]);
    });
  });

  describe('in a time zone', () => {
    it.each<[string, string, string, string, string[], number[]]>([
      // Paris is UTC+1 in winter: local midnight is 23:00 UTC the day before.
      [
        'Europe/Paris in winter: midnight is 23:00 UTC',
        'Europe/Paris',
        '2026-01-15T12:00:00.000Z',
        '2026-01-17T12:00:00.000Z',
        ['2026-01-14T23:00:00.000Z', '2026-01-15T23:00:00.000Z', '2026-01-16T23:00:00.000Z', '2026-01-17T23:00:00.000Z'],
        [24, 24, 24],
      ],
      // UTC+2 in summer: 22:00 UTC.
      ['Europe/Paris in summer: midnight is 22:00 UTC', 'Europe/Paris', '2026-07-15T12:00:00.000Z', '2026-07-16T12:00:00.000Z', ['2026-07-14T22:00:00.000Z', '2026-07-15T22:00:00.000Z', '2026-07-16T22:00:00.000Z'], [24, 24]],
      // 23:30 UTC on 14 Jan is 00:30 on 15 Jan in Paris.
      ['Europe/Paris: a `from` just after local midnight, UTC still the day before', 'Europe/Paris', '2026-01-14T23:30:00.000Z', '2026-01-15T00:00:00.000Z', ['2026-01-14T23:00:00.000Z', '2026-01-15T23:00:00.000Z'], [24]],
      // 22:30 UTC on 14 Jan is 23:30 on 14 Jan in Paris.
      ['Europe/Paris: a `from` just before local midnight', 'Europe/Paris', '2026-01-14T22:30:00.000Z', '2026-01-14T23:00:00.000Z', ['2026-01-13T23:00:00.000Z', '2026-01-14T23:00:00.000Z'], [24]],
      // Sunday 29 March 2026 (last Sunday of March), 02:00 CET -> 03:00 CEST at 01:00 UTC: a 23-hour day.
      [
        'Europe/Paris, 29 March 2026 (DST starts): 23 hours',
        'Europe/Paris',
        '2026-03-28T12:00:00.000Z',
        '2026-03-30T12:00:00.000Z',
        ['2026-03-27T23:00:00.000Z', '2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z', '2026-03-30T22:00:00.000Z'],
        [24, 23, 24],
      ],
      // Sunday 25 October 2026 (last Sunday of October), 03:00 CEST -> 02:00 CET at 01:00 UTC: a 25-hour day.
      [
        'Europe/Paris, 25 October 2026 (DST ends): 25 hours',
        'Europe/Paris',
        '2026-10-24T12:00:00.000Z',
        '2026-10-26T12:00:00.000Z',
        ['2026-10-23T22:00:00.000Z', '2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z', '2026-10-26T23:00:00.000Z'],
        [24, 25, 24],
      ],
      // Sunday 8 March 2026 (second Sunday of March), 02:00 EST -> 03:00 EDT.
      [
        'America/New_York, 8 March 2026 (DST starts): 23 hours',
        'America/New_York',
        '2026-03-07T12:00:00.000Z',
        '2026-03-09T12:00:00.000Z',
        ['2026-03-07T05:00:00.000Z', '2026-03-08T05:00:00.000Z', '2026-03-09T04:00:00.000Z', '2026-03-10T04:00:00.000Z'],
        [24, 23, 24],
      ],
      // Sunday 1 November 2026 (first Sunday of November), 02:00 EDT -> 01:00 EST.
      [
        'America/New_York, 1 November 2026 (DST ends): 25 hours',
        'America/New_York',
        '2026-10-31T12:00:00.000Z',
        '2026-11-02T12:00:00.000Z',
        ['2026-10-31T04:00:00.000Z', '2026-11-01T04:00:00.000Z', '2026-11-02T05:00:00.000Z', '2026-11-03T05:00:00.000Z'],
        [24, 25, 24],
      ],
      // 03:00 UTC on 10 March is 23:00 EDT on 9 March.
      ['America/New_York: a `from` whose UTC date is the next day', 'America/New_York', '2026-03-10T03:00:00.000Z', '2026-03-10T04:00:00.000Z', ['2026-03-09T04:00:00.000Z', '2026-03-10T04:00:00.000Z'], [24]],
      // India is UTC+05:30, no DST: local midnight is 18:30 UTC the day before.
      ['Asia/Kolkata (+05:30)', 'Asia/Kolkata', '2026-03-10T00:00:00.000Z', '2026-03-11T00:00:00.000Z', ['2026-03-09T18:30:00.000Z', '2026-03-10T18:30:00.000Z', '2026-03-11T18:30:00.000Z'], [24, 24]],
      ['Asia/Kolkata: the last ms of a local day', 'Asia/Kolkata', '2026-03-10T18:29:59.999Z', '2026-03-10T18:30:00.000Z', ['2026-03-09T18:30:00.000Z', '2026-03-10T18:30:00.000Z'], [24]],
      // Nepal is UTC+05:45: 18:15 UTC; `to` on a local midnight adds no bucket.
      ['Asia/Kathmandu (+05:45)', 'Asia/Kathmandu', '2026-03-10T00:00:00.000Z', '2026-03-10T18:15:00.000Z', ['2026-03-09T18:15:00.000Z', '2026-03-10T18:15:00.000Z'], [24]],
      // Chile: DST starts at 24:00 on Saturday 5 September 2026 (04:00 UTC): 00:00 -04 -> 01:00 -03, so
      // Sunday 6 September starts at 01:00 local = 04:00 UTC, and lasts 23 hours.
      [
        'America/Santiago, 6 September 2026 (DST starts at midnight): the day starts at 01:00 local',
        'America/Santiago',
        '2026-09-05T12:00:00.000Z',
        '2026-09-07T12:00:00.000Z',
        ['2026-09-05T04:00:00.000Z', '2026-09-06T04:00:00.000Z', '2026-09-07T03:00:00.000Z', '2026-09-08T03:00:00.000Z'],
        [24, 23, 24],
      ],
      ['America/Santiago: `from` at the first instant of 6 September', 'America/Santiago', '2026-09-06T04:00:00.000Z', '2026-09-06T05:00:00.000Z', ['2026-09-06T04:00:00.000Z', '2026-09-07T03:00:00.000Z'], [23]],
      ['America/Santiago: `from` at the last ms of 5 September', 'America/Santiago', '2026-09-06T03:59:59.999Z', '2026-09-06T04:00:00.000Z', ['2026-09-05T04:00:00.000Z', '2026-09-06T04:00:00.000Z'], [24]],
      // Chile: DST ends at 24:00 -03 on Saturday 4 April 2026 (03:00 UTC), back to 23:00 -04: 4 April lasts 25 hours.
      [
        'America/Santiago, 4 April 2026 (DST ends at midnight): 25 hours',
        'America/Santiago',
        '2026-04-04T12:00:00.000Z',
        '2026-04-05T12:00:00.000Z',
        ['2026-04-04T03:00:00.000Z', '2026-04-05T04:00:00.000Z', '2026-04-06T04:00:00.000Z'],
        [25, 24],
      ],
      // Cuba: DST starts at 00:00 -05 on Sunday 8 March 2026: the day starts at 01:00 -04 = 05:00 UTC.
      [
        'America/Havana, 8 March 2026 (DST starts at midnight)',
        'America/Havana',
        '2026-03-07T12:00:00.000Z',
        '2026-03-09T12:00:00.000Z',
        ['2026-03-07T05:00:00.000Z', '2026-03-08T05:00:00.000Z', '2026-03-09T04:00:00.000Z', '2026-03-10T04:00:00.000Z'],
        [24, 23, 24],
      ],
      // Cuba: DST ends at 01:00 -04 on Sunday 1 November 2026, back to 00:00 -05: the hour after midnight happens twice;
      // the day starts at the first midnight (04:00 UTC).
      [
        'America/Havana, 1 November 2026 (midnight happens twice): the first one',
        'America/Havana',
        '2026-10-31T12:00:00.000Z',
        '2026-11-01T12:00:00.000Z',
        ['2026-10-31T04:00:00.000Z', '2026-11-01T04:00:00.000Z', '2026-11-02T05:00:00.000Z'],
        [24, 25],
      ],
      // Egypt: DST starts at 00:00 EET on Friday 24 April 2026 (last Friday of April): the day starts at 01:00 EEST = 22:00 UTC.
      [
        'Africa/Cairo, 24 April 2026 (DST starts at midnight, east of UTC)',
        'Africa/Cairo',
        '2026-04-23T12:00:00.000Z',
        '2026-04-24T12:00:00.000Z',
        ['2026-04-22T22:00:00.000Z', '2026-04-23T22:00:00.000Z', '2026-04-24T21:00:00.000Z'],
        [24, 23],
      ],
      // Lord Howe Island: +10:30, DST +11 (a 30-minute change) from 02:00 on Sunday 4 October 2026 to 02:00 on Sunday 5 April 2026.
      [
        'Australia/Lord_Howe, 4 October 2026 (30-minute DST starts): 23.5 hours',
        'Australia/Lord_Howe',
        '2026-10-03T12:00:00.000Z',
        '2026-10-04T12:00:00.000Z',
        ['2026-10-02T13:30:00.000Z', '2026-10-03T13:30:00.000Z', '2026-10-04T13:00:00.000Z'],
        [24, 23.5],
      ],
      [
        'Australia/Lord_Howe, 5 April 2026 (30-minute DST ends): 24.5 hours',
        'Australia/Lord_Howe',
        '2026-04-04T12:00:00.000Z',
        '2026-04-05T12:00:00.000Z',
        ['2026-04-03T13:00:00.000Z', '2026-04-04T13:00:00.000Z', '2026-04-05T13:30:00.000Z'],
        [24, 24.5],
      ],
    ])('DAY, %s', (_label, zone, from, to, expected, lengths) => {
      const b = buckets(from, to, 'DAY', zone);
      expect(b).toEqual(expected);
      expect(hours(b)).toEqual(lengths);
    });

    it.each<[string, string, string, string, string[], number[]]>([
      // Thursday 26 March 2026 in Paris; Monday 23 March 00:00 CET = 22 March 23:00 UTC; Monday 30 March 00:00 CEST = 29 March 22:00 UTC.
      [
        'Europe/Paris, the week of the DST change: 167 hours',
        'Europe/Paris',
        '2026-03-26T12:00:00.000Z',
        '2026-04-01T12:00:00.000Z',
        ['2026-03-22T23:00:00.000Z', '2026-03-29T22:00:00.000Z', '2026-04-05T22:00:00.000Z'],
        [167, 168],
      ],
      // 02:00 UTC on Monday 16 March is still Sunday 15 March (22:00 EDT): the week of Monday 9 March (after DST started on the 8th).
      ['America/New_York: a local Sunday that is Monday in UTC', 'America/New_York', '2026-03-16T02:00:00.000Z', '2026-03-16T03:00:00.000Z', ['2026-03-09T04:00:00.000Z', '2026-03-16T04:00:00.000Z'], [168]],
      // 16:00 UTC on Sunday 15 March is Monday 16 March 01:00 in Tokyo (+09:00, no DST).
      ['Asia/Tokyo: a UTC Sunday that is Monday locally', 'Asia/Tokyo', '2026-03-15T16:00:00.000Z', '2026-03-15T17:00:00.000Z', ['2026-03-15T15:00:00.000Z', '2026-03-22T15:00:00.000Z'], [168]],
      // 1 January 2026 in Kolkata: week 1 starts on Monday 29 December 2025 00:00 IST = 28 December 18:30 UTC.
      ['Asia/Kolkata across a year end', 'Asia/Kolkata', '2026-01-01T00:00:00.000Z', '2026-01-05T00:00:00.000Z', ['2025-12-28T18:30:00.000Z', '2026-01-04T18:30:00.000Z', '2026-01-11T18:30:00.000Z'], [168, 168]],
    ])('WEEK, %s', (_label, zone, from, to, expected, lengths) => {
      const b = buckets(from, to, 'WEEK', zone);
      expect(b).toEqual(expected);
      expect(hours(b)).toEqual(lengths);
    });

    it.each<[string, string, string, string, string[], number[]]>([
      // March 2026 in Paris: 1 March 00:00 CET = 28 February 23:00 UTC; 1 April 00:00 CEST = 31 March 22:00 UTC; 31 days less an hour.
      [
        'Europe/Paris, March (DST starts): 743 hours',
        'Europe/Paris',
        '2026-03-15T00:00:00.000Z',
        '2026-04-15T00:00:00.000Z',
        ['2026-02-28T23:00:00.000Z', '2026-03-31T22:00:00.000Z', '2026-04-30T22:00:00.000Z'],
        [743, 720],
      ],
      // 22:30 UTC on 31 March is 00:30 on 1 April in Paris: April's bucket.
      ['Europe/Paris: a `from` in April locally, March in UTC', 'Europe/Paris', '2026-03-31T22:30:00.000Z', '2026-04-01T00:00:00.000Z', ['2026-03-31T22:00:00.000Z', '2026-04-30T22:00:00.000Z'], [720]],
      // New Year in New York (EST, -05:00): `to` exactly on 1 January 00:00 local adds no bucket.
      ['America/New_York, December, `to` on the local New Year', 'America/New_York', '2026-12-31T23:30:00.000Z', '2027-01-01T05:00:00.000Z', ['2026-12-01T05:00:00.000Z', '2027-01-01T05:00:00.000Z'], [744]],
      // 19:00 UTC on 31 January is 00:30 on 1 February in Kolkata.
      ['Asia/Kolkata, February', 'Asia/Kolkata', '2026-01-31T19:00:00.000Z', '2026-02-15T00:00:00.000Z', ['2026-01-31T18:30:00.000Z', '2026-02-28T18:30:00.000Z'], [672]],
    ])('MONTH, %s', (_label, zone, from, to, expected, lengths) => {
      const b = buckets(from, to, 'MONTH', zone);
      expect(b).toEqual(expected);
      expect(hours(b)).toEqual(lengths);
    });

    it('DAY, Asia/Amman, 29 October 2021 (midnight happens twice, east of UTC): starts at the first midnight', () => {
      expect(buckets('2021-10-28T12:00:00.000Z', '2021-10-29T12:00:00.000Z', 'DAY', 'Asia/Amman')).toEqual([
        '2021-10-27T21:00:00.000Z',
        '2021-10-28T21:00:00.000Z',
        '2021-10-29T22:00:00.000Z',
      ]);
    });

    // Same bug: a `from` in the first 00:00-01:00 of that day gets a first "bucket" starting after it, here no bucket at all
    // (actual: ['2021-10-28T22:00:00.000Z'], a lone end).
    it('DAY, Asia/Amman, 29 October 2021: the first bucket holds `from` (00:30 +03, before the second midnight)', () => {
      expect(buckets('2021-10-28T21:30:00.000Z', '2021-10-28T21:45:00.000Z', 'DAY', 'Asia/Amman')).toEqual([
        '2021-10-28T21:00:00.000Z',
        '2021-10-29T22:00:00.000Z',
      ]);
    });

    it.each<[string, string, string, string, string[]]>([
      // Pitcairn, 27 April 1998: 00:00 -08:30 -> 00:30 -08:00 at 08:30 UTC; the day starts at 00:30 local (08:30 UTC), got 09:00 UTC.
      ['Pacific/Pitcairn, 27 April 1998 (30-minute gap at midnight)', 'Pacific/Pitcairn', '1998-04-26T12:00:00.000Z', '1998-04-27T12:00:00.000Z', ['1998-04-26T08:30:00.000Z', '1998-04-27T08:30:00.000Z', '1998-04-28T08:00:00.000Z']],
      // Córdoba, 20 October 1991: 00:00 -04 -> 02:00 -02 at 04:00 UTC; the day starts at 04:00 UTC, got 03:00 UTC (23:00 on the 19th).
      ['America/Cordoba, 20 October 1991 (2-hour gap at midnight)', 'America/Cordoba', '1991-10-19T12:00:00.000Z', '1991-10-20T12:00:00.000Z', ['1991-10-19T04:00:00.000Z', '1991-10-20T04:00:00.000Z', '1991-10-21T02:00:00.000Z']],
      // Samoa skipped 30 December 2011: 29 December 23:59:59 -10 -> 31 December 00:00 +14 at 10:00 UTC on the 30th.
      // 29 December is [29 Dec 10:00 UTC, 30 Dec 10:00 UTC); got a 1-hour 29 December and a "30 December" from 11:00 UTC on the 29th.
      ['Pacific/Apia, 29 December 2011 (the next day is skipped)', 'Pacific/Apia', '2011-12-29T12:00:00.000Z', '2011-12-29T13:00:00.000Z', ['2011-12-29T10:00:00.000Z', '2011-12-30T10:00:00.000Z']],
    ])('DAY, %s', (_label, zone, from, to, expected) => {
      expect(buckets(from, to, 'DAY', zone)).toEqual(expected);
    });
  });

  describe('errors', () => {
    it.each<[string, string, string]>([
      ['from = to', '2026-03-10T00:00:00.000Z', '2026-03-10T00:00:00.000Z'],
      ['from > to', '2026-03-11T00:00:00.000Z', '2026-03-10T00:00:00.000Z'],
    ])('%s', (_label, from, to) => {
      const err = errorOf(() => bucketBoundaries(Date.parse(from), Date.parse(to), 'DAY', 'UTC'));
      expect(err.message).toBe('`from` must be before `to` (`from` is inclusive, `to` exclusive)');
      expect(err.code).toBe('BAD_INPUT');
    });

    it('an invalid date (NaN) is refused as from >= to', () => {
      const err = errorOf(() => bucketBoundaries(Number.NaN, Date.parse('2026-03-10T00:00:00.000Z'), 'DAY', 'UTC'));
      expect(err.message).toBe('`from` must be before `to` (`from` is inclusive, `to` exclusive)');
    });

    it(`refuses more than ${MAX_BUCKETS} buckets: DAY over 3 years`, () => {
      const err = errorOf(() => bucketBoundaries(Date.parse('2020-01-01T00:00:00.000Z'), Date.parse('2023-01-01T00:00:00.000Z'), 'DAY', 'UTC'));
      expect(err.message).toBe(
        'from 2020-01-01T00:00:00.000Z to 2023-01-01T00:00:00.000Z makes more than 1000 DAY buckets: use a longer interval or a shorter range',
      );
      expect(err.code).toBe('BAD_INPUT');
    });

    // 2020 has 366 days and 2021 365: 2020-01-01 + 1000 days = 2022-09-27.
    it(`accepts exactly ${MAX_BUCKETS} buckets and refuses ${MAX_BUCKETS + 1}`, () => {
      const from = Date.parse('2020-01-01T00:00:00.000Z');
      const exact = bucketBoundaries(from, Date.parse('2022-09-27T00:00:00.000Z'), 'DAY', 'UTC');
      expect(exact).toHaveLength(MAX_BUCKETS + 1);
      expect(new Date(exact[exact.length - 1]).toISOString()).toBe('2022-09-27T00:00:00.000Z');
      expect(errorOf(() => bucketBoundaries(from, Date.parse('2022-09-27T00:00:00.001Z'), 'DAY', 'UTC')).message).toBe(
        'from 2020-01-01T00:00:00.000Z to 2022-09-27T00:00:00.001Z makes more than 1000 DAY buckets: use a longer interval or a shorter range',
      );
    });

    it('the same 3 years fit in WEEK and MONTH buckets', () => {
      expect(buckets('2020-01-01T00:00:00.000Z', '2023-01-01T00:00:00.000Z', 'MONTH')).toHaveLength(37);
      // Monday 2019-12-30 to Monday 2023-01-02: 157 weeks.
      const weeks = buckets('2020-01-01T00:00:00.000Z', '2023-01-01T00:00:00.000Z', 'WEEK');
      expect([weeks[0], weeks[weeks.length - 1], weeks.length]).toEqual(['2019-12-30T00:00:00.000Z', '2023-01-02T00:00:00.000Z', 158]);
    });
  });
});

describe('checkTimeZone', () => {
  it.each<[string, string]>([
    ['utc', 'UTC'],
    ['UTC', 'UTC'],
    ['Etc/UTC', 'UTC'],
    ['europe/paris', 'Europe/Paris'],
    ['Europe/Paris', 'Europe/Paris'],
    ['AMERICA/NEW_YORK', 'America/New_York'],
  ])('%j is canonical %j', (name, canonical) => {
    expect(checkTimeZone(name)).toBe(canonical);
  });

  it('accepts Asia/Kolkata (ICU may answer with the older link name Asia/Calcutta) and both give the same buckets', () => {
    const zone = checkTimeZone('Asia/Kolkata');
    expect(['Asia/Kolkata', 'Asia/Calcutta']).toContain(zone);
    expect(buckets('2026-03-10T00:00:00.000Z', '2026-03-10T01:00:00.000Z', 'DAY', zone)).toEqual(['2026-03-09T18:30:00.000Z', '2026-03-10T18:30:00.000Z']);
  });

  it.each<[string]>([['Mars/Olympus'], [''], ['Europe/Pariss']])('refuses %j', (name) => {
    const err = errorOf(() => checkTimeZone(name));
    expect(err.message).toBe(`\`timeZone\`: "${name}" is not an IANA time zone name (such as "UTC", "Europe/Paris" or "America/New_York")`);
    expect(err.code).toBe('BAD_INPUT');
  });

  // Node 24's Intl accepts UTC offsets as time zones (Node 20's refuses them): the API refuses them
  // itself, the same on every version, and says to name the zone.
  it.each<[string]>([['+05:30'], ['-0800'], ['+05'], ['+0530'], ['\u221205:00'], ['-08:00']])('refuses the UTC offset %j, suggesting an IANA name', (name) => {
    const err = errorOf(() => checkTimeZone(name));
    expect(err.message).toBe(
      `\`timeZone\`: "${name}" is a UTC offset, not an IANA time zone name: name the zone, such as "Asia/Kolkata" ` +
        '(not "+05:30") or "America/Los_Angeles" (not "-08:00"), so that its daylight saving changes count',
    );
    expect(err.code).toBe('BAD_INPUT');
  });

  it.each<[string]>([['Etc/GMT+5'], ['Etc/GMT-14']])('accepts the IANA fixed-offset zone %j', (name) => {
    expect(checkTimeZone(name)).toBe(name);
  });

  it('quotes a long name briefly', () => {
    const err = errorOf(() => checkTimeZone(`Europe/${'x'.repeat(10_000)}`));
    expect(err.message).toBe(`\`timeZone\`: "Europe/${'x'.repeat(93)}…" (10007 characters) is not an IANA time zone name (such as "UTC", "Europe/Paris" or "America/New_York")`);
  });

  it('Mars/Olympus: the exact message', () => {
    expect(errorOf(() => checkTimeZone('Mars/Olympus')).message).toBe(
      '`timeZone`: "Mars/Olympus" is not an IANA time zone name (such as "UTC", "Europe/Paris" or "America/New_York")',
    );
  });
});
