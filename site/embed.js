// The Wisp chat widget. One tag adds a chat button and panel to any page:
//
//   <script src="https://example.com/wisp/embed.js" data-model="models/stories260K.gguf" data-title="Ask me"></script>
//
// Attributes: data-model (a .gguf URL, relative to this script), data-sha256,
// data-device ('auto' | 'webgpu' | 'wasm'), data-endpoint (the base URL of
// an OpenAI-compatible API, e.g. "https://example.com/v1": then no model runs
// in the page), data-endpoint-model, data-title, data-system (a system
// prompt), data-temperature, data-max-tokens, data-position ('right' | 'left').
//
// Everything lives in a Shadow DOM whose host resets inherited styles, so
// neither the page's CSS nor the widget's reaches the other. The model is
// fetched when the panel is first opened. From another origin, the server
// of this script must send CORS headers (Access-Control-Allow-Origin), since
// the engine's modules and worker are loaded from it.
(() => {
  const script = document.currentScript;
  if (!script) return;
  const base = new URL('./', script.src);
  const opt = script.dataset;
  const title = opt.title || 'Chat';

  const css = `
.root { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b2233; letter-spacing: normal; word-spacing: normal;
  text-align: left; text-transform: none; text-indent: 0; white-space: normal; direction: ltr; }
* { box-sizing: border-box; }
svg { display: block; }
button { font: inherit; cursor: pointer; }
.launcher { width: 56px; height: 56px; border-radius: 50%; border: none; background: #3559d6; color: #fff; font-size: 26px;
  box-shadow: 0 6px 20px #0003; display: grid; place-items: center; margin-left: auto; }
.launcher:focus-visible, button:focus-visible, textarea:focus-visible { outline: 3px solid #6d8dff; outline-offset: 2px; }
.panel { position: absolute; bottom: 70px; ${opt.position === 'left' ? 'left' : 'right'}: 0; width: min(380px, calc(100vw - 24px)); height: min(560px, calc(100vh - 110px));
  display: flex; flex-direction: column; background: #fff; border-radius: 14px; box-shadow: 0 12px 40px #0004; overflow: hidden; }
.panel[hidden] { display: none; }
header { display: flex; align-items: center; gap: 8px; padding: 10px 12px; background: #1f2a44; color: #f3f5fb; }
header h2 { font-size: 16px; margin: 0; flex: 1; font-weight: 600; }
header .close { background: none; border: none; color: inherit; font-size: 20px; width: 32px; height: 32px; }
.status { font-size: 12px; color: #5d667a; padding: 6px 12px; border-bottom: 1px solid #eceff5; min-height: 28px; }
.status progress { width: 100%; height: 6px; }
.log { flex: 1; overflow-y: auto; list-style: none; margin: 0; padding: 12px; }
.msg { margin: 0 0 10px; display: flex; }
.msg .body { padding: 8px 11px; border-radius: 12px; max-width: 88%; overflow-wrap: anywhere; }
.msg.user { justify-content: flex-end; }
.msg.user .body { background: #e8eefc; white-space: pre-wrap; }
.msg.assistant .body { background: #f3f4f8; }
.body p { margin: 4px 0; white-space: pre-wrap; }
.body code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .9em; background: #0000000f; padding: 0 3px; border-radius: 4px; }
.code-block { background: #10151f; color: #e6e9f0; border-radius: 8px; margin: 6px 0; overflow: hidden; }
.code-bar { display: flex; justify-content: space-between; font-size: 11px; padding: 2px 4px 2px 8px; background: #ffffff14; }
.code-bar button { background: none; border: 1px solid #ffffff33; color: inherit; border-radius: 6px; font-size: 11px; }
.code-block pre { margin: 0; padding: 8px; overflow-x: auto; }
.code-block code { background: none; }
form { display: flex; gap: 6px; padding: 10px; border-top: 1px solid #eceff5; }
textarea { flex: 1; resize: none; font: inherit; color: inherit; border: 1px solid #d5dae4; border-radius: 10px; padding: 8px; height: 40px; background: #fff; }
form button { border: none; border-radius: 10px; padding: 0 14px; background: #3559d6; color: #fff; }
form button.stop { background: #b3261e; }
form button:disabled { opacity: .5; cursor: default; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
.error { color: #b3261e; }
`;

  // A tag of our own, so the page's element selectors (div, aside…) miss
  // it, and inline !important declarations, which outrank any page rule:
  // inherited properties start from their initial values inside.
  const host = document.createElement('wisp-embed');
  host.setAttribute('data-wisp-embed', '');
  const side = opt.position === 'left' ? 'left' : 'right';
  for (const [k, v] of [['all', 'initial'], ['position', 'fixed'], ['z-index', '2147483000'], ['bottom', '20px'], [side, '20px'], ['display', 'block']]) {
    host.style.setProperty(k, v, 'important');
  }
  const root = host.attachShadow({ mode: 'open' });
  const h = (tag, props = {}, ...kids) => {
    const e = Object.assign(document.createElement(tag), props);
    e.append(...kids);
    return e;
  };
  const style = h('style', { textContent: css });
  const launcher = h('button', { type: 'button', className: 'launcher' }, bubbleIcon());
  launcher.setAttribute('aria-label', `Open ${title}`);
  launcher.setAttribute('aria-expanded', 'false');
  const close = h('button', { type: 'button', className: 'close', textContent: '×' });
  close.setAttribute('aria-label', 'Close');
  const status = h('div', { className: 'status', role: 'status' });
  const log = h('ol', { className: 'log' });
  log.setAttribute('aria-live', 'polite');
  log.setAttribute('aria-label', 'Messages');
  const input = h('textarea', { id: 'wisp-input', placeholder: 'Type a message…' });
  const label = h('label', { className: 'visually-hidden', htmlFor: 'wisp-input', textContent: 'Message' });
  const send = h('button', { type: 'submit', className: 'send', textContent: 'Send' });
  const form = h('form', {}, label, input, send);
  const heading = h('h2', { textContent: title });
  const panel = h('div', { className: 'panel', hidden: true }, h('header', {}, heading, close), status, log, form);
  panel.setAttribute('role', 'dialog');
  panel.setAttribute('aria-label', title);
  root.append(style, h('div', { className: 'root' }, panel, launcher));

  function bubbleIcon() {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('width', '26');
    svg.setAttribute('height', '26');
    svg.setAttribute('aria-hidden', 'true');
    const path = document.createElementNS(ns, 'path');
    path.setAttribute('d', 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z');
    path.setAttribute('fill', 'currentColor');
    svg.append(path);
    return svg;
  }

  let engine = null;
  let starting = null;
  let busy = false;
  const history = [];
  let modules;

  const load = () => (modules ??= Promise.all([
    import(new URL('wisp.js', base).href),
    import(new URL('remote.js', base).href),
    import(new URL('markdown.js', base).href),
  ]).then(([wisp, remote, markdown]) => ({ ...wisp, ...remote, ...markdown })));

  function setStatus(text, cls = '') {
    status.className = `status ${cls}`;
    status.textContent = text;
  }

  async function start() {
    const m = await load();
    if (opt.endpoint) {
      engine = new m.RemoteEngine({ endpoint: new URL(opt.endpoint, document.baseURI).href, model: opt.endpointModel || 'default' });
      setStatus(`Answers come from ${new URL(engine.endpoint).host}.`);
      return;
    }
    if (!opt.model) throw new Error('data-model or data-endpoint is required');
    const bar = h('progress', { max: 1, value: 0 });
    const text = h('span', { textContent: 'Preparing the model…' });
    status.replaceChildren(text, bar);
    engine = await m.Wisp.create({
      model: new URL(opt.model, base).href,
      sha256: opt.sha256 || undefined,
      device: opt.device || 'auto',
      onProgress: (p) => {
        bar.value = p.fraction;
        text.textContent = p.cached ? 'Loading the model from this browser…' : `${p.phase === 'download' ? 'Downloading' : p.phase === 'verify' ? 'Checking' : 'Loading'} the model… ${Math.round(p.fraction * 100)}%`;
      },
    });
    const d = engine.info().device;
    setStatus(`Runs privately in your browser (${d.backend === 'webgpu' ? 'WebGPU' : 'CPU'}).`);
  }

  function open(show) {
    panel.hidden = !show;
    launcher.setAttribute('aria-expanded', String(show));
    launcher.setAttribute('aria-label', `${show ? 'Close' : 'Open'} ${title}`);
    if (!show) { launcher.focus(); return; }
    input.focus();
    starting ??= start().catch((e) => {
      starting = null;
      setStatus(`Could not start (${e.code ?? 'error'}): ${e.message}`, 'error');
    });
  }

  launcher.addEventListener('click', () => open(panel.hidden));
  close.addEventListener('click', () => open(false));
  panel.addEventListener('keydown', (ev) => { if (ev.key === 'Escape') open(false); });
  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); form.requestSubmit(); }
  });

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (busy) { engine?.abort(); return; }
    const text = input.value.trim();
    if (!text) return;
    await starting;
    if (!engine) return;
    input.value = '';
    const m = await load();
    log.append(h('li', { className: 'msg user' }, h('div', { className: 'body', textContent: text })));
    history.push({ role: 'user', content: text });
    const body = h('div', { className: 'body' });
    const item = h('li', { className: 'msg assistant' }, body);
    log.append(item);
    busy = true;
    send.textContent = 'Stop';
    send.classList.add('stop');
    let reply = '';
    try {
      const chat = opt.endpoint || engine.info().model.chat_template;
      const common = { stream: true, max_tokens: Number(opt.maxTokens) || 256, temperature: opt.temperature !== undefined ? Number(opt.temperature) : 0.7 };
      const stream = chat
        ? await engine.chat.completions.create({ ...common, messages: [...(opt.system ? [{ role: 'system', content: opt.system }] : []), ...history] })
        : await engine.completions.create({ ...common, prompt: text });
      for await (const chunk of stream) {
        const c = chunk.choices?.[0];
        const piece = c?.delta?.content ?? c?.text ?? '';
        if (!piece) continue;
        reply += piece;
        m.renderMarkdown(body, reply, document);
        log.scrollTop = log.scrollHeight;
      }
      item.dataset.finish = 'done';
    } catch (e) {
      body.append(h('p', { className: 'error', textContent: `(${e.code ?? 'error'}) ${e.message}` }));
      item.dataset.finish = 'error';
    } finally {
      history.push({ role: 'assistant', content: reply });
      busy = false;
      send.textContent = 'Send';
      send.classList.remove('stop');
    }
  });

  const attach = () => document.body.append(host);
  if (document.body) attach(); else document.addEventListener('DOMContentLoaded', attach);
})();
