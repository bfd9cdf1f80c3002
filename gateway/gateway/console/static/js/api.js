// The public API with the signed-in user's own token (kept in sessionStorage: gone when the
// tab closes). What the user may do is read from the OpenAPI document's x-roles, the same
// list the gateway enforces; the API's own 403 stays the last word.
const TOKEN = "aftersales.console.token";
const PREFIX = "/api/v1";

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || String(status);
    this.details = error.details || {};
  }
}

export function token() { return sessionStorage.getItem(TOKEN); }

export function signOut() { sessionStorage.removeItem(TOKEN); }

function claims() {
  const value = token();
  if (!value || value.split(".").length !== 3) return null;
  try {
    const part = value.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(part), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
}

/** Who the token says I am: {username, roles, department, expires}; null when signed out. */
export function me() {
  const c = claims();
  if (!c || (c.exp && c.exp * 1000 < Date.now())) return null;
  return { username: c.sub, roles: c.roles || [], department: c.dept, expires: new Date(c.exp * 1000) };
}

async function send(method, url, body, extraHeaders = {}) {
  const headers = { Accept: "application/json", ...extraHeaders };
  if (token()) headers.Authorization = `Bearer ${token()}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (response.status === 401 && url !== "/auth/token") {
    signOut();
    window.dispatchEvent(new Event("console:signed-out"));
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export async function signIn(username, password) {
  const answer = await send("POST", "/auth/token", { username, password });
  sessionStorage.setItem(TOKEN, answer.access_token);
  return me();
}

function query(params) {
  const pairs = Object.entries(params || {}).filter(([, v]) => v !== "" && v !== null && v !== undefined && v !== false);
  return pairs.length ? "?" + new URLSearchParams(pairs).toString() : "";
}

export const get = (path, params) => send("GET", PREFIX + path + query(params));
export const post = (path, body = {}, headers = {}) => send("POST", PREFIX + path, body, headers);

/** A PDF (or other file) of the API, with the token, opened as a download. */
export async function download(path, filename) {
  const response = await fetch(PREFIX + path, { headers: { Authorization: `Bearer ${token()}` } });
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

let loaded = null;

export function spec() { return loaded; }

export async function loadSpec() {
  if (!loaded) loaded = await send("GET", `${PREFIX}/openapi.json`);
  return loaded;
}

function operation(method, path) {
  const ops = loaded && loaded.paths[PREFIX + path];
  return ops ? ops[method.toLowerCase()] : undefined;
}

/** Whether the API has this operation (another engineer's endpoint may not exist yet). */
export function has(method, path) { return operation(method, path) !== undefined; }

/** Whether my roles may call it, by the operation's x-roles (admin may do everything). */
export function can(method, path) {
  const op = operation(method, path);
  const who = me();
  if (!op || !who) return false;
  const allowed = op["x-roles"];
  if (!allowed) return true;
  return who.roles.includes("admin") || allowed.includes("authenticated") || allowed.some((r) => who.roles.includes(r));
}

const NAMES_AT_ONCE = 100; // GET /customer-names takes at most 100 ids

/** id -> company name of the customers with these ids (the ids a page shows, where the
 * services' answers carry a customer's id): every signed-in role may look names up, in
 * chunks of 100 distinct ids; unknown ids, or a lookup that fails, are simply absent. */
export async function customerNames(ids) {
  const wanted = [...new Set((ids || []).filter(Boolean))];
  if (!wanted.length || !can("GET", "/customer-names")) return {};
  const chunks = [];
  for (let i = 0; i < wanted.length; i += NAMES_AT_ONCE) chunks.push(wanted.slice(i, i + NAMES_AT_ONCE));
  const found = await Promise.all(chunks.map((chunk) =>
    get("/customer-names", { ids: chunk.join(",") }).catch(() => [])));
  return Object.fromEntries(found.flat().map((c) => [c.id, c.name]));
}

export function newId(prefix) {
  const random = crypto.getRandomValues(new Uint32Array(2));
  return `${prefix}-${Date.now().toString(36)}-${random[0].toString(36)}${random[1].toString(36)}`;
}
