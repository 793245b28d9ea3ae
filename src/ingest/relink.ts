import type { Store } from '../store/store';
import { loadLinker } from './link';

/**
 * Articles per batch: one replaceMentions transaction of about 6 ms for 200 (15 ms for 500 on a
 * laptop), well under WRITE_TRANSACTION_MAX however many mentions, and the linking of the next batch
 * runs outside any transaction, leaving the lock to other processes between two batches.
 */
export const RELINK_BATCH = 200;

/**
 * Recomputes every article's mentions with the current reference data (after aliases or companies
 * changed), in batches of articles, each batch one short transaction.
 */
export async function relinkAll(store: Store, batchSize = RELINK_BATCH, onBatch?: (done: number) => void): Promise<number> {
  const linker = await loadLinker(store);
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
