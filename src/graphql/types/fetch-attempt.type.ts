import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import type { FetchLogRecord } from '../../store/types';

export enum FetchResult {
  NEW = 'new',
  UPDATED = 'updated',
  UNCHANGED = 'unchanged',
  NOT_MODIFIED = 'not_modified',
  ERROR = 'error',
}
registerEnumType(FetchResult, {
  name: 'FetchResult',
  description: 'What one fetch attempt of a feed gave.',
  valuesConfig: {
    NEW: { description: 'The feed had at least one new article.' },
    UPDATED: { description: 'No new article, but at least one stored article changed.' },
    UNCHANGED: { description: 'The feed was read; nothing in it was new or changed.' },
    NOT_MODIFIED: { description: 'The server answered 304 Not Modified to the conditional request: nothing was read.' },
    ERROR: { description: 'The attempt failed; see `errorClass` and `error`.' },
  },
});

@ObjectType('FetchAttempt', { description: 'One attempt to fetch a feed, from its fetch log (kept for FETCH_LOG_RETENTION).' })
export class FetchAttempt {
  @Field(() => DateTimeResolver, { description: 'When the attempt started.' })
  startedAt!: Date;

  @Field(() => Int, { description: 'How long it took, in milliseconds.' })
  durationMs!: number;

  @Field(() => Int, { nullable: true, description: 'The HTTP status of the last response; null when no response came (DNS, timeout, ...).' })
  httpStatus!: number | null;

  @Field(() => FetchResult, { description: 'What the attempt gave.' })
  result!: FetchResult;

  @Field(() => Int, { description: 'Items in the feed document (0 when not read).' })
  itemsSeen!: number;

  @Field(() => Int, { description: 'Articles stored for the first time.' })
  newArticles!: number;

  @Field(() => Int, { description: 'Stored articles that changed.' })
  updatedArticles!: number;

  @Field(() => String, {
    nullable: true,
    description:
      'Class of the failure: bad_url, blocked_host, dns, connection, tls, timeout, too_large, too_many_redirects, http, rate_limited, unavailable, parse or internal.',
  })
  errorClass!: string | null;

  @Field(() => String, { nullable: true, description: 'What went wrong, naming the step ("fetch: HTTP 404 Not Found", "parse: ...").' })
  error!: string | null;

  static from(record: FetchLogRecord): FetchAttempt {
    return Object.assign(new FetchAttempt(), {
      startedAt: new Date(record.startedAt),
      durationMs: record.durationMs,
      httpStatus: record.httpStatus,
      result: record.result as FetchResult,
      itemsSeen: record.itemsSeen,
      newArticles: record.newCount,
      updatedArticles: record.updatedCount,
      errorClass: record.errorClass,
      error: record.errorMessage,
    });
  }
}
