import { Field, Int, ObjectType } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import type { FeedRecord } from '../../store/types';
import { toGlobalId } from '../relay/global-id';
import { FeedStatus } from './enums';
import { Node } from './node.type';

const date = (ms: number | null) => (ms === null ? null : new Date(ms));

@ObjectType('Feed', {
  implements: Node,
  description: 'A news feed (RSS or Atom) that Foundation Wire fetches, usually belonging to a foundation.',
})
export class Feed extends Node {
  rowId!: number;
  foundationId!: number | null;

  @Field({ description: 'The feed URL that is fetched (updated when the server redirects permanently).' })
  url!: string;

  @Field(() => String, { nullable: true, description: 'Title of the feed.' })
  title!: string | null;

  @Field(() => String, { nullable: true, description: 'URL of the website the feed belongs to, as the feed states it.' })
  siteUrl!: string | null;

  @Field(() => String, { nullable: true, description: 'Language of the feed as it states it (e.g. "en-us").' })
  language!: string | null;

  @Field(() => FeedStatus, { description: 'Health of the feed: NEW, OK, FAILING or DISABLED.' })
  status!: FeedStatus;

  @Field(() => DateTimeResolver, { nullable: true, description: 'When the last fetch attempt ran, successful or not.' })
  lastFetchedAt!: Date | null;

  @Field(() => DateTimeResolver, { nullable: true, description: 'When the last successful fetch ran.' })
  lastSuccessAt!: Date | null;

  @Field(() => DateTimeResolver, { nullable: true, description: 'When the feed is due to be fetched next; null when it is disabled or not scheduled yet.' })
  nextFetchAt!: Date | null;

  @Field(() => Int, { description: 'Failed attempts in a row; 0 after a success.' })
  errorCount!: number;

  @Field(() => String, { nullable: true, description: 'What went wrong in the last failed attempt (kept until the next success).' })
  lastError!: string | null;

  @Field(() => DateTimeResolver, { description: 'When the feed was added.' })
  createdAt!: Date;

  static from(record: FeedRecord): Feed {
    return Object.assign(new Feed(), {
      id: toGlobalId('Feed', record.id),
      rowId: record.id,
      foundationId: record.foundationId,
      url: record.url,
      title: record.title,
      siteUrl: record.siteUrl,
      language: record.language,
      status: record.status as FeedStatus,
      lastFetchedAt: date(record.lastFetchedAt),
      lastSuccessAt: date(record.lastSuccessAt),
      nextFetchAt: record.disabledAt === null ? date(record.nextFetchAt) : null,
      errorCount: record.errorCount,
      lastError: record.errorCount > 0 ? record.lastError : null,
      createdAt: new Date(record.createdAt),
    });
  }
}
