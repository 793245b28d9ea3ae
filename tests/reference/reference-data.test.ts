import fs from 'node:fs';
import YAML from 'yaml';
import { ReferenceDataError } from '../../src/errors';
import { parseReferenceData, readReferenceData } from '../../src/reference/load';
import { REFERENCE_FILE } from '../helpers/fresh-db';

const data = readReferenceData(REFERENCE_FILE);

/** The reference file with one change applied, as text for the loader. */
function mutated(change: (raw: any) => void): string {
  const raw = YAML.parse(fs.readFileSync(REFERENCE_FILE, 'utf8'));
  change(raw);
  return YAML.stringify(raw);
}

function problemsOf(text: string): string[] {
  try {
    parseReferenceData(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ReferenceDataError);
    return (err as ReferenceDataError).problems;
  }
  throw new Error('the reference data was accepted');
}

describe('the reference data file', () => {
  it('has the foundations of foundations.md under their slugs, with parents', () => {
    const bySlug = new Map(data.foundations.map((f) => [f.slug, f]));
    for (const slug of ['linux-foundation', 'cncf', 'pytorch-foundation', 'openssf', 'lf-ai-data', 'todo-group', 'openjs',
      'eclipse', 'apache', 'psf', 'rust-foundation', 'openinfra', 'osi']) {
      expect(bySlug.has(slug)).toBe(true);
    }
    expect(data.foundations.length).toBeGreaterThanOrEqual(15);
    for (const slug of ['cncf', 'openssf', 'pytorch-foundation', 'lf-ai-data']) expect(bySlug.get(slug)?.parent).toBe('linux-foundation');
    expect(bySlug.get('apache')?.parent ?? null).toBeNull();
  });

  it('has at least 40 companies with aliases', () => {
    expect(data.companies.length).toBeGreaterThanOrEqual(40);
    const aws = data.companies.find((c) => c.slug === 'amazon-web-services');
    expect(aws?.aliases).toEqual(expect.arrayContaining(['AWS', 'Amazon']));
  });

  const membersOf = (foundation: string, tier?: string) =>
    data.memberships
      .filter((m) => m.foundation === foundation && (tier === undefined || m.tier === tier))
      .map((m) => m.company);

  it('states the PyTorch Foundation\'s six founding members, each with a source and date', () => {
    const founding = data.memberships.filter((m) => m.foundation === 'pytorch-foundation' && /founding/i.test(m.note ?? ''));
    expect(founding.map((m) => m.company).sort()).toEqual(['amazon-web-services', 'amd', 'google', 'meta', 'microsoft', 'nvidia']);
    for (const m of founding) {
      expect(m.source).toMatch(/^https:\/\//);
      expect(m.statedOn).toMatch(/^2022-09-01$/);
    }
  });

  it('states CNCF\'s 17 Platinum and 17 Gold members and the Rust Foundation\'s founding Platinum members', () => {
    expect(new Set(membersOf('cncf', 'Platinum')).size).toBeGreaterThanOrEqual(17);
    expect(new Set(membersOf('cncf', 'Gold')).size).toBe(17);
    expect(membersOf('rust-foundation', 'Platinum')).toEqual(
      expect.arrayContaining(['amazon-web-services', 'google', 'huawei', 'microsoft', 'mozilla']),
    );
  });

  it('lists only confirmed or used feeds, each once', () => {
    const feeds = data.foundations.flatMap((f) => f.feeds);
    expect(feeds.length).toBeGreaterThanOrEqual(13);
    expect(new Set(feeds.map((f) => f.url)).size).toBe(feeds.length);
    expect(feeds.map((f) => f.url)).toEqual(expect.arrayContaining(['https://pytorch.org/feed/', 'https://openssf.org/feed/']));
    // GUESSED in foundations.md: must not be here.
    expect(feeds.map((f) => f.url)).not.toContain('https://openjsf.org/feed/');
  });
});

describe('reference data validation', () => {
  it('refuses an unknown foundation slug in a membership', () => {
    const problems = problemsOf(mutated((raw) => (raw.memberships[0].foundation = 'no-such-foundation')));
    expect(problems).toEqual([expect.stringContaining('foundation no-such-foundation is not a known foundation slug')]);
  });

  it('refuses an unknown company slug and an unknown parent', () => {
    const problems = problemsOf(
      mutated((raw) => {
        raw.memberships[0].company = 'acme';
        raw.foundations[1].parent = 'nowhere';
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('company acme is not a known company slug'),
        expect.stringContaining('parent nowhere is not a known foundation slug'),
      ]),
    );
  });

  it('refuses an alias used by two entities, whatever its case', () => {
    const problems = problemsOf(mutated((raw) => raw.companies[1].aliases.push(raw.companies[0].aliases[0].toUpperCase())));
    expect(problems).toEqual([expect.stringMatching(/alias or name ".+" of company .+ is already used by company/)]);
  });

  it('refuses a name that is another entity\'s alias', () => {
    const problems = problemsOf(mutated((raw) => raw.foundations[1].aliases.push('The Linux Foundation')));
    expect(problems).toEqual([expect.stringContaining('is already used by foundation linux-foundation')]);
  });

  it.each([
    ['a relative URL', 'pytorch.org/feed/'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['no URL at all', 'see the website'],
  ])('refuses a bad URL (%s) and says where it is', (_, url) => {
    const problems = problemsOf(mutated((raw) => (raw.memberships[2].source = url)));
    expect(problems).toEqual(['memberships[2].source: must be an absolute http(s) URL']);
  });

  it('refuses a tier the foundation does not offer, a bad date, duplicates, unknown keys and bad slugs', () => {
    const problems = problemsOf(
      mutated((raw) => {
        raw.memberships[0].tier = 'Diamond';
        raw.memberships[1].statedOn = '2022-13';
        raw.memberships.push({ ...raw.memberships[3] });
        raw.companies[0].ceo = 'someone';
        raw.companies[1].slug = 'Not A Slug';
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'memberships[1].statedOn: must be a date as YYYY, YYYY-MM or YYYY-MM-DD (got 2022-13)',
        expect.stringContaining('companies[0]: Unrecognized key: "ceo"'),
        'companies[1].slug: must be lowercase words joined by hyphens (kebab-case)',
      ]),
    );
    // Cross-entry checks run once the file matches the schema.
    const crossProblems = problemsOf(
      mutated((raw) => {
        raw.memberships[0].tier = 'Diamond';
        raw.memberships.push({ ...raw.memberships[3] });
      }),
    );
    expect(crossProblems).toEqual(
      expect.arrayContaining([expect.stringContaining('tier Diamond is not one of'), expect.stringContaining('appears more than once')]),
    );
  });

  it('normalizes partial dates to the first day of their period', () => {
    const parsed = parseReferenceData(
      mutated((raw) => {
        raw.memberships[0].statedOn = '2021';
        raw.memberships[0].joinedOn = '2020-07';
      }),
    );
    expect(parsed.memberships[0]).toMatchObject({ statedOn: '2021-01-01', joinedOn: '2020-07-01' });
  });

  it('says when the file is not YAML at all', () => {
    expect(() => parseReferenceData('foundations: [unclosed', 'broken.yaml')).toThrow(/unable to parse broken\.yaml as YAML/);
  });
});
