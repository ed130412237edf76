/**
 * The one markdown renderer: exercise briefs and grader feedback are markdown written by
 * instructors and graders (and graders echo learner output), so the HTML is always sanitized.
 */
import path from 'node:path';
import sanitizeHtml from 'sanitize-html';
import type * as MarkedModule from 'marked';

// marked ships as ESM only, with a UMD build beside it. Jest runs CommonJS and cannot require the
// ESM entry, so both tsx and Jest load the UMD build (same code, same version).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Marked } = require(path.join(path.dirname(require.resolve('marked/package.json')), 'lib', 'marked.umd.js')) as typeof MarkedModule;

const marked = new Marked({ gfm: true, breaks: false, async: false });

/** Markdown's tokens (headings, tables, lists…), for code that reads a brief's structure. */
export function lexMarkdown(markdown: string): MarkedModule.TokensList {
  return marked.lexer(markdown);
}

const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'p',
    'br',
    'hr',
    'blockquote',
    'pre',
    'code',
    'kbd',
    'samp',
    'em',
    'strong',
    'del',
    's',
    'sub',
    'sup',
    'a',
    'ul',
    'ol',
    'li',
    'dl',
    'dt',
    'dd',
    'table',
    'thead',
    'tbody',
    'tfoot',
    'tr',
    'th',
    'td',
    'caption',
    'input',
    'details',
    'summary',
  ],
  allowedAttributes: {
    a: ['href', 'title', 'rel'],
    code: ['class'],
    th: ['align'],
    td: ['align'],
    ol: ['start'],
    input: ['type', 'checked', 'disabled'],
  },
  allowedClasses: { code: [/^language-[\w-]+$/] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'escape',
  transformTags: {
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'noopener noreferrer' } }),
    // GFM task lists render checkboxes; nothing else may become a form control.
    input: (tagName, attribs) => ({
      tagName,
      attribs: { type: 'checkbox', disabled: '', ...('checked' in attribs ? { checked: '' } : {}) },
    }),
  },
};

/** One line of markdown (a warning, a label) → safe inline HTML, without a wrapping <p>. */
export function renderInlineMarkdown(markdown: string | null | undefined): string {
  if (!markdown) return '';
  return sanitizeHtml(marked.parseInline(markdown) as string, SANITIZE_OPTIONS);
}

/** Markdown → safe HTML: tables and code blocks kept; scripts, styles, iframes and handlers removed. */
export function renderMarkdown(markdown: string | null | undefined): string {
  if (!markdown) return '';
  const html = marked.parse(markdown) as string;
  return sanitizeHtml(html, SANITIZE_OPTIONS);
}
