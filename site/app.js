// The chat app: conversations in IndexedDB, a model picker that downloads
// into the browser's cache, and streaming replies rendered as Markdown
// without ever parsing model output as HTML.

import { Wisp } from './wisp.js';
import { deleteConversation, getConversation, listConversations, newConversation, saveConversation } from './chat-store.js';
import { renderMarkdown } from './markdown.js';

const $ = (id) => document.getElementById(id);
function el(tag, props = {}, ...children) {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}

const settingsKey = 'wisp-settings';
const defaults = { system: '', mode: 'auto', temperature: 0.7, top_p: 0.95, max_tokens: 512, seed: '', device: 'auto', lastModel: null };
const settings = { ...defaults, ...JSON.parse(localStorage.getItem(settingsKey) || '{}') };
const saveSettings = () => localStorage.setItem(settingsKey, JSON.stringify(settings));

let engine = null;
let loading = false;
let started = false; // the catalog and the device preference from the address are in
let conversation = null;
let generating = false;
let catalog = [];

// ---- settings dialog

function bindSettings() {
  const pairs = [['system-prompt', 'system'], ['temperature', 'temperature'], ['top-p', 'top_p'], ['max-tokens', 'max_tokens'], ['seed', 'seed'], ['device-pref', 'device']];
  for (const [id, key] of pairs) {
    const input = $(id);
    input.value = settings[key];
    input.addEventListener('input', () => {
      settings[key] = input.type === 'range' || (input.type === 'number' && key !== 'seed') ? Number(input.value) : input.value;
      showSettingValues();
      saveSettings();
    });
  }
  for (const radio of document.querySelectorAll('input[name=mode]')) {
    radio.checked = radio.value === settings.mode;
    radio.addEventListener('change', () => { settings.mode = radio.value; saveSettings(); });
  }
  showSettingValues();
  $('open-settings').addEventListener('click', () => $('settings').showModal());
}

function showSettingValues() {
  $('temperature-out').textContent = Number(settings.temperature).toFixed(2);
  $('top-p-out').textContent = Number(settings.top_p).toFixed(2);
}

// ---- models

