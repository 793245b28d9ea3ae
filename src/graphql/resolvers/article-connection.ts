import type { ArticleCount, ArticleOrderField } from '../../store/store';
import type { Page, PageRequest } from '../../store/paging';
import type { ArticleRecord } from '../../store/types';
import type { ArticleOrder } from '../inputs/article.input';
import { resolveConnection, type ConnectionArgs } from '../relay/connection';
import { Article } from '../types/article.type';
import { ArticleConnection } from '../types/connections';

/**
 * Every article connection (`articles`, and those of a foundation, company or feed): the page, and
 * a count asked for at most once, whether through `totalCount` or `totalCountIsExact`.
 */
export async function resolveArticleConnection(
  args: ConnectionArgs,
  order: ArticleOrder,
  list: (page: PageRequest<ArticleOrderField>) => Promise<Page<ArticleRecord>>,
  count: () => Promise<ArticleCount>,
): Promise<ArticleConnection> {
  let counted: Promise<ArticleCount> | null = null;
  const once = () => (counted ??= count());
  const connection = await resolveConnection(ArticleConnection, args, order, Article.from, list, async () => (await once()).count);
  connection.countIsExact = async () => (await once()).exact;
  return connection;
}
