/* Who is signed in, the API client, and the hash router.
 *
 * Tokens live in localStorage so the app survives a closed tab. An expired access token is
 * renewed once with the refresh token; when that fails too, the person signs in again and
 * comes back to the screen they were on.
 */
import { createApi } from "/webcommon/api.js";
import { prefs } from "./i18n.js";
import { reactive } from "./vue.js";

const TOKENS_KEY = "chengxin.m.tokens";
const SESSION_CODES = ["token_expired", "token_revoked", "token_invalid", "token_missing"];

function load() {
  try { return JSON.parse(localStorage.getItem(TOKENS_KEY)) || {}; } catch (error) { return {}; }
}

export const session = reactive({
  access: load().access || null,
  refresh: load().refresh || null,
  me: null, //: /auth/me plus a display name
  notice: "", //: why the person is back at the sign-in screen
  flash: "", //: a short "done" line under the top bar (an aria-live status, not a dialog)
});

let flashTimer = null;

/* Says briefly that something worked (Vant's toasts are unnamed dialogs to a screen reader). */
export function flash(text) {
  session.flash = text;
  clearTimeout(flashTimer);
  flashTimer = setTimeout(() => { session.flash = ""; }, 4000);
}

function save() {
  try {
    localStorage.setItem(TOKENS_KEY, JSON.stringify({ access: session.access, refresh: session.refresh }));
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

/* --- signing in and out ------------------------------------------------------------------ */

function claimsOf(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(decodeURIComponent(escape(atob(part))));
  } catch (error) {
    return {};
  }
}

export function signedIn() {
  return Boolean(session.access);
}

export function kind() {
  return session.me ? session.me.kind : claimsOf(session.access || "").kind || null;
}

export function roles() {
  return session.me && session.me.roles ? Object.keys(session.me.roles) : [];
}

export function homePath() {
  const k = kind();
  if (k === "resident") return "/r/home";
  if (k === "merchant") return "/m/scan";
  if (k === "staff") return roles().length === 1 && roles()[0] === "reviewer" ? "/w/review" : "/w/find";
  return "/login";
}

export async function acceptTokens(tokens) {
  session.access = tokens.access_token;
  session.refresh = tokens.refresh_token || session.refresh;
  session.notice = "";
  save();
  await loadMe();
}

export async function loadMe() {
  const me = await api.get("/auth/me");
  me.name = claimsOf(session.access).name || "";
  if (me.kind === "resident") {
    const profile = await api.get("/residents/me");
    me.name = profile.name;
    me.community_name_zh = profile.community_name_zh;
    me.community_name_en = profile.community_name_en;
  }
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
  if (next.startsWith("/login")) next = route.query.next || ""; // already on its way back somewhere
  const keep = next && next.startsWith("/") && !next.startsWith("/login") && !next.startsWith("/activate");
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
  del: (path) => call(() => raw.del(path)),
  upload: (path, form, options) => call(() => raw.upload(path, form, options)),
  blobOf: (path) => call(() => raw.blob(path)),
  /* sign-in and activation: no session yet, so a 401 is a wrong password, not an ended session */
  public: raw,
};
