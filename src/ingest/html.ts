import { decodeHTML } from 'entities';
import sanitizeHtml from 'sanitize-html';

/**
 * HTML from feeds, made safe to show and turned into text. Sanitizing is an allowlist (sanitize-html):
 * everything not listed is dropped, so new attack vectors are closed by default.
 */

/** Hosts whose embedded players may stay as iframes. */
const IFRAME_HOSTS = ['www.youtube.com', 'www.youtube-nocookie.com', 'player.vimeo.com'];

/** Images that exist to track readers, not to be seen. */
const TRACKER = /(^|\/\/)(feeds\.feedburner\.com\/~[rf]\/|pixel\.wp\.com\/|stats\.wordpress\.com\/|www\.google-analytics\.com\/|pixel\.quantserve\.com\/|b\.scorecardresearch\.com\/|ad\.doubleclick\.net\/|feeds\.feedblitz\.com\/~\/i\/)/i;

function isTrackingPixel(attribs: Record<string, string>): boolean {
  const tiny = (v: string | undefined) => v !== undefined && /^\s*[01](px)?\s*$/i.test(v);
  return (tiny(attribs.width) && tiny(attribs.height)) || TRACKER.test(attribs.src ?? '');
}

function absolute(url: string | undefined, base: string | null): string | undefined {
  if (!url) return url;
  try {
    return new URL(url.trim(), base ?? undefined).toString();
  } catch {
    return undefined;
  }
}

/** Sanitized HTML with every link and image made absolute against `base`. */
export function sanitizeContent(html: string, base: string | null): string {
  return sanitizeHtml(html, {
    allowedTags: [
      ...sanitizeHtml.defaults.allowedTags.filter((t) => t !== 'style'),
      'img', 'figure', 'figcaption', 'picture', 'del', 'ins', 'sub', 'sup', 'iframe',
    ],
    allowedAttributes: {
      a: ['href', 'title'],
      img: ['src', 'alt', 'title', 'width', 'height'],
      iframe: ['src', 'width', 'height', 'title', 'allowfullscreen'],
      td: ['colspan', 'rowspan'],
      th: ['colspan', 'rowspan', 'scope'],
      ol: ['start'],
      abbr: ['title'],
    },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['http', 'https'], iframe: ['https'] },
    allowProtocolRelative: false,
    allowedIframeHostnames: IFRAME_HOSTS,
    disallowedTagsMode: 'discard',
    transformTags: {
      a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, href: absolute(attribs.href, base) ?? '' } }),
      img: (tagName, attribs) => ({ tagName, attribs: { ...attribs, src: absolute(attribs.src, base) ?? '' } }),
      iframe: (tagName, attribs) => ({ tagName, attribs: { ...attribs, src: absolute(attribs.src, base) ?? '' } }),
    },
    // Images without a usable source, tracking pixels, and iframes whose source was not allowed.
    exclusiveFilter: (frame) =>
      (frame.tag === 'img' && (!frame.attribs.src || isTrackingPixel(frame.attribs))) || (frame.tag === 'iframe' && !frame.attribs.src),
  }).trim();
}

const BLOCK_END = /<\/(p|div|li|h[1-6]|blockquote|pre|tr|table|section|article|figure|ul|ol|dd|dt)\s*>|<br\s*\/?>|<hr\s*\/?>/gi;

/** Plain text of HTML: tags dropped, entities decoded, paragraphs kept as blank lines. */
export function htmlToText(html: string): string {
  const marked = html.replace(BLOCK_END, (tag) => `${tag}\n\n`);
  const stripped = sanitizeHtml(marked, {
    allowedTags: [],
    allowedAttributes: {},
    nonTextTags: ['style', 'script', 'textarea', 'option', 'noscript', 'iframe', 'head', 'title'],
  });
  return decodeHTML(stripped)
    .replace(/[ \t\f\v\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** The first `max` characters of a text, cut at a word boundary, with an ellipsis when cut. */
export function excerpt(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,;:.!?-]+$/, '')}…`;
}
