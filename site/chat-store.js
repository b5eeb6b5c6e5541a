// Conversations of the chat app, kept in IndexedDB ("wisp-chat"), one
// record per conversation: { id, title, created, updated, messages: [{ role, content }] }.

const dbName = 'wisp-chat';
const storeName = 'conversations';

function request(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

let dbPromise = null;
function db() {
  dbPromise ??= new Promise((resolve, reject) => {
    const open = indexedDB.open(dbName, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(storeName, { keyPath: 'id' }).createIndex('updated', 'updated');
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  return dbPromise;
}

async function tx(mode, f) {
  const t = (await db()).transaction(storeName, mode);
  const result = await f(t.objectStore(storeName));
  await new Promise((resolve, reject) => { t.oncomplete = resolve; t.onerror = () => reject(t.error); t.onabort = () => reject(t.error); });
  return result;
}

/** Conversations, most recently updated first. */
export async function listConversations() {
  const all = await tx('readonly', (s) => request(s.getAll()));
  return all.sort((a, b) => b.updated - a.updated);
}

export function getConversation(id) {
  return tx('readonly', (s) => request(s.get(id)));
}

export function saveConversation(c) {
  c.updated = Date.now();
  return tx('readwrite', (s) => request(s.put(c)));
}

export function deleteConversation(id) {
  return tx('readwrite', (s) => request(s.delete(id)));
}

export function newConversation() {
  const now = Date.now();
  return { id: `c${now.toString(36)}${Math.random().toString(36).slice(2, 8)}`, title: 'New chat', created: now, updated: now, messages: [] };
}
