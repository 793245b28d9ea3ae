import { z } from 'zod';

/**
 * The shape of the reference data file (src/reference/foundations.yaml), checked with zod, then
 * `findInconsistencies` checks what a per-field schema cannot: references between entries and
 * uniqueness across the file.
 */

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const slug = z.string().regex(SLUG, 'must be lowercase words joined by hyphens (kebab-case)');

const httpUrl = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.includes('.');
  } catch {
    return false;
  }
}, 'must be an absolute http(s) URL');

/**
 * A date at the precision its source gives: 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD'. Stored as the first
 * day of that period ('2022-09' → '2022-09-01'); the file keeps the precision visible to readers.
 */
const partialDate = z
  .union([z.string(), z.number().int()])
  .transform((value, ctx) => {
    const text = String(value);
    const match = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(text);
    const [year, month, day] = match ? [match[1], match[2] ?? '01', match[3] ?? '01'] : [];
    const iso = `${year}-${month}-${day}`;
    const parsed = new Date(`${iso}T00:00:00Z`);
    if (!match || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== iso) {
      ctx.addIssue({ code: 'custom', message: `must be a date as YYYY, YYYY-MM or YYYY-MM-DD (got ${text})` });
      return z.NEVER;
    }
    return iso;
  });

const name = z.string().trim().min(1);

export const feedSchema = z.strictObject({
  url: httpUrl,
  title: name,
  /** How sure we are that the URL is a working feed (see foundations.md): guesses are not listed. */
  evidence: z.enum(['CONFIRMED', 'USED']),
  source: z.string().min(1),
});

export const foundationSchema = z.strictObject({
  slug,
  name,
  shortName: name.nullish(),
  homepage: httpUrl,
  parent: slug.nullish(),
  description: z.string().trim().min(1).nullish(),
  tiers: z.array(name).default([]),
  aliases: z.array(name).default([]),
  feeds: z.array(feedSchema).default([]),
});

export const companySchema = z.strictObject({
  slug,
  name,
  homepage: httpUrl.nullish(),
  parent: slug.nullish(),
  aliases: z.array(name).default([]),
});

export const membershipSchema = z.strictObject({
  foundation: slug,
  company: slug,
  tier: name.nullish(),
  joinedOn: partialDate.nullish(),
  leftOn: partialDate.nullish(),
  statedOn: partialDate,
  source: httpUrl,
  note: z.string().trim().min(1).nullish(),
});

export const referenceDataSchema = z.strictObject({
  foundations: z.array(foundationSchema),
  companies: z.array(companySchema),
  memberships: z.array(membershipSchema).default([]),
});

export type ReferenceData = z.output<typeof referenceDataSchema>;
export type ReferenceFoundation = ReferenceData['foundations'][number];
export type ReferenceCompany = ReferenceData['companies'][number];
export type ReferenceMembership = ReferenceData['memberships'][number];

/** Every cross-entry problem of a file that passed the schema, as readable sentences. */
export function findInconsistencies(data: ReferenceData): string[] {
  const problems: string[] = [];
  const duplicates = (kind: string, values: string[]) => {
    const seen = new Set<string>();
    for (const value of values) {
      if (seen.has(value)) problems.push(`${kind} ${value} appears more than once`);
      seen.add(value);
    }
  };
  duplicates('foundation slug', data.foundations.map((f) => f.slug));
  duplicates('company slug', data.companies.map((c) => c.slug));
  duplicates('feed URL', data.foundations.flatMap((f) => f.feeds.map((feed) => feed.url)));

  const foundations = new Map(data.foundations.map((f) => [f.slug, f]));
  const companies = new Map(data.companies.map((c) => [c.slug, c]));

  for (const [kind, entries, known] of [
    ['foundation', data.foundations, foundations],
    ['company', data.companies, companies],
  ] as const) {
    for (const entry of entries) {
      if (!entry.parent) continue;
      if (!known.has(entry.parent)) problems.push(`${kind} ${entry.slug}: parent ${entry.parent} is not a known ${kind} slug`);
      else if (hasCycle(entry.slug, (s) => known.get(s)?.parent ?? null))
        problems.push(`${kind} ${entry.slug}: its parents form a cycle`);
    }
  }

  // A name or alias must point at one entity only, or a mention in an article would be ambiguous.
  const owners = new Map<string, string>();
  const claim = (text: string, owner: string) => {
    const key = text.toLowerCase();
    const previous = owners.get(key);
    if (previous !== undefined) problems.push(`alias or name "${text}" of ${owner} is already used by ${previous}`);
    else owners.set(key, owner);
  };
  for (const f of data.foundations) [f.name, ...f.aliases].forEach((text) => claim(text, `foundation ${f.slug}`));
  for (const c of data.companies) [c.name, ...c.aliases].forEach((text) => claim(text, `company ${c.slug}`));

  const membershipKeys = new Set<string>();
  for (const m of data.memberships) {
    const label = `membership ${m.company} in ${m.foundation} stated ${m.statedOn}`;
    const foundation = foundations.get(m.foundation);
    if (!foundation) problems.push(`${label}: foundation ${m.foundation} is not a known foundation slug`);
    if (!companies.has(m.company)) problems.push(`${label}: company ${m.company} is not a known company slug`);
    if (foundation && m.tier && !foundation.tiers.some((t) => t.toLowerCase() === m.tier!.toLowerCase()))
      problems.push(`${label}: tier ${m.tier} is not one of ${m.foundation}'s tiers (${foundation.tiers.join(', ') || 'none'})`);
    if (m.joinedOn && m.leftOn && m.leftOn < m.joinedOn) problems.push(`${label}: leftOn is before joinedOn`);
    const key = `${m.foundation}|${m.company}|${m.statedOn}`;
    if (membershipKeys.has(key)) problems.push(`${label}: appears more than once`);
    membershipKeys.add(key);
  }
  return problems;
}

function hasCycle(start: string, parentOf: (slug: string) => string | null): boolean {
  const seen = new Set<string>([start]);
  for (let current = parentOf(start); current !== null; current = parentOf(current)) {
    if (seen.has(current)) return true;
    seen.add(current);
  }
  return false;
}
