import { Field, ObjectType } from 'type-graphql';
import { ConnectionType } from '../relay/connection';
import { Article } from './article.type';
import { Company } from './company.type';
import { Feed } from './feed.type';
import { Foundation } from './foundation.type';
import { Membership } from './membership.type';

@ObjectType('FoundationConnection', { description: 'A page of foundations (Relay cursor connection).' })
export class FoundationConnection extends ConnectionType(Foundation, 'Foundation') {}

@ObjectType('CompanyConnection', { description: 'A page of companies (Relay cursor connection).' })
export class CompanyConnection extends ConnectionType(Company, 'Company') {}

@ObjectType('MembershipConnection', { description: 'A page of memberships (Relay cursor connection).' })
export class MembershipConnection extends ConnectionType(Membership, 'Membership') {}

@ObjectType('FeedConnection', { description: 'A page of feeds (Relay cursor connection).' })
export class FeedConnection extends ConnectionType(Feed, 'Feed') {}

@ObjectType('ArticleConnection', { description: 'A page of articles (Relay cursor connection).' })
export class ArticleConnection extends ConnectionType(Article, 'Article') {
  /** Set by resolveArticleConnection, which counts once for both fields. */
  countIsExact: () => Promise<boolean> = async () => true;

  @Field(() => Boolean, {
    description:
      'Whether `totalCount` is the exact number of matching articles. A count that no index or per-day aggregate answers (a search, `memberOf`, several foundations or companies at once, `language`, `hasCompanies`) stops at COUNT_MAX (1,000 by default): then `totalCount` is that cap, a lower bound, and this is false.',
  })
  totalCountIsExact(): Promise<boolean> {
    return this.countIsExact();
  }
}
