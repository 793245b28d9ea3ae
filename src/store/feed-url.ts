import { AppError } from '../errors';

/** A feed URL that cannot be a feed: not an absolute URL, or not http(s). */
export class FeedUrlError extends AppError {
  /** The message without its module prefix, for commands that add their own. */
  constructor(readonly reason: string) {
    super('BAD_FEED_URL', `feed URL: ${reason}`);
  }
}

/**
 * The one form a feed URL is stored, compared and looked up in: its WHATWG URL serialisation
 * (`URL.href`). That lowercases the scheme and host, drops the default port, rewrites the odd IPv4
 * spellings (2130706433, 0x7f.1, 0177.0.0.1, 127.1) as dotted decimal, IDNA-encodes names and
 * percent-encodes the path, so every spelling of one address gives one key. It is also what the
 * fetcher requests and what a redirect's Location resolves to, so a moved feed keeps this form.
 * Nothing beyond it (fragment, trailing slash, query order): those can name other documents.
 */
export function normalizeFeedUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new FeedUrlError(`"${text}" is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new FeedUrlError(`"${text}" is not http or https: only those are fetched`);
  return url.href;
}

/** `normalizeFeedUrl`, or null for text that cannot be a feed's URL (so no feed has it). */
export function feedUrlKey(text: string): string | null {
  try {
    return normalizeFeedUrl(text);
  } catch (err) {
    if (err instanceof FeedUrlError) return null;
    throw err;
  }
}
