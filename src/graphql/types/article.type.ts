import { Field, ObjectType } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import type { ArticleRecord } from '../../store/types';
import { toGlobalId } from '../relay/global-id';
import { ArticleDateSource } from './enums';
import { Node } from './node.type';
import { Snippet } from './snippet.type';

@ObjectType('Article', {
  implements: Node,
  description: 'One item of a feed: a news post, announcement or blog article, linked to the foundations and companies it concerns.',
})
export class Article extends Node {
  rowId!: number;
  feedId!: number;
  /** The store's marked excerpt when the article was found by a search. */
  markedSnippet!: string | null;

  @Field({ description: 'Title, as plain text.' })
  title!: string;

  @Field(() => String, { nullable: true, description: 'The link as published by the feed, made absolute.' })
  url!: string | null;

  @Field(() => String, {
    nullable: true,
    description: '`url` without tracking parameters (utm_*, fbclid, ...): the same story from two feeds has the same canonicalUrl.',
  })
  canonicalUrl!: string | null;

  @Field(() => String, { nullable: true, description: 'A plain-text summary of a few hundred characters.' })
  summary!: string | null;

  /** The full text when the record carried it (undefined from list pages: ArticleResolver reads it by id). */
  body!: { html: string | null; text: string | null } | undefined;

  @Field(() => String, { nullable: true, description: 'Author as the feed names them.' })
  author!: string | null;

  @Field(() => String, { nullable: true, description: 'URL of the article\'s image or thumbnail, when the feed gives one.' })
  imageUrl!: string | null;

  @Field(() => DateTimeResolver, { description: 'Publication time (UTC). See `publishedAtSource` for where it comes from.' })
  publishedAt!: Date;

  @Field(() => ArticleDateSource, { description: 'Whether `publishedAt` is the published date, the updated date, or the first time the article was seen.' })
  publishedAtSource!: ArticleDateSource;

  @Field(() => DateTimeResolver, { description: 'When Foundation Wire first stored the article.' })
  fetchedAt!: Date;

  @Field(() => DateTimeResolver, { description: 'When the stored article last changed (a feed can edit an item later).' })
  updatedAt!: Date;

  @Field(() => Snippet, {
    nullable: true,
    description: 'When the article was found by `filter.search`: an excerpt around the match, with the matched terms\' positions. Null otherwise.',
  })
  snippet(): Snippet | null {
    return this.markedSnippet ? Snippet.fromMarked(this.markedSnippet) : null;
  }

  static from(record: ArticleRecord): Article {
    return Object.assign(new Article(), {
      id: toGlobalId('Article', record.id),
      rowId: record.id,
      feedId: record.feedId,
      title: record.title,
      url: record.url,
      canonicalUrl: record.canonicalUrl,
      summary: record.summary,
      body: record.contentHtml === undefined ? undefined : { html: record.contentHtml, text: record.contentText ?? null },
      author: record.author,
      imageUrl: record.imageUrl,
      publishedAt: new Date(record.publishedAt),
      publishedAtSource: record.dateSource as ArticleDateSource,
      fetchedAt: new Date(record.fetchedAt),
      updatedAt: new Date(record.updatedAt),
      markedSnippet: record.snippet ?? null,
    });
  }
}
