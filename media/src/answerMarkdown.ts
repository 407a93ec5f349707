/**
 * Renders a model's answer: markdown through markdown-it with raw HTML off, then a DOMPurify pass with an
 * allow-list, then citations turned into links. Nothing in the answer can run or navigate: images become their
 * alt text, links become inert text (their target shown in a tooltip), and only citations the host verified
 * become clickable, opening the file through the extension, never through a URL.
 */
import MarkdownIt from 'markdown-it';
import DOMPurify from 'dompurify';
import type { CitationView } from '../../src/extension/chat/protocol';

// Private-use characters mark where citations go; they survive markdown parsing as plain text.
const OPEN = '\uE000';
const CLOSE = '\uE001';
const MARKER = new RegExp(`${OPEN}(\\d+)${CLOSE}`, 'g');

const md = new MarkdownIt({ html: false, linkify: false, typographer: false, breaks: false });
md.renderer.rules.link_open = (tokens, idx) => {
  const href = tokens[idx].attrGet('href') ?? '';
  return `<span class="md-link" title="${md.utils.escapeHtml(`Link not opened: ${href}`)}">`;
};
md.renderer.rules.link_close = () => '</span>';
md.renderer.rules.image = (tokens, idx) => {
  const alt = tokens[idx].content;
  return `<span class="md-image" title="Image not loaded">${md.utils.escapeHtml(alt ? `[image: ${alt}]` : '[image]')}</span>`;
};

const ALLOWED_TAGS = ['p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'li', 'blockquote', 'pre', 'code',
  'em', 'strong', 's', 'del', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'span'];
const ALLOWED_ATTR = ['class', 'title', 'start'];

/** Citations the host sent, kept only when their span really lies inside the answer and they do not overlap. */
function usableCitations(markdown: string, citations: readonly CitationView[]): CitationView[] {
  const sorted = citations
    .filter((c) => Number.isInteger(c.offset) && Number.isInteger(c.length) && c.offset >= 0 && c.length > 0 && c.offset + c.length <= markdown.length)
    .sort((a, b) => a.offset - b.offset);
  const kept: CitationView[] = [];
  let end = 0;
  for (const c of sorted) {
    if (c.offset < end) continue;
    kept.push(c);
    end = c.offset + c.length;
  }
  return kept;
}

/** `[label](path:1-2)` shows its label; a bare `path:1-2` shows itself. */
function citationText(c: CitationView): string {
  const link = /^\[([^\]\n]*)\]\(/.exec(c.raw);
  return link && link[1].trim() ? link[1] : c.raw;
}

function lines(c: CitationView): string {
  return c.endLine > c.startLine ? `${c.startLine}-${c.endLine}` : `${c.startLine}`;
}

function citationElement(doc: Document, c: CitationView): HTMLElement {
  const validLines = Number.isInteger(c.startLine) && Number.isInteger(c.endLine) && c.startLine >= 1 && c.endLine >= c.startLine;
  if (c.valid && validLines && typeof c.path === 'string' && c.path) {
    // No href: VS Code's webview would act on one itself. A keyboard-focusable link role instead.
    const a = doc.createElement('a');
    a.className = 'citation';
    a.textContent = citationText(c);
    a.setAttribute('role', 'link');
    a.tabIndex = 0;
    a.dataset.path = c.path;
    a.dataset.startLine = String(c.startLine);
    a.dataset.endLine = String(c.endLine);
    a.dataset.start = String(c.startLine);
    a.dataset.end = String(c.endLine);
    if (c.folder) a.dataset.folder = c.folder;
    // A review's citation opens in the review's diff editor; the host decides, given the review id.
    if (c.review) a.dataset.review = c.review;
    a.title = `Open ${c.folder ? `${c.folder}: ` : ''}${c.path}:${lines(c)}`;
    return a;
  }
  const span = doc.createElement('span');
  span.className = 'citation invalid';
  span.textContent = citationText(c);
  span.title = `Unverified citation: ${c.reason || 'not found in the workspace'}`;
  span.setAttribute('aria-label', `${citationText(c)} (unverified citation: ${c.reason || 'not found in the workspace'})`);
  return span;
}

/** The answer as a sanitized fragment, ready to be appended to the document. */
export function renderAnswer(doc: Document, markdown: string, citations: readonly CitationView[]): DocumentFragment {
  const clean = markdown.replace(/[\uE000\uE001]/g, '\uFFFD'); // same length, so citation offsets still hold
  const used = usableCitations(clean, citations);
  let marked = '';
  let at = 0;
  used.forEach((c, i) => {
    marked += clean.slice(at, c.offset) + OPEN + i + CLOSE;
    at = c.offset + c.length;
  });
  marked += clean.slice(at);

  const html = md.render(marked);
  const fragment = DOMPurify.sanitize(html, {
    ALLOWED_TAGS,
    ALLOWED_ATTR,
    ALLOW_DATA_ATTR: false,
    RETURN_DOM_FRAGMENT: true,
  }) as DocumentFragment;
  const adopted = doc.importNode(fragment, true) as DocumentFragment;

  const walker = doc.createTreeWalker(adopted, NodeFilter.SHOW_TEXT);
  const texts: Text[] = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) if ((n as Text).data.includes(OPEN)) texts.push(n as Text);
  for (const text of texts) {
    const parts = doc.createDocumentFragment();
    let last = 0;
    for (const m of text.data.matchAll(MARKER)) {
      parts.append(text.data.slice(last, m.index));
      const c = used[Number(m[1])];
      parts.append(c ? citationElement(doc, c) : m[0]);
      last = (m.index ?? 0) + m[0].length;
    }
    parts.append(text.data.slice(last));
    text.replaceWith(parts);
  }
  return adopted;
}

/** What a citation link asks the host to open, read back from the element (undefined for anything else). */
export function citationTarget(el: Element): { path: string; startLine: number; endLine: number; folder?: string; review?: string } | undefined {
  if (!(el instanceof HTMLElement) || !el.classList.contains('citation') || el.classList.contains('invalid')) return undefined;
  const path = el.dataset.path;
  const startLine = Number(el.dataset.startLine);
  const endLine = Number(el.dataset.endLine);
  if (!path || !Number.isInteger(startLine) || !Number.isInteger(endLine)) return undefined;
  return { path, startLine, endLine, ...(el.dataset.folder ? { folder: el.dataset.folder } : {}), ...(el.dataset.review ? { review: el.dataset.review } : {}) };
}
