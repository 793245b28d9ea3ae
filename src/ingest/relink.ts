import type { Store } from '../store/store';
import { Linker } from './link';

/**
 * Recomputes every article's mentions with the current reference data (after aliases or companies
 * changed), in batches of articles, each batch one transaction.
 */
export async function relinkAll(store: Store, batchSize = 500, onBatch?: (done: number) => void): Promise<number> {
  const linker = new Linker(await store.loadEntityDictionary());
  let after = 0;
  let done = 0;
  for (;;) {
    const batch = await store.listArticleTexts(after, batchSize);
    if (batch.length === 0) return done;
    await store.replaceMentions(batch.map((a) => ({ articleId: a.id, mentions: linker.link(a.title, a.contentText) })));
    done += batch.length;
    after = batch[batch.length - 1].id;
    onBatch?.(done);
  }
}
