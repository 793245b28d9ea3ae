import zlib from 'node:zlib';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { EXAMPLE_OPERATIONS } from '../graphql/examples';

let page: { html: Buffer; gzip: Buffer } | null = null;

/**
 * GraphiQL, whole in one page (about 9 MB, 2.4 MB gzipped; built once, on first request): an
 * explorer that works with no internet access, unlike Sandbox, which loads from Apollo's CDN. The
 * endpoint is preset, and the example operations open as tabs.
 */
export function explorerPage(): { html: Buffer; gzip: Buffer } {
  if (!page) {
    const html = Buffer.from(
      renderGraphiQL({
        title: 'Foundation Wire explorer',
        endpoint: '/graphql',
        subscriptionsProtocol: 'WS',
        defaultQuery: EXAMPLE_OPERATIONS[0].query,
        defaultTabs: EXAMPLE_OPERATIONS.map((example) => ({ query: example.query, variables: example.variables ?? '' })),
      } as Parameters<typeof renderGraphiQL>[0] & { endpoint: string }),
    );
    page = { html, gzip: zlib.gzipSync(html, { level: 6 }) };
  }
  return page;
}
