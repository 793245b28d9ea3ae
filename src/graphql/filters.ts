/**
 * Turns GraphQL filter inputs into store filters: slugs and global ids become row ids (refusing
 * unknown ones with BAD_USER_INPUT), dates become the store's representations, lists are capped.
 */
import type {
  ArticleFilter as StoreArticleFilter,
  CompanyFilter as StoreCompanyFilter,
  FeedFilter as StoreFeedFilter,
  FoundationFilter as StoreFoundationFilter,
  MembershipFilter as StoreMembershipFilter,
} from '../store/store';
import type { Context } from './context';
import { badInput } from './errors';
import type { ArticleFilter } from './inputs/article.input';
import type { CompanyFilter } from './inputs/company.input';
import type { FeedFilter } from './inputs/feed.input';
import type { FoundationFilter } from './inputs/foundation.input';
import type { MembershipFilter } from './inputs/membership.input';
import { rowIdOf } from './relay/global-id';
import { quote } from '../errors';
import { controlCharacterProblem, findControlCharacter } from '../search/control-characters';
import { parseSearch } from '../search/search-query';

export const MAX_LIST_ARGUMENT = 100;

/** Unknown slugs named in one error message; more are counted, not listed. */
const MAX_LISTED_UNKNOWN = 5;

export function capList<T>(values: readonly T[] | null | undefined, argument: string): readonly T[] | undefined {
  if (values === null || values === undefined) return undefined;
  if (values.length > MAX_LIST_ARGUMENT) {
    throw badInput(`\`${argument}\` accepts at most ${MAX_LIST_ARGUMENT} values (got ${values.length})`, argument);
  }
  return values;
}

async function idsBySlug(
  loader: { loadMany(keys: readonly string[]): Promise<({ id: number } | null | Error)[]> },
  kind: 'foundation' | 'company',
  slugs: readonly string[] | null | undefined,
  argument: string,
): Promise<number[] | undefined> {
  const list = capList(slugs, argument);
  if (list === undefined) return undefined;
  const records = await loader.loadMany(list);
  const unknown = list.filter((_, i) => !records[i] || records[i] instanceof Error);
  if (unknown.length > 0) {
    const listing = kind === 'foundation' ? '`foundations { nodes { slug } }`' : '`companies(filter: { search: "..." }) { nodes { slug } }`';
    const named = unknown.slice(0, MAX_LISTED_UNKNOWN).map((s) => quote(s));
    if (unknown.length > MAX_LISTED_UNKNOWN) named.push(`and ${unknown.length - MAX_LISTED_UNKNOWN} more`);
    throw badInput(`\`${argument}\`: unknown ${kind} slug${unknown.length > 1 ? 's' : ''} ${named.join(', ')}; see ${listing}`, argument);
  }
  return records.map((r) => (r as { id: number }).id);
}

export function foundationIds(ctx: Context, slugs: readonly string[] | null | undefined, argument: string) {
  return idsBySlug(ctx.loaders.foundationBySlug, 'foundation', slugs, argument);
}

export function companyIds(ctx: Context, slugs: readonly string[] | null | undefined, argument: string) {
  return idsBySlug(ctx.loaders.companyBySlug, 'company', slugs, argument);
}

/** 'YYYY-MM-DD' of a Date scalar value (parsed at UTC midnight). */
export function isoDate(date: Date | null | undefined): string | undefined {
  return date ? date.toISOString().slice(0, 10) : undefined;
}

const undefinedIfNull = <T>(value: T | null | undefined): T | undefined => (value === null ? undefined : value);

/** Refuses text with a control character (see control-characters.ts) with BAD_USER_INPUT naming the argument. */
function checkText(text: string, argument: string, label = argument): void {
  const control = findControlCharacter(text);
  if (control) throw badInput(`\`${label}\`: ${controlCharacterProblem(control)}`, argument);
}

/**
 * A name search (companies, foundations) as the store takes it: trimmed, and none at all when empty
 * or only spaces, as an empty search box means no search (like `ArticleFilter.search`). Control
 * characters are refused: a NUL would end SQLite's LIKE pattern and match every row.
 */