const formatBytes = (n) => (n >= 1e9 ? `${(n / 1e9).toFixed(2)} GB` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.round(n / 1e3)} kB`);

async function loadCatalog() {
  try {
    const res = await fetch('models.json');
    catalog = res.ok ? (await res.json()).models ?? [] : [];
  } catch {
    catalog = [];
  }
  await fillModelSelect();
}

async function fillModelSelect() {
  const select = $('model-select');
  const cached = await Wisp.listCachedModels().catch(() => []);
  const options = catalog.map((m) => ({ value: new URL(m.url, document.baseURI).href, label: m.size ? `${m.name} (${formatBytes(m.size)})` : m.name, sha256: m.sha256 }));
  for (const c of cached) {
    if (c.complete && !options.some((o) => o.value === c.url)) options.push({ value: c.url, label: `${c.name} (cached)` });
  }
  const keep = select.value || settings.lastModel?.url;
  select.replaceChildren(...options.map((o) => {
    const opt = el('option', { value: o.value, textContent: o.label });
    if (o.sha256) opt.dataset.sha256 = o.sha256;
    return opt;
  }), el('option', { value: 'custom', textContent: 'Another URL…' }));
  if (keep && [...select.options].some((o) => o.value === keep)) select.value = keep;
  $('custom-url-row').hidden = select.value !== 'custom';
  renderCached(cached);
}

async function renderCached(cached) {
  const list = $('cached');
  list.replaceChildren(...cached.map((c) => {
    const del = el('button', { type: 'button', className: 'link danger', textContent: 'Delete' });
    del.setAttribute('aria-label', `Delete ${c.name} from this browser`);
    del.addEventListener('click', async () => {
      try {
        await Wisp.deleteCachedModel(c.key);
      } catch (e) {
        notify(`Could not delete ${c.name}: ${e.message}`);
      }
      await fillModelSelect();
    });
    const size = c.complete ? formatBytes(c.size) : `${formatBytes(c.downloaded)} of ${c.size ? formatBytes(c.size) : '?'}, paused`;
    return el('li', {}, el('span', { className: 'name', textContent: c.name, title: c.url }), el('span', { className: 'muted', textContent: ` ${size} ` }), del);
  }));
  if (cached.length === 0) list.append(el('li', { className: 'muted', textContent: 'None yet.' }));
  const est = await Wisp.storageEstimate().catch(() => null);
  $('storage').textContent = est && Number.isFinite(est.quota) ? `Storage: ${formatBytes(est.usage)} used of ${formatBytes(est.quota)}${est.persisted ? ' (persistent)' : ''}.` : '';
}

function selectedModel() {
  const select = $('model-select');
  if (select.value === 'custom') {
    const url = $('custom-url').value.trim();
    return url ? { url, sha256: $('custom-sha').value.trim() || undefined } : null;
  }
  return select.value ? { url: select.value, sha256: select.selectedOptions[0]?.dataset.sha256 } : null;
}

async function loadModel(spec) {
  if (loading) return;
  loading = true;
  setBusy();
  hideNotice();
  const bar = $('load-bar');
  const text = $('load-text');
  $('load-progress').hidden = false;
  bar.value = 0;
  text.textContent = 'Starting…';
  const name = spec.file ? spec.file.name : decodeURIComponent(new URL(spec.url).pathname.split('/').pop());
  try {
    if (engine) {
      const old = engine;
      engine = null;
      await old.unload();
    }
    engine = await Wisp.create({
      model: spec.file ?? spec.url,
      sha256: spec.sha256,
      device: settings.device,
      onProgress: (p) => {
        bar.value = p.fraction;
        const verb = { download: p.cached ? 'From cache' : 'Downloading', verify: 'Checking', load: 'Loading' }[p.phase];
        const resumed = p.resumedFrom ? ` (resumed at ${formatBytes(p.resumedFrom)})` : '';
        text.textContent = `${verb} ${name}: ${formatBytes(p.loaded)}${p.total ? ` of ${formatBytes(p.total)}` : ''}${resumed}`;
      },
    });
    const info = engine.info();
    text.textContent = `${name} ready${info.model.cached ? ' (from this browser’s cache)' : ''}.`;
    bar.value = 1;
    if (spec.url) {
      settings.lastModel = { url: spec.url, sha256: spec.sha256 };
      saveSettings();
    }
    showDevice(info);
    $('empty').querySelector('p:last-child').textContent = info.model.chat_template
      ? 'Type a message below.'
      : 'This model has no chat template: it continues the text you give it (send an empty message to let it start a story).';
  } catch (e) {
    engine = null;
    text.textContent = 'Not loaded.';
    notify(`Could not load the model (${e.code ?? 'error'}): ${e.message}`);
    showDevice(null);
  } finally {
    loading = false;
    setBusy();
    fillModelSelect();
  }
}

function showDevice(info) {
  const badge = $('device');
  if (!info) {
    badge.textContent = 'no model';
    badge.title = '';
    badge.dataset.backend = '';
    return;
  }
  const d = info.device;
  badge.textContent = { webgpu: 'WebGPU', 'wasm-simd': 'CPU · SIMD', wasm: 'CPU' }[d.backend] ?? d.backend;
  badge.dataset.backend = d.backend;
  badge.title = `${info.model.name} (${info.model.architecture}) on ${d.backend === 'webgpu' ? `the GPU (${d.webgpu.adapter})` : 'the CPU (WebAssembly)'}${d.fallbackReason ? `; WebGPU not used: ${d.fallbackReason}` : ''}`;
}

// ---- conversations

async function renderConversations() {
  const list = $('conversations');
  const all = await listConversations();
  list.replaceChildren(...all.map((c) => {
    const open = el('button', { type: 'button', className: 'conv', textContent: c.title || 'Untitled' });
    if (conversation?.id === c.id) open.setAttribute('aria-current', 'true');
    open.addEventListener('click', () => openConversation(c.id));
    const del = el('button', { type: 'button', className: 'icon-button small', textContent: '×' });
    del.setAttribute('aria-label', `Delete conversation “${c.title}”`);
    del.addEventListener('click', async () => {
      await deleteConversation(c.id);
      if (conversation?.id === c.id) startConversation();
      renderConversations();
    });
    return el('li', {}, open, del);
  }));
}

function startConversation() {
  conversation = newConversation();
  renderMessages();
  renderConversations();
}

async function openConversation(id) {
  if (generating) return;
  conversation = (await getConversation(id)) ?? newConversation();
  renderMessages();
  renderConversations();
  closeNav();
}

function messageItem(m) {
  const who = el('span', { className: 'who', textContent: m.role === 'user' ? 'You' : 'Wisp' });
  const body = el('div', { className: 'body' });
  if (m.role === 'user') body.textContent = m.content || '(empty: start from nothing)';
  else renderMarkdown(body, m.content);
  return el('li', { className: `message ${m.role}` }, who, body);
}

function renderMessages() {
  $('messages').replaceChildren(...conversation.messages.map(messageItem));
  $('empty').hidden = conversation.messages.length > 0;
  setBusy();
}

// ---- generation

function effectiveMode() {
  if (settings.mode !== 'auto') return settings.mode;
  return engine?.info().model.chat_template ? 'chat' : 'completion';
}

function sampling() {
  const s = { temperature: Number(settings.temperature), max_tokens: Number(settings.max_tokens) || undefined };
  if (Number(settings.top_p) < 1) s.top_p = Number(settings.top_p);
  if (settings.seed !== '' && settings.seed !== null) s.seed = Number(settings.seed);
  return s;
}

async function send(text) {
  if (!engine || generating) return;
  const mode = effectiveMode();
  if (mode === 'chat' && !text.trim()) return;
  conversation.messages.push({ role: 'user', content: text });
  if (conversation.title === 'New chat') conversation.title = (text.trim() || 'Story').slice(0, 48);
  await generate(mode);
}

async function generate(mode) {
  const c = conversation;
  const reply = { role: 'assistant', content: '' };
  c.messages.push(reply);
  renderMessages();
  const item = $('messages').lastElementChild;
  const body = item.querySelector('.body');
  item.classList.add('streaming');
  item.setAttribute('aria-busy', 'true'); // read out once complete, not token by token
  generating = true;
  setBusy();
  const history = c.messages.slice(0, -1);
  let pending = false;
  const paint = () => {
    pending = false;
    renderMarkdown(body, reply.content);
    if (nearBottom) item.scrollIntoView({ block: 'end' });
  };
  const main = $('main');
  let nearBottom = true;
  let firstAt = 0;
  let chunks = 0;
  try {
    const req = { ...sampling(), stream: true, stream_options: { include_usage: true } };
    const stream = mode === 'chat'
      ? await engine.chat.completions.create({ ...req, messages: [...(settings.system.trim() ? [{ role: 'system', content: settings.system }] : []), ...history] })
      : await engine.completions.create({ ...req, prompt: history[history.length - 1]?.content ?? '' });
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      const piece = mode === 'chat' ? choice?.delta?.content : choice?.text;
      if (!piece) continue;
      if (!firstAt) firstAt = performance.now();
      chunks++;
      reply.content += piece;
      nearBottom = main.scrollHeight - main.scrollTop - main.clientHeight < 80;
      if (!pending) { pending = true; requestAnimationFrame(paint); }
      if (chunks > 1) $('speed').textContent = `${((chunks - 1) * 1000 / (performance.now() - firstAt)).toFixed(1)} tok/s`;
    }
    const st = engine?.stats();
    if (st?.tokens_per_second) $('speed').textContent = `${st.tokens_per_second.toFixed(1)} tok/s`;
    item.dataset.finish = 'done';
  } catch (e) {
    notify(`Generation failed (${e.code ?? 'error'}): ${e.message}`);
    item.dataset.finish = 'error';
  } finally {
    paint();
    item.classList.remove('streaming');
    item.removeAttribute('aria-busy');
    generating = false;
    if (!reply.content) reply.content = '';
    await saveConversation(c).catch(() => {});
    if (c === conversation) setBusy();
    renderConversations();
  }
}

async function regenerate() {
  if (!engine || generating) return;
  const msgs = conversation.messages;
  if (msgs[msgs.length - 1]?.role === 'assistant') msgs.pop();
  if (msgs.length === 0) return;
  await generate(effectiveMode());
}

function setBusy() {
  const hasMessages = conversation?.messages.length > 0;
  $('send').disabled = !engine || generating || loading;
  $('stop').hidden = !generating;
  $('regenerate').hidden = generating || !engine || !hasMessages;
  $('load-model').disabled = loading || !started;
  document.body.dataset.state = loading ? 'loading' : generating ? 'generating' : engine ? 'ready' : 'idle';
}

// ---- notices and layout

function notify(message) {
  const n = $('notice');
  n.textContent = message;
  n.hidden = false;
}

function hideNotice() { $('notice').hidden = true; }

function closeNav() {
  document.body.classList.remove('nav-open');
  $('menu').setAttribute('aria-expanded', 'false');
}

function bindUI() {
  $('menu').addEventListener('click', () => {
    const open = document.body.classList.toggle('nav-open');
    $('menu').setAttribute('aria-expanded', String(open));
  });
  $('new-chat').addEventListener('click', () => { if (!generating) { startConversation(); closeNav(); $('prompt').focus(); } });
  $('model-select').addEventListener('change', () => { $('custom-url-row').hidden = $('model-select').value !== 'custom'; });
  $('load-model').addEventListener('click', () => {
    const spec = selectedModel();
    if (spec) loadModel(spec); else notify('Give the URL of a .gguf model.');
  });
  $('model-file').addEventListener('change', (ev) => {
    const file = ev.target.files?.[0];
    if (file) loadModel({ file });
  });
  document.addEventListener('dragover', (ev) => { if (ev.dataTransfer?.types.includes('Files')) ev.preventDefault(); });
  document.addEventListener('drop', (ev) => {
    const file = ev.dataTransfer?.files?.[0];
    if (!file) return;
    ev.preventDefault();
    loadModel({ file });
  });
  const prompt = $('prompt');
  const autosize = () => { prompt.style.height = 'auto'; prompt.style.height = `${Math.min(prompt.scrollHeight, 200)}px`; };
  prompt.addEventListener('input', autosize);
  prompt.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      $('composer').requestSubmit();
    }
  });
  $('composer').addEventListener('submit', (ev) => {
    ev.preventDefault();
    if ($('send').disabled) return;
    const text = prompt.value;
    prompt.value = '';
    autosize();
    send(text);
  });
  $('stop').addEventListener('click', () => engine?.abort());
  $('regenerate').addEventListener('click', regenerate);
}

async function main() {
  if ('serviceWorker' in navigator && location.protocol !== 'file:') {
    navigator.serviceWorker.register('sw.js').catch((e) => console.warn('service worker not registered:', e));
  }
  bindSettings();
  bindUI();
  const all = await listConversations().catch(() => []);
  conversation = all[0] ?? newConversation();
  renderMessages();
  renderConversations();
  await loadCatalog();
  // A model named in the address (?model=URL&device=wasm&sha256=…), else the
  // last one used, which loads offline from the cache.
  const params = new URLSearchParams(location.search);
  if (params.get('device')) settings.device = params.get('device');
  $('device-pref').value = settings.device;
  // Load works from here on: a click before would find no model selected or
  // the wrong device.
  started = true;
  setBusy();
  const url = params.get('model');
  if (url) {
    await loadModel({ url: new URL(url, document.baseURI).href, sha256: params.get('sha256') ?? undefined });
  } else if (settings.lastModel) {
    const cached = await Wisp.listCachedModels().catch(() => []);
    if (cached.some((c) => c.complete && c.url === settings.lastModel.url)) await loadModel(settings.lastModel);
  }
}

main();
