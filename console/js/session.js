/* Who is signed in, the API client, and the hash router.
 *
 * Tokens live in sessionStorage: a console on a shared desk forgets its sign-in when the browser
 * closes. An expired access token is renewed once with the refresh token; when that fails too,
 * the person signs in again and comes back to the page they were on.
 */
import { createApi } from "/webcommon/api.js";
import { prefs } from "./i18n.js";
import { reactive } from "./vue.js";

const TOKENS_KEY = "chengxin.console.tokens";
const SESSION_CODES = ["token_expired", "token_revoked", "token_invalid", "token_missing"];

function load() {
  try { return JSON.parse(sessionStorage.getItem(TOKENS_KEY)) || {}; } catch (error) { return {}; }
}

export const session = reactive({
  access: load().access || null,
  refresh: load().refresh || null,
  me: null, //: /auth/me plus the display name
  notice: "", //: why the person is back at the sign-in page (an i18n key)
});

function save() {
  try {
    sessionStorage.setItem(TOKENS_KEY, JSON.stringify({ access: session.access, refresh: session.refresh }));
  } catch (error) { /* private mode */ }
}

const raw = createApi({ getToken: () => session.access, getLang: () => prefs.lang });
const refresher = createApi({ getToken: () => session.refresh, getLang: () => prefs.lang });

/* --- the hash router --------------------------------------------------------------------- */

export const route = reactive({ path: "/", query: {} });

function parseHash() {
  const [path, query] = (location.hash.slice(1) || "/").split("?");
  route.path = path || "/";
  route.query = Object.fromEntries(new URLSearchParams(query || ""));
}
parseHash();
window.addEventListener("hashchange", parseHash);

export function go(path, { replace = false } = {}) {
  const target = "#" + path;
  if (location.hash === target) return;
  if (replace) {
    history.replaceState(null, "", target);
    parseHash();
  } else {
    location.hash = target;
  }
}

export function currentPath() {
  return location.hash.slice(1) || "/";
}

/* --- roles ------------------------------------------------------------------------------- */

function claimsOf(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(decodeURIComponent(escape(atob(part))));
  } catch (error) {
    return {};
  }
}

export function roles() {
  return session.me && session.me.roles ? Object.keys(session.me.roles) : [];
}

export function hasRole(...wanted) {
  const mine = roles();
  return wanted.some((role) => mine.includes(role));
}

/* The pages of the console and who may open them (the API checks again on every call). */
export const PAGES = [
  { path: "/reports", key: "menu.reports", roles: ["district_admin", "reviewer", "worker"] },
  { path: "/review", key: "menu.review", roles: ["district_admin", "reviewer"] },
  { path: "/residents", key: "menu.residents", roles: ["district_admin", "reviewer", "worker"] },
  { path: "/import", key: "menu.import", roles: ["district_admin", "worker"] },
  { path: "/announcements", key: "menu.announcements", roles: ["district_admin", "reviewer", "worker"] },
];

export function pagesForMe() {
  return PAGES.filter((page) => hasRole(...page.roles));
}

export function homePath() {
  if (hasRole("reviewer") && !hasRole("district_admin")) return "/review";
  const pages = pagesForMe();
  return pages.length ? pages[0].path : "/login";
}

/* --- signing in and out ------------------------------------------------------------------ */

export async function acceptTokens(tokens) {
  session.access = tokens.access_token;
  session.refresh = tokens.refresh_token || session.refresh;
  session.notice = "";
  save();
  await loadMe();
}

export async function loadMe() {
  const me = await api.get("/auth/me");
  const claims = claimsOf(session.access);
  me.name = claims.name || claims.username || "";
  session.me = me;
  return me;
}

function forget() {
  session.access = null;
  session.refresh = null;
  session.me = null;
  save();
}

/* Back to sign-in, then to ``next`` (where the person was). */
export function sessionEnded(next = currentPath()) {
  forget();
  session.notice = "login.expired";
  if (next.startsWith("/login")) next = route.query.next || "";
  const keep = next && next.startsWith("/") && !next.startsWith("/login");
  go(keep ? "/login?next=" + encodeURIComponent(next) : "/login", { replace: true });
}

export async function signOut() {
  try { await raw.post("/auth/logout"); } catch (error) { /* the token may be gone already */ }
  forget();
  go("/login", { replace: true });
}

let refreshing = null;

async function renew() {
  if (!session.refresh) return false;
  refreshing = refreshing || refresher.post("/auth/refresh").then((tokens) => {
    session.access = tokens.access_token;
    save();
    return true;
  }).catch(() => false).finally(() => { refreshing = null; });
  return refreshing;
}

/* Every call: renew an expired token once, and end the session when it cannot be renewed. */
async function call(fn) {
  try {
    return await fn();
  } catch (error) {
    if (error.status !== 401 || !SESSION_CODES.includes(error.code) || !session.access) throw error;
    if (error.code === "token_expired" && await renew()) {
      try {
        return await fn();
      } catch (again) {
        if (again.status === 401 && SESSION_CODES.includes(again.code)) sessionEnded();
        throw again;
      }
    }
    sessionEnded();
    throw error;
  }
}

export const api = {
  get: (path, options) => call(() => raw.get(path, options)),
  post: (path, body, options) => call(() => raw.post(path, body, options)),
  put: (path, body) => call(() => raw.put(path, body)),
  patch: (path, body) => call(() => raw.patch(path, body)),
  blob: (path) => call(() => raw.blob(path)),
  upload: (path, formData, options) => call(() => raw.upload(path, formData, options)),
  /* sign-in: no session yet, so a 401 is a wrong password, not an ended session */
  public: raw,
};

/* Downloads a file of the API with the signed-in session: fetch with the bearer token → blob →
 * a temporary link (the token never appears in a URL). */
export async function download(path, filename) {
  const blob = await api.blob(path);
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/* Opens a file of the API (a PDF) in a new tab with the signed-in session: the tab is opened at the click
 * (so no pop-up blocker stops it), then shown the fetched blob (the token never appears in a URL). */
export async function openFile(path) {
  const tab = window.open("", "_blank");
  try {
    const blob = await api.blob(path);
    const url = URL.createObjectURL(blob);
    if (tab) tab.location = url; else window.location.assign(url);
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  } catch (error) {
    if (tab) tab.close();
    throw error;
  }
}
