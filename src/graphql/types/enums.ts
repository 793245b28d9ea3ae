import { registerEnumType } from 'type-graphql';

export enum OrderDirection {
  ASC = 'ASC',
  DESC = 'DESC',
}
registerEnumType(OrderDirection, {
  name: 'OrderDirection',
  description: 'Sort direction.',
  valuesConfig: {
    ASC: { description: 'Ascending: A to Z, oldest first.' },
    DESC: { description: 'Descending: Z to A, newest first.' },
  },
});

export enum FeedStatus {
  NEW = 'NEW',
  OK = 'OK',
  FAILING = 'FAILING',
  DISABLED = 'DISABLED',
}
registerEnumType(FeedStatus, {
  name: 'FeedStatus',
  description: 'Health of a feed, derived from its last fetch attempt.',
  valuesConfig: {
    NEW: { description: 'Never fetched yet.' },
    OK: { description: 'The last fetch attempt succeeded.' },
    FAILING: { description: 'The last fetch attempt failed; see `lastError` and `errorCount`. It will be retried.' },
    DISABLED: { description: 'An operator turned the feed off; it is not fetched.' },
  },
});

export enum ArticleDateSource {
  PUBLISHED = 'published',
  UPDATED = 'updated',
  FIRST_SEEN = 'first_seen',
}
registerEnumType(ArticleDateSource, {
  name: 'ArticleDateSource',
  description: 'Where an article\'s `publishedAt` comes from.',
  valuesConfig: {
    PUBLISHED: { description: 'The publication date the feed gives.' },
    UPDATED: { description: 'The feed gives no publication date, only an update date.' },
    FIRST_SEEN: { description: 'The feed gives no date: the time the article was first fetched.' },
  },
});

export enum FoundationOrderField {
  NAME = 'NAME',
  SLUG = 'SLUG',
}
registerEnumType(FoundationOrderField, {
  name: 'FoundationOrderField',
  description: 'What foundations can be ordered by.',
  valuesConfig: { NAME: { description: 'Name, case-insensitive.' }, SLUG: { description: 'Slug.' } },
});

export enum CompanyOrderField {
  NAME = 'NAME',
  SLUG = 'SLUG',
}
registerEnumType(CompanyOrderField, {
  name: 'CompanyOrderField',
  description: 'What companies can be ordered by.',
  valuesConfig: { NAME: { description: 'Name, case-insensitive.' }, SLUG: { description: 'Slug.' } },
});

export enum MembershipOrderField {
  COMPANY_NAME = 'COMPANY_NAME',
  STATED_ON = 'STATED_ON',
}
registerEnumType(MembershipOrderField, {
  name: 'MembershipOrderField',
  description: 'What memberships can be ordered by.',
  valuesConfig: {
    COMPANY_NAME: { description: 'The member company\'s name, case-insensitive.' },
    STATED_ON: { description: 'The date the source stated the membership.' },
  },
});

export enum FeedOrderField {
  URL = 'URL',
  CREATED_AT = 'CREATED_AT',
}
registerEnumType(FeedOrderField, {
  name: 'FeedOrderField',
  description: 'What feeds can be ordered by.',
  valuesConfig: { URL: { description: 'Feed URL.' }, CREATED_AT: { description: 'When the feed was added.' } },
});

export enum ArticleOrderField {
  PUBLISHED_AT = 'PUBLISHED_AT',
  FETCHED_AT = 'FETCHED_AT',
  RELEVANCE = 'RELEVANCE',
}
registerEnumType(ArticleOrderField, {
  name: 'ArticleOrderField',
  description: 'What articles can be ordered by. Ties are broken by article, so paging never skips or repeats one.',
  valuesConfig: {
    PUBLISHED_AT: { description: 'Publication date (see `Article.publishedAtSource`).' },
    FETCHED_AT: { description: 'When Foundation Wire first stored the article.' },
    RELEVANCE: {
      description: 'How well the article matches `filter.search` (bm25; a match in the title weighs ten times one in the text). DESC is most relevant first. Needs `filter.search`.',
    },
  },
});

export enum ArticleDimension {
  FOUNDATION = 'FOUNDATION',
  COMPANY = 'COMPANY',
  FEED = 'FEED',
  TIER = 'TIER',
}
registerEnumType(ArticleDimension, {
  name: 'ArticleDimension',
  description: 'What article counts and time series are broken down by. An article counts once for each key it has (mentioning two companies, it counts for both).',
  valuesConfig: {
    FOUNDATION: { description: 'The foundations of the article: its feed\'s and those it mentions.' },
    COMPANY: { description: 'The companies the article mentions.' },
    FEED: { description: 'The feed the article came from.' },
    TIER: {
      description:
        'The membership tiers (per foundation) of the companies the article mentions, on `filter.memberOf.activeOn` or today; with `filter.memberOf`, only that foundation\'s tiers.',
    },
  },
});

export enum TimeInterval {
  DAY = 'DAY',
  WEEK = 'WEEK',
  MONTH = 'MONTH',
}
registerEnumType(TimeInterval, {
  name: 'TimeInterval',
  description: 'The length of the buckets of a time series, in the calendar of `timeZone`.',
  valuesConfig: {
    DAY: { description: 'Calendar days, from local midnight.' },
    WEEK: { description: 'ISO 8601 weeks, from Monday at local midnight.' },
    MONTH: { description: 'Calendar months, from the 1st at local midnight.' },
  },
});
