import type { ReferenceData } from '../../reference/schema';
import { normalizeFeedUrl } from '../feed-url';
import type { ReferenceLoadResult, UpsertCount } from '../store';
import type { Db } from './open';

const counter = (): UpsertCount => ({ inserted: 0, updated: 0, unchanged: 0 });

/**
 * Upserts the reference data by natural key (slug; feed URL; foundation + company + stated date for a
 * membership), in the caller's transaction. Never deletes: rows an operator added stay. A row whose
 * values already match is left alone, so its updated_at keeps the date it last really changed.
 */
export function upsertReferenceData(db: Db, data: ReferenceData, now: number): ReferenceLoadResult {
  const result: ReferenceLoadResult = {
    foundations: counter(),
    companies: counter(),
    memberships: counter(),
    feeds: counter(),
    aliases: { inserted: 0 },
    tiers: { inserted: 0 },
    conflicts: [],
  };
  const count = (c: UpsertCount, existed: boolean, changes: number) => {
    if (!existed) c.inserted++;
    else if (changes > 0) c.updated++;
    else c.unchanged++;
  };

  const foundationId = db.prepare('SELECT id FROM foundations WHERE slug = ?').pluck();
  const upsertFoundation = db.prepare(`
    INSERT INTO foundations (slug, name, short_name, description, homepage, parent_id, created_at, updated_at)
    VALUES (@slug, @name, @shortName, @description, @homepage, (SELECT id FROM foundations WHERE slug = @parent), @now, @now)
    ON CONFLICT (slug) DO UPDATE SET
      name = excluded.name, short_name = excluded.short_name, description = excluded.description,
      homepage = excluded.homepage, parent_id = excluded.parent_id, updated_at = excluded.updated_at
    WHERE (name, short_name, description, homepage, parent_id)
      IS NOT (excluded.name, excluded.short_name, excluded.description, excluded.homepage, excluded.parent_id)`);
  for (const f of parentsFirst(data.foundations)) {
    const existed = foundationId.get(f.slug) !== undefined;
    const changes = upsertFoundation.run({
      slug: f.slug,
      name: f.name,
      shortName: f.shortName ?? null,
      description: f.description ?? null,
      homepage: f.homepage,
      parent: f.parent ?? null,
      now,
    }).changes;
    count(result.foundations, existed, changes);
  }

  const upsertTier = db.prepare(`
    INSERT INTO foundation_tiers (foundation_id, name, rank) VALUES (?, ?, ?)
    ON CONFLICT (foundation_id, name) DO UPDATE SET rank = excluded.rank WHERE rank IS NOT excluded.rank`);
  const tierExists = db.prepare('SELECT 1 FROM foundation_tiers WHERE foundation_id = ? AND name = ?').pluck();
  const insertFoundationAlias = db.prepare(
    'INSERT INTO foundation_aliases (foundation_id, alias) VALUES (?, ?) ON CONFLICT DO NOTHING',
  );
  const foundationAliasOwner = db.prepare(
    'SELECT f.slug FROM foundation_aliases fa JOIN foundations f ON f.id = fa.foundation_id WHERE fa.alias = ?',
  ).pluck();
  for (const f of data.foundations) {
    const id = foundationId.get(f.slug) as number;
    f.tiers.forEach((tier, rank) => {
      if (!tierExists.get(id, tier)) result.tiers.inserted++;
      upsertTier.run(id, tier, rank);
    });
    for (const alias of f.aliases) {
      if (insertFoundationAlias.run(id, alias).changes > 0) result.aliases.inserted++;
      else if (foundationAliasOwner.get(alias) !== f.slug)
        result.conflicts.push(`alias "${alias}" of foundation ${f.slug} belongs to foundation ${foundationAliasOwner.get(alias)}`);
    }
  }

  const companyId = db.prepare('SELECT id FROM companies WHERE slug = ?').pluck();
  const upsertCompany = db.prepare(`
    INSERT INTO companies (slug, name, homepage, parent_id, created_at, updated_at)
    VALUES (@slug, @name, @homepage, (SELECT id FROM companies WHERE slug = @parent), @now, @now)
    ON CONFLICT (slug) DO UPDATE SET
      name = excluded.name, homepage = excluded.homepage, parent_id = excluded.parent_id, updated_at = excluded.updated_at
    WHERE (name, homepage, parent_id) IS NOT (excluded.name, excluded.homepage, excluded.parent_id)`);
  for (const c of parentsFirst(data.companies)) {
    const existed = companyId.get(c.slug) !== undefined;
    const changes = upsertCompany.run({
      slug: c.slug,
      name: c.name,
      homepage: c.homepage ?? null,
      parent: c.parent ?? null,
      now,
    }).changes;
    count(result.companies, existed, changes);
  }

  const insertCompanyAlias = db.prepare(
    'INSERT INTO company_aliases (company_id, alias) VALUES (?, ?) ON CONFLICT DO NOTHING',
  );
  const companyAliasOwner = db.prepare(
    'SELECT c.slug FROM company_aliases ca JOIN companies c ON c.id = ca.company_id WHERE ca.alias = ?',
  ).pluck();
  for (const c of data.companies) {
    const id = companyId.get(c.slug) as number;
    for (const alias of c.aliases) {
      if (insertCompanyAlias.run(id, alias).changes > 0) result.aliases.inserted++;
      else if (companyAliasOwner.get(alias) !== c.slug)
        result.conflicts.push(`alias "${alias}" of company ${c.slug} belongs to company ${companyAliasOwner.get(alias)}`);
    }
  }

  const membershipExists = db.prepare(
    'SELECT 1 FROM memberships WHERE foundation_id = ? AND company_id = ? AND stated_on = ?',
  ).pluck();
  const upsertMembership = db.prepare(`
    INSERT INTO memberships (foundation_id, company_id, tier, joined_on, left_on, stated_on, source_url, note, created_at, updated_at)
    VALUES (@foundationId, @companyId, @tier, @joinedOn, @leftOn, @statedOn, @source, @note, @now, @now)
    ON CONFLICT (foundation_id, company_id, stated_on) DO UPDATE SET
      tier = excluded.tier, joined_on = excluded.joined_on, left_on = excluded.left_on,
      source_url = excluded.source_url, note = excluded.note, updated_at = excluded.updated_at
    WHERE (tier, joined_on, left_on, source_url, note)
      IS NOT (excluded.tier, excluded.joined_on, excluded.left_on, excluded.source_url, excluded.note)`);
  const tierName = db.prepare('SELECT name FROM foundation_tiers WHERE foundation_id = ? AND name = ?').pluck();
  for (const m of data.memberships) {
    const fid = foundationId.get(m.foundation) as number;
    const cid = companyId.get(m.company) as number;
    const existed = membershipExists.get(fid, cid, m.statedOn) !== undefined;
    const changes = upsertMembership.run({
      foundationId: fid,
      companyId: cid,
      // Spelled as the foundation spells it ("premier" in the file becomes "Premier").
      tier: m.tier ? ((tierName.get(fid, m.tier) as string | undefined) ?? m.tier) : null,
      joinedOn: m.joinedOn ?? null,
      leftOn: m.leftOn ?? null,
      statedOn: m.statedOn,
      source: m.source,
      note: m.note ?? null,
      now,
    }).changes;
    count(result.memberships, existed, changes);
  }

  const feedExists = db.prepare('SELECT 1 FROM feeds WHERE url = ?').pluck();
  // A feed an operator re-assigned or retitled keeps the operator's values: only rows that still
  // come from the reference data are updated.
  const upsertFeed = db.prepare(`
    INSERT INTO feeds (url, foundation_id, title, origin, created_at, updated_at)
    VALUES (@url, @foundationId, @title, 'reference', @now, @now)
    ON CONFLICT (url) DO UPDATE SET foundation_id = excluded.foundation_id, title = excluded.title, updated_at = excluded.updated_at
    WHERE origin = 'reference' AND (foundation_id, title) IS NOT (excluded.foundation_id, excluded.title)`);
  // A feed that moved (permanent redirect) is known by its new URL: the old one is not added again.
  const redirected = db.prepare('SELECT 1 FROM feed_redirects WHERE old_url = ?').pluck();
  for (const f of data.foundations) {
    const fid = foundationId.get(f.slug) as number;
    for (const feed of f.feeds) {
      // Stored as operators' feeds are, so `feeds remove URL` and the like find it by any spelling.
      const url = normalizeFeedUrl(feed.url);
      if (redirected.get(url) !== undefined) {
        result.feeds.unchanged++;
        continue;
      }
      const existed = feedExists.get(url) !== undefined;
      const changes = upsertFeed.run({ url, foundationId: fid, title: feed.title, now }).changes;
      count(result.feeds, existed, changes);
    }
  }
  return result;
}

/** Orders entries so that each parent comes before its children (the file was checked for cycles). */
function parentsFirst<T extends { slug: string; parent?: string | null }>(entries: T[]): T[] {
  const bySlug = new Map(entries.map((e) => [e.slug, e]));
  const depth = (entry: T): number => {
    let d = 0;
    for (let p = entry.parent; p && bySlug.has(p) && d < entries.length; p = bySlug.get(p)!.parent) d++;
    return d;
  };
  return entries.map((entry) => ({ entry, depth: depth(entry) })).sort((x, y) => x.depth - y.depth).map((x) => x.entry);
}
