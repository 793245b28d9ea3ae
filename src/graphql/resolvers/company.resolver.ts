import { Arg, Args, Ctx, Extensions, Field, FieldResolver, Int, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { CostHints } from '../limits';
import { checkFirst } from '../errors';
import type { Context } from '../context';
import { toArticleFilter, toCompanyFilter, toMembershipFilter } from '../filters';
import { ArticleOrder } from '../inputs/article.input';
import { CompanyOrder } from '../inputs/company.input';
import { MembershipOrder } from '../inputs/membership.input';
import { resolveConnection } from '../relay/connection';
import { resolveArticleConnection } from './article-connection';
import { Article } from '../types/article.type';
import { Company } from '../types/company.type';
import { ArticleConnection, CompanyConnection, MembershipConnection } from '../types/connections';
import { Membership } from '../types/membership.type';
import { ArticlesArgs, CompaniesArgs, CompanyMembershipsArgs } from './args';

@ObjectType('CompanyCoMention', { description: 'A company mentioned in the same articles as another, and in how many.' })
export class CompanyCoMention {
  companyId!: number;

  @Field(() => Int, { description: 'How many articles mention both companies.' })
  articleCount!: number;
}

@Resolver(() => CompanyCoMention)
export class CompanyCoMentionResolver {
  @FieldResolver(() => Company, { description: 'The other company.' })
  async company(@Root() mention: CompanyCoMention, @Ctx() ctx: Context): Promise<Company> {
    return Company.from((await ctx.loaders.company.load(mention.companyId))!);
  }
}

@Resolver(() => Company)
export class CompanyResolver {
  @Query(() => CompanyConnection, { description: 'Companies and other member organizations, by name unless `orderBy` says otherwise.' })
  async companies(@Args() args: CompaniesArgs, @Ctx() ctx: Context): Promise<CompanyConnection> {
    const filter = await toCompanyFilter(ctx, args.filter);
    return resolveConnection(
      CompanyConnection,
      args,
      args.orderBy ?? new CompanyOrder(),
      Company.from,
      (page) => ctx.store.listCompanies(filter, page),
      () => ctx.store.countCompanies(filter),
    );
  }

  @Query(() => Company, { nullable: true, description: 'The company with this slug; null when there is none.' })
  async company(
    @Arg('slug', { description: 'The company\'s slug, e.g. "google".' }) slug: string,
    @Ctx() ctx: Context,
  ): Promise<Company | null> {
    const record = await ctx.loaders.companyBySlug.load(slug);
    return record && Company.from(record);
  }

  @FieldResolver(() => [String], { description: 'Other names by which articles and member lists name this company (e.g. "AWS", "Amazon").' })
  aliases(@Root() company: Company, @Ctx() ctx: Context): Promise<string[]> {
    return ctx.loaders.companyAliases.load(company.rowId);
  }

  @FieldResolver(() => Company, { nullable: true, description: 'The company that owns this one (GitHub\'s is Microsoft); null when independent.' })
  async parent(@Root() company: Company, @Ctx() ctx: Context): Promise<Company | null> {
    if (company.parentId === null) return null;
    const record = await ctx.loaders.company.load(company.parentId);
    return record && Company.from(record);
  }

  @Extensions({ cost: { listSize: 10 } satisfies CostHints })
  @FieldResolver(() => [Company], { description: 'Companies owned by this one that are recorded on their own, by name.' })
  async subsidiaries(@Root() company: Company, @Ctx() ctx: Context): Promise<Company[]> {
    return (await ctx.loaders.subsidiaries.load(company.rowId)).map(Company.from);
  }

  @FieldResolver(() => MembershipConnection, { description: 'The recorded memberships of this company in foundations.' })
  async memberships(
    @Root() company: Company,
    @Args() args: CompanyMembershipsArgs,
    @Ctx() ctx: Context,
  ): Promise<MembershipConnection> {
    const filter = await toMembershipFilter(ctx, args.filter);
    const parentId = company.rowId;
    return resolveConnection(
      MembershipConnection,
      args,
      args.orderBy ?? new MembershipOrder(),
      Membership.from,
      (page) => ctx.loaders.membershipsOf.load({ parentId, args: { parent: 'company', filter, page } }),
      () => ctx.loaders.membershipCountOf.load({ parentId, args: { parent: 'company', filter } }),
    );
  }

  @FieldResolver(() => [CompanyCoMention], { description: 'The companies most often mentioned in the same articles as this one, most first.' })
  async coMentionedCompanies(
    @Root() company: Company,
    @Arg('first', () => Int, { defaultValue: 10, description: 'How many companies (1 to 100).' }) first: number,
    @Ctx() ctx: Context,
  ): Promise<CompanyCoMention[]> {
    checkFirst(first, 100);
    const rows = await ctx.loaders.coMentioned.load({ parentId: company.rowId, args: first });
    return rows.map((row) => Object.assign(new CompanyCoMention(), { companyId: row.companyId, articleCount: row.count }));
  }

  @FieldResolver(() => ArticleConnection, { description: 'Articles mentioning this company, newest first unless `orderBy` says otherwise.' })
  async articles(@Root() company: Company, @Args() args: ArticlesArgs, @Ctx() ctx: Context): Promise<ArticleConnection> {
    const filter = await toArticleFilter(ctx, args.filter);
    const parentId = company.rowId;
    return resolveArticleConnection(
      args,
      args.orderBy ?? new ArticleOrder(),
      (page) => ctx.loaders.articlesOf.load({ parentId, args: { parent: 'company', filter, page } }),
      () => ctx.loaders.articleCountOf.load({ parentId, args: { parent: 'company', filter } }),
    );
  }
}
