import { parseFeedDate } from '../../src/ingest/dates';

/** The ISO string of what parseFeedDate read, or null: what the tables below compare. */
function read(text: string | null | undefined): string | null {
  const result = parseFeedDate(text);
  return result === null ? null : new Date(result).toISOString();
}

// These tests must pass whatever the machine's zone: run them with TZ=America/New_York and TZ=Asia/Kolkata too.

describe('parseFeedDate', () => {
  describe('RFC 822 / RFC 2822 (RSS 2.0 pubDate)', () => {
    it.each([
      ['Tue, 10 Jun 2003 04:00:00 GMT', '2003-06-10T04:00:00.000Z'],
      ['10 Jun 2003 04:00:00 GMT', '2003-06-10T04:00:00.000Z'], // no day of week
      ['03 Apr 02 1500 GMT', '2002-04-03T15:00:00.000Z'], // 2-digit year, time without colon
      ['Sat, 01 Jan 99 00:00 GMT', '1999-01-01T00:00:00.000Z'], // 2-digit year 50-99 is 19xx
      ['Mon, 02 Jan 103 00:00 GMT', '2003-01-02T00:00:00.000Z'], // 3-digit year is +1900 (RFC 2822 §4.3)
      ['Tue, 10 Jun 2003 04:00 GMT', '2003-06-10T04:00:00.000Z'], // no seconds
      ['Tue, 10 Jun 2003 04:00:00.250 GMT', '2003-06-10T04:00:00.250Z'],
      ['Tue, 10 Jun 2003 4:00:00 GMT', '2003-06-10T04:00:00.000Z'], // 1-digit hour
      ['Tue, 10 Jun 2003 04:00:00 +0200', '2003-06-10T02:00:00.000Z'],
      ['Tue, 10 Jun 2003 04:00:00 -0530', '2003-06-10T09:30:00.000Z'],
      ['Tue, 10 Jun 2003 04:00:00 -0000', '2003-06-10T04:00:00.000Z'],
      ['Tue, 10 Jun 2003 04:00:00 +02:00', '2003-06-10T02:00:00.000Z'],
      ['Tue, 10 Jun 2003 04:00:00 GMT+0200', '2003-06-10T02:00:00.000Z'],
      ['Tue, 10 Jun 2003 04:00:00 UTC+2', '2003-06-10T02:00:00.000Z'],
      ['Tue, 10 Jun 2003 04:00:00', '2003-06-10T04:00:00.000Z'], // no zone: UTC
      ['Tue, 10 Jun 2003', '2003-06-10T00:00:00.000Z'], // no time: midnight UTC
      ['Tue, 10 Jun 2003 04:00:00 UT', '2003-06-10T04:00:00.000Z'],
      ['Tue, 10 Jun 2003 04:00:00 UTC', '2003-06-10T04:00:00.000Z'],
      ['Tue, 10 Jun 2003 04:00:00 Z', '2003-06-10T04:00:00.000Z'],
      ['Tue, 10 Jun 2003 04:00:00 EST', '2003-06-10T09:00:00.000Z'],
      ['Tue, 10 Jun 2003 04:00:00 EDT', '2003-06-10T08:00:00.000Z'],
      ['Tue, 10 Jun 2003 04:00:00 CST', '2003-06-10T10:00:00.000Z'],
      ['Tue, 10 Jun 2003 04:00:00 CDT', '2003-06-10T09:00:00.000Z'],
      ['Tue, 10 Jun 2003 04:00:00 MST', '2003-06-10T11:00:00.000Z'],
      ['Tue, 10 Jun 2003 04:00:00 MDT', '2003-06-10T10:00:00.000Z'],
      ['Tue, 10 Jun 2003 04:00:00 PST', '2003-06-10T12:00:00.000Z'],
      ['Tue, 10 Jun 2003 04:00:00 pdt', '2003-06-10T11:00:00.000Z'],
      ['Tue, 10 Jun 2003 04:00:00 CET', '2003-06-10T03:00:00.000Z'],
      ['Tue, 10 Jun 2003 04:00:00 CEST', '2003-06-10T02:00:00.000Z'],
      ['Tue, 10 Jun 2003 04:00:00 BST', '2003-06-10T03:00:00.000Z'], // British Summer Time
      ['Tue, 10 Jun 2003 04:00:00 IST', '2003-06-09T22:30:00.000Z'], // India, +05:30
      ['Tue, 10 Jun 2003 04:00:00 JST', '2003-06-09T19:00:00.000Z'],
      ['Tue, 10 Jun 2003 04:00:00 AEST', '2003-06-09T18:00:00.000Z'],
      ['Tue, 10 Jun 2003 04:00:00 XYZ', '2003-06-10T04:00:00.000Z'], // unknown zone: UTC (RFC 2822 §4.3)
      ['Tue, 10 Jun 2003 04:00:00 A', '2003-06-10T04:00:00.000Z'], // military zone other than Z: UTC (RFC 2822 §4.3)
      ['Tue, 10 Jun 2003 04:00:00 GMT (Greenwich Mean Time)', '2003-06-10T04:00:00.000Z'], // comment
      ['Tue, 10 Jun 2003 04:00:00 +0200 (CEST)', '2003-06-10T02:00:00.000Z'],
      ['Tue, 10 Jun 2003 04:00:00 +0200 CEST', '2003-06-10T02:00:00.000Z'], // the number wins over the name
      ['Wed, 4 Jun 2003 04:00:00 GMT', '2003-06-04T04:00:00.000Z'], // 1-digit day
      ['  Tue,  10   Jun 2003\t04:00:00\n GMT ', '2003-06-10T04:00:00.000Z'], // extra white space
      ['Tue,10 Jun 2003 04:00:00GMT', '2003-06-10T04:00:00.000Z'], // missing spaces
      ['tue, 10 jun 2003 04:00:00 gmt', '2003-06-10T04:00:00.000Z'],
      ['TUE, 10 JUN 2003 04:00:00 GMT', '2003-06-10T04:00:00.000Z'],
      ['Tuesday, 10 June 2003 04:00:00 GMT', '2003-06-10T04:00:00.000Z'], // full names
      ['Wed, 10 Sept 2003 04:00:00 GMT', '2003-09-10T04:00:00.000Z'],
      ['Wed, 10 Sept. 2003 04:00:00 GMT', '2003-09-10T04:00:00.000Z'],
      ['10-Jun-2003 04:00:00 GMT', '2003-06-10T04:00:00.000Z'],
      ['Tue, 10 Jun 2003 4:00 PM GMT', '2003-06-10T16:00:00.000Z'],
      ['Tue, 10 Jun 2003 12:30 am GMT', '2003-06-10T00:30:00.000Z'],
      ['Sat, 29 Feb 2020 12:00:00 GMT', '2020-02-29T12:00:00.000Z'], // leap day
      ['Sat, 31 Dec 2016 23:59:60 GMT', '2016-12-31T23:59:59.000Z'], // leap second, read as :59
    ])('%p is %s', (input, iso) => {
      expect(read(input)).toBe(iso);
    });
  });

  describe('RFC 822 shape with Portuguese, Spanish, French and German names', () => {
    it.each([
      // Portuguese: Jan Fev Mar Abr Mai Jun Jul Ago Set Out Nov Dez
      ['Seg, 24 Set 2018 10:05:00 -0300', '2018-09-24T13:05:00.000Z'],
      ['Qua, 07 Fev 2018 08:00:00 -0200', '2018-02-07T10:00:00.000Z'],
      ['Sáb, 11 Ago 2018 08:00:00 GMT', '2018-08-11T08:00:00.000Z'],
      ['Ter, 02 Out 2018 08:00:00 GMT', '2018-10-02T08:00:00.000Z'],
      ['Qui, 20 Dez 2018 08:00:00 GMT', '2018-12-20T08:00:00.000Z'],
      ['Dom, 01 Abr 2018 08:00:00 GMT', '2018-04-01T08:00:00.000Z'],
      ['Sex, 04 Mai 2018 08:00:00 GMT', '2018-05-04T08:00:00.000Z'],
      ['24 de setembro de 2018', '2018-09-24T00:00:00.000Z'],
      ['segunda-feira, 24 de setembro de 2018 10:05', '2018-09-24T10:05:00.000Z'],
      // Spanish: Ene Feb Mar Abr May Jun Jul Ago Sep Oct Nov Dic
      ['Lun, 15 Ene 2018 08:00:00 +0100', '2018-01-15T07:00:00.000Z'],
      ['Mié, 23 May 2018 08:00:00 GMT', '2018-05-23T08:00:00.000Z'],
      ['Vie, 21 Dic 2018 08:00:00 GMT', '2018-12-21T08:00:00.000Z'],
      ['martes, 24 de julio de 2018', '2018-07-24T00:00:00.000Z'],
      // French: janv févr mars avr mai juin juil août sept oct nov déc
      ['Lun, 24 sept. 2018', '2018-09-24T00:00:00.000Z'],
      ['lun., 08 janv. 2018 10:00:00 +0100', '2018-01-08T09:00:00.000Z'],
      ['mer., 14 févr. 2018 10:00:00 +0100', '2018-02-14T09:00:00.000Z'],
      ['Mer, 14 fevr 2018 10:00:00 +0100', '2018-02-14T09:00:00.000Z'], // accents dropped
      ['jeu., 12 avr. 2018 10:00:00 +0200', '2018-04-12T08:00:00.000Z'],
      ['ven., 29 juin 2018 10:00:00 +0200', '2018-06-29T08:00:00.000Z'],
      ['mar., 17 juil. 2018 10:00:00 +0200', '2018-07-17T08:00:00.000Z'],
      ['mer., 15 août 2018 10:00:00 +0200', '2018-08-15T08:00:00.000Z'],
      ['MER., 15 AOÛT 2018 10:00:00 +0200', '2018-08-15T08:00:00.000Z'],
      ['mer., 19 déc. 2018 10:00:00 +0100', '2018-12-19T09:00:00.000Z'],
      // German: Jan Feb Mär Mrz Apr Mai Jun Jul Aug Sep Okt Nov Dez
      ['Mo, 24 Sep 2018', '2018-09-24T00:00:00.000Z'],
      ['Mo., 26. Mär 2018 10:05 MESZ', '2018-03-26T08:05:00.000Z'],
      ['Mo, 26 Mrz 2018 10:05:00 +0200', '2018-03-26T08:05:00.000Z'],
      ['Mi, 10 Okt 2018 10:05:00 +0200', '2018-10-10T08:05:00.000Z'],
      ['Fr, 21 Dez 2018 10:05:00 MEZ', '2018-12-21T09:05:00.000Z'],
      ['Mo, 15 Jän 2018 10:05:00 +0100', '2018-01-15T09:05:00.000Z'], // Austrian January
    ])('%p is %s', (input, iso) => {
      expect(read(input)).toBe(iso);
    });
  });

  describe('ISO 8601 / RFC 3339 (Atom, dc:date)', () => {
    it.each([
      ['2003-12-13T18:30:02Z', '2003-12-13T18:30:02.000Z'],
      ['2003-12-13T18:30:02.25Z', '2003-12-13T18:30:02.250Z'],
      ['2003-12-13T18:30:02.123Z', '2003-12-13T18:30:02.123Z'],
      ['2003-12-13T18:30:02.123456789Z', '2003-12-13T18:30:02.123Z'], // truncated to milliseconds
      ['2003-12-13T18:30:02+01:00', '2003-12-13T17:30:02.000Z'],
      ['2003-12-13T18:30:02-05:00', '2003-12-13T23:30:02.000Z'],
      ['2003-12-13T18:30:02+0530', '2003-12-13T13:00:02.000Z'],
      ['2003-12-13T18:30:02+01', '2003-12-13T17:30:02.000Z'],
      ['2003-12-13T18:30Z', '2003-12-13T18:30:00.000Z'], // no seconds
      ['2003-12-13T18:30+01:00', '2003-12-13T17:30:00.000Z'],
      ['2003-12-13', '2003-12-13T00:00:00.000Z'], // date only: midnight UTC
      ['2003-12-13 18:30:02', '2003-12-13T18:30:02.000Z'], // space for T, no zone: UTC
      ['2003-12-13T18:30:02', '2003-12-13T18:30:02.000Z'],
      ['2003-12-13 18:30:02 +01:00', '2003-12-13T17:30:02.000Z'],
      ['2003-12-13 18:30:02 UTC', '2003-12-13T18:30:02.000Z'],
      ['2003-12-13 18:30:02 EST', '2003-12-13T23:30:02.000Z'],
      ['2003-12-13 18:30:02.5 -0700 MST', '2003-12-14T01:30:02.500Z'], // Go's time.String()
      ['2003-12-13t18:30:02z', '2003-12-13T18:30:02.000Z'], // RFC 3339 §5.6 NOTE
      ['2003/12/13 18:30', '2003-12-13T18:30:00.000Z'],
      ['2003-6-9', '2003-06-09T00:00:00.000Z'],
      ['2016-12-31T23:59:60Z', '2016-12-31T23:59:59.000Z'], // leap second, read as :59
      ['1970-01-01T00:00:00Z', '1970-01-01T00:00:00.000Z'],
      ['2100-12-31T23:59:59.999Z', '2100-12-31T23:59:59.999Z'],
    ])('%p is %s', (input, iso) => {
      expect(read(input)).toBe(iso);
    });
  });

  describe('Unix epoch', () => {
    it.each([
      ['1518478934', '2018-02-12T23:42:14.000Z'], // seconds, 10 digits
      ['100000000', '1973-03-03T09:46:40.000Z'], // seconds, 9 digits
      ['4133980799', '2100-12-31T23:59:59.000Z'], // seconds, the last of 2100
      ['1518478934123', '2018-02-12T23:42:14.123Z'], // milliseconds, 13 digits
      ['100000000000', '1973-03-03T09:46:40.000Z'], // milliseconds, 12 digits
      [' 1518478934 ', '2018-02-12T23:42:14.000Z'],
    ])('%p is %s', (input, iso) => {
      expect(read(input)).toBe(iso);
    });
  });

  describe('Date.parse as a last resort', () => {
    it.each([
      ['June 10, 2003 04:00', '2003-06-10T04:00:00.000Z'], // no zone: UTC, not local time
      ['June 10, 2003', '2003-06-10T00:00:00.000Z'],
      ['Jun 10 2003 4:00 PM', '2003-06-10T16:00:00.000Z'],
      ['Tuesday, June 10, 2003 4:00 PM EST', '2003-06-10T21:00:00.000Z'],
      ['Tue Jun 10 2003 04:00:00 GMT+0200 (Central European Summer Time)', '2003-06-10T02:00:00.000Z'],
      ['Tue Jun 10 2003 04:00:00 GMT-0700', '2003-06-10T11:00:00.000Z'],
      ['Jun 10 2003 04:00:00 +0200', '2003-06-10T02:00:00.000Z'],
    ])('%p is %s', (input, iso) => {
      expect(read(input)).toBe(iso);
    });
  });

  describe('texts that are not dates we can read', () => {
    it.each([
      // nothing, garbage
      [null],
      [undefined],
      [''],
      ['   '],
      ['not a date'],
      ['yesterday'],
      ['{{pubDate}}'],
      ['NaN'],
      ['Invalid Date'],
      ['2003'],
      ['foo 2003'],
      ['Jun 2003'],
      ['Version 2.0 released 2019'],
      ['12345678'], // 8 digits: neither epoch seconds nor milliseconds
      ['123456789012345'], // 15 digits
      ['-1518478934'],
      ['10 Foo 2003'], // unknown month
      ['10 jui 2003'], // juin or juillet?
      ['Tue, 10 Jun 2003 04:00:00 GMT and more'],
      ['Tue, 10 Jun 2003 04:00:00 +2500'],
      ['10/06/2003'], // 10 June or October 6?
      ['06.10.2003 10:00'],
      // impossible dates
      ['2019-02-30'],
      ['2019-02-29T10:00:00Z'],
      ['2003-13-01'],
      ['2003-00-10'],
      ['2003-12-00'],
      ['2003-12-13T24:00:00Z'],
      ['2003-12-13T18:61:00Z'],
      ['2003-12-13T18:30:61Z'],
      ['32 Jan 2020'],
      ['Sat, 29 Feb 2019 10:00:00 GMT'],
      ['Tue, 10 Jun 2003 25:00:00 GMT'],
      ['Tue, 10 Jun 2003 13:00 PM GMT'],
      ['February 30, 2019'],
      ['Jun 10 2003 23:60'],
      // years outside 1970-2100
      ['1969-12-31T23:59:59Z'],
      ['2101-01-01T00:00:00Z'],
      ['Thu, 01 Jan 1970 00:00:00 +0100'], // 1969-12-31T23:00Z
      ['Sun, 01 Jan 1950 00:00:00 GMT'],
      ['01 Jan 69 00:00 GMT'], // 1969
      ['Fri, 01 Jan 2300 00:00:00 GMT'],
      ['99999999999'], // seconds: year 5138
      ['99999999999999'], // milliseconds: year 5138
      ['January 1, 1900'],
      ['x'.repeat(300)],
    ])('%p is null', (input) => {
      expect(parseFeedDate(input)).toBeNull();
    });

    it('is null for a value that is not a string', () => {
      expect(parseFeedDate(1518478934 as unknown as string)).toBeNull();
      expect(parseFeedDate({} as unknown as string)).toBeNull();
    });

    it('never throws and never returns NaN or a value outside 1970-2100, whatever prefix of a date it gets', () => {
      const dates = [
        'Tue, 10 Jun 2003 04:00:00 +0200 (CEST)',
        '2003-12-13T18:30:02.123+01:00',
        'Mo., 26. Mär 2018 10:05 MESZ',
        'Tuesday, June 10, 2003 4:00 PM EST',
      ];
      for (const date of dates) {
        for (let end = 0; end <= date.length; end++) {
          const result = parseFeedDate(date.slice(0, end));
          if (result !== null) {
            expect(Number.isFinite(result)).toBe(true);
            expect(result).toBeGreaterThanOrEqual(Date.UTC(1970, 0, 1));
            expect(result).toBeLessThan(Date.UTC(2101, 0, 1));
          }
        }
      }
    });
  });
});
