// A small Markdown renderer for model output that never parses HTML: every
// piece of text becomes a Text node (textContent), and the only elements
// made are the fixed set below. Links keep only http(s) and mailto URLs.
// It renders unfinished input too (an open code fence while streaming).
//
// Blocks: fenced code (```lang), headings, paragraphs, lists (- * + and
// 1.), block quotes, horizontal rules. Inline: `code`, **bold**, *em* /
// _em_, ~~strike~~, [text](url), bare http(s) URLs.

/** Renders markdown into parent (its children are replaced). doc: the Document to build in. */
export function renderMarkdown(parent, markdown, doc = parent.ownerDocument) {
  const frag = doc.createDocumentFragment();
  for (const block of parseBlocks(markdown)) frag.append(renderBlock(block, doc));
  parent.replaceChildren(frag);
}

function parseBlocks(src) {
  const lines = src.replace(/\r\n?/g, '\n').split('\n');
  const blocks = [];
  let para = [];
  const flush = () => { if (para.length) { blocks.push({ type: 'p', text: para.join('\n') }); para = []; } };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = /^\s{0,3}(```+|~~~+)\s*([\w+#.-]*)/.exec(line);
    if (fence) {
      flush();
      const close = new RegExp(`^\\s{0,3}${fence[1][0] === '`' ? '`' : '~'}{${fence[1].length},}\\s*$`);
      const code = [];
      let j = i + 1;
      for (; j < lines.length && !close.test(lines[j]); j++) code.push(lines[j]);
      blocks.push({ type: 'code', lang: fence[2], text: code.join('\n'), open: j >= lines.length });
      i = j;
      continue;
    }
    const heading = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) { flush(); blocks.push({ type: 'h', level: heading[1].length, text: heading[2] }); continue; }
    if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line)) { flush(); blocks.push({ type: 'hr' }); continue; }
    const item = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/.exec(line);
    if (item) {
      flush();
      const ordered = /\d/.test(item[2]);
      let list = blocks[blocks.length - 1];
      if (list?.type !== 'list' || list.ordered !== ordered || list.closed) {
        list = { type: 'list', ordered, start: ordered ? parseInt(item[2], 10) : 1, items: [] };
        blocks.push(list);
      }
      list.items.push(item[3]);
      continue;
    }
    const quote = /^\s{0,3}>\s?(.*)$/.exec(line);
    if (quote) {
      flush();
      const last = blocks[blocks.length - 1];
      if (last?.type === 'quote' && !last.closed) last.lines.push(quote[1]);
      else blocks.push({ type: 'quote', lines: [quote[1]] });
      continue;
    }
    if (line.trim() === '') {
      flush();
      const last = blocks[blocks.length - 1];
      if (last) last.closed = true;
      continue;
    }
    const last = blocks[blocks.length - 1];
    if (para.length === 0 && last?.type === 'list' && !last.closed && /^\s+\S/.test(line)) {
      last.items[last.items.length - 1] += `\n${line.trim()}`;
      continue;
    }
    para.push(line);
  }
  flush();
  return blocks;
}

function renderBlock(b, doc) {
  switch (b.type) {
    case 'code': {
      const wrap = doc.createElement('div');
      wrap.className = 'code-block';
      const bar = doc.createElement('div');
      bar.className = 'code-bar';
      const lang = doc.createElement('span');
      lang.textContent = b.lang || 'code';
      const copy = doc.createElement('button');
      copy.type = 'button';
      copy.className = 'copy';
      copy.textContent = 'Copy';
      copy.setAttribute('aria-label', 'Copy code');
      copy.addEventListener('click', () => {
        navigator.clipboard?.writeText(b.text).then(() => { copy.textContent = 'Copied'; setTimeout(() => { copy.textContent = 'Copy'; }, 1500); }, () => {});
      });
      bar.append(lang, copy);
      const pre = doc.createElement('pre');
      const code = doc.createElement('code');
      if (b.lang) code.dataset.lang = b.lang;
      code.textContent = b.text;
      pre.append(code);
      wrap.append(bar, pre);
      return wrap;
    }
    case 'h': {
      const h = doc.createElement(`h${Math.min(6, b.level + 2)}`); // inside a message, # is not the page's h1
      renderInline(h, b.text, doc);
      return h;
    }
    case 'hr':
      return doc.createElement('hr');
    case 'list': {
      const list = doc.createElement(b.ordered ? 'ol' : 'ul');
      if (b.ordered && b.start !== 1) list.start = b.start;
      for (const text of b.items) {
        const li = doc.createElement('li');
        renderInline(li, text, doc);
        list.append(li);
      }
      return list;
    }
    case 'quote': {
      const q = doc.createElement('blockquote');
      renderMarkdown(q, b.lines.join('\n'), doc);
      return q;
    }
    default: {
      const p = doc.createElement('p');
      renderInline(p, b.text, doc);
      return p;
    }
  }
}

const inlinePattern = /(`+)([\s\S]*?[^`])\1(?!`)|\*\*([\s\S]+?)\*\*|(?<!\w)__([^\s_][\s\S]*?)__(?!\w)|~~([\s\S]+?)~~|\*([^\s*][\s\S]*?)\*|(?<![\w])_([^\s_][\s\S]*?)_(?![\w])|\[([^\]\n]+)\]\(([^)\s]+)\)|(https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"])|\n/g;

/** Appends the inline content of text to parent. */
export function renderInline(parent, text, doc = parent.ownerDocument) {
  let at = 0;
  for (const m of text.matchAll(inlinePattern)) {
    if (m.index > at) parent.append(doc.createTextNode(text.slice(at, m.index)));
    at = m.index + m[0].length;
    if (m[1]) {
      const code = doc.createElement('code');
      code.textContent = m[2].replace(/^ (.*) $/, '$1');
      parent.append(code);
    } else if (m[3] !== undefined || m[4] !== undefined) {
      const el = doc.createElement('strong');
      renderInline(el, m[3] ?? m[4], doc);
      parent.append(el);
    } else if (m[5] !== undefined) {
      const el = doc.createElement('del');
      renderInline(el, m[5], doc);
      parent.append(el);
    } else if (m[6] !== undefined || m[7] !== undefined) {
      const el = doc.createElement('em');
      renderInline(el, m[6] ?? m[7], doc);
      parent.append(el);
    } else if (m[8] !== undefined) {
      parent.append(link(m[8], m[9], doc) ?? doc.createTextNode(m[0]));
    } else if (m[10] !== undefined) {
      parent.append(link(m[10], m[10], doc) ?? doc.createTextNode(m[0]));
    } else {
      parent.append(doc.createElement('br'));
    }
  }
  if (at < text.length) parent.append(doc.createTextNode(text.slice(at)));
}

/** A link element for a safe URL, or null (javascript:, data: and the like stay text). */
function link(text, href, doc) {
  let url;
  try { url = new URL(href); } catch { return null; }
  if (!['http:', 'https:', 'mailto:'].includes(url.protocol)) return null;
  const a = doc.createElement('a');
  a.href = url.href;
  a.textContent = text;
  a.target = '_blank';
  a.rel = 'noopener noreferrer nofollow';
  return a;
}