function nameSearch(search: string | null | undefined, argument: string): string | undefined {
  if (search === undefined || search === null) return undefined;
  // As long as a name can be, with room: SQLite refuses LIKE patterns over 50,000 bytes.
  if (search.length > MAX_NAME_SEARCH_LENGTH) {
    throw badInput(`\`${argument}\`: at most ${MAX_NAME_SEARCH_LENGTH} characters (got ${search.length})`, argument);
  }
  checkText(search, argument);
  return search.trim() || undefined;
}

/** The longest name search of companies and foundations. */
export const MAX_NAME_SEARCH_LENGTH = 200;

/** A list of membership tiers, capped, without control characters. */
function tierList(tiers: readonly string[] | null | undefined, argument: string): readonly string[] | undefined {
  const list = capList(tiers, argument);
  list?.forEach((tier, i) => checkText(tier, argument, `${argument}[${i}]`));
  return list;
}

export async function toFoundationFilter(ctx: Context, filter: FoundationFilter | null | undefined): Promise<StoreFoundationFilter> {
  return {
    search: nameSearch(filter?.search, 'filter.search'),
    parentIds: await foundationIds(ctx, filter?.parents, 'filter.parents'),
    topLevel: undefinedIfNull(filter?.topLevel),
  };
}

export async function toCompanyFilter(ctx: Context, filter: CompanyFilter | null | undefined): Promise<StoreCompanyFilter> {
  return {
    search: nameSearch(filter?.search, 'filter.search'),
    foundationIds: await foundationIds(ctx, filter?.foundations, 'filter.foundations'),
    tiers: tierList(filter?.tiers, 'filter.tiers'),
    activeOn: isoDate(filter?.activeOn),
  };
}

export async function toMembershipFilter(
  ctx: Context,
  filter: Partial<MembershipFilter> | null | undefined,
): Promise<StoreMembershipFilter> {
  return {
    foundationIds: await foundationIds(ctx, filter?.foundations, 'filter.foundations'),
    companyIds: await companyIds(ctx, filter?.companies, 'filter.companies'),
    tiers: tierList(filter?.tiers, 'filter.tiers'),
    activeOn: isoDate(filter?.activeOn),
  };
}

export async function toFeedFilter(ctx: Context, filter: FeedFilter | null | undefined): Promise<StoreFeedFilter> {
  return {
    foundationIds: await foundationIds(ctx, filter?.foundations, 'filter.foundations'),
    statuses: capList(filter?.statuses, 'filter.statuses'),
  };
}

/** Today's date in UTC, 'YYYY-MM-DD': when membership is judged by default. */
export function todayIso(): string {
  return new Date().toISOString().slice(0, 10);
}

export async function toArticleFilter(ctx: Context, filter: ArticleFilter | null | undefined): Promise<StoreArticleFilter> {
  const feeds = capList(filter?.feeds, 'filter.feeds');
  const memberOf = filter?.memberOf;
  const search = filter?.search;
  const language = filter?.language?.trim();
  if (language !== undefined && !/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(language)) {
    throw badInput(`\`filter.language\`: ${quote(language)} is not a language tag such as "en" or "en-us"`, 'filter.language');
  }
  return {
    foundationIds: await foundationIds(ctx, filter?.foundations, 'filter.foundations'),
    includeSubfoundations: filter?.includeSubfoundations ?? undefined,
    companyIds: await companyIds(ctx, filter?.companies, 'filter.companies'),
    feedIds: feeds?.map((id) => rowIdOf(id, 'Feed', 'filter.feeds')),
    publishedAfter: filter?.publishedAfter?.getTime(),
    publishedBefore: filter?.publishedBefore?.getTime(),
    // An empty search box means no search; positions in errors count from the string as given. Only
    // spaces: vertical tab and form feed are spaces to trim() but control characters to the parser.
    search: search === undefined || search === null || (search.trim() === '' && !findControlCharacter(search)) ? undefined : parseSearch(search),
    memberOf: memberOf
      ? {
          foundationId: (await foundationIds(ctx, [memberOf.foundation], 'filter.memberOf.foundation'))![0],
          tiers: tierList(memberOf.tiers, 'filter.memberOf.tiers'),
          activeOn: isoDate(memberOf.activeOn) ?? todayIso(),
        }
      : undefined,
    hasCompanies: filter?.hasCompanies ?? undefined,
    language,
  };
}
