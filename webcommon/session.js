/* Who is signed in, the hash router, and the API client that renews an expired token once:
 * the one session of the phone app and the staff console (each passes its own storage and hooks).
 *
 *   const s = createSession({ reactive, storage: localStorage, key: "chengxin.m.tokens",
 *                             getLang: () => prefs.lang, loadProfile, keepNext });
 *   s.api.get("/me/home")  // a 401 token_expired renews once; an ended session goes to sign-in
 */
import { createApi } from "./api.js";

const SESSION_CODES = ["token_expired", "token_revoked", "token_invalid", "token_missing"];

/* The claims of a JWT, read without checking it (the server checks every call). */
export function claimsOf(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(decodeURIComponent(escape(atob(part))));
  } catch (error) {
    return {};
  }
}

/* ``reactive``: Vue's; ``storage``: localStorage or sessionStorage; ``key``: where the tokens live;
 * ``loadProfile(me, api)``: adds to ``/auth/me`` what the app shows; ``keepNext(path)``: whether to
 * come back to ``path`` after signing in again; ``extra``: more reactive session fields. */
export function createSession({ reactive, storage, key, getLang, loadProfile = null, keepNext = () => true,
  extra = {} }) {
  function load() {
    try { return JSON.parse(storage.getItem(key)) || {}; } catch (error) { return {}; }
  }

  const session = reactive({
    access: load().access || null,
    refresh: load().refresh || null,
    me: null, //: /auth/me plus a display name
    notice: "", //: why the person is back at the sign-in page (an i18n key)
    ...extra,
  });

  function save() {
    try {
      storage.setItem(key, JSON.stringify({ access: session.access, refresh: session.refresh }));
    } catch (error) { /* private mode */ }
  }

  const raw = createApi({ getToken: () => session.access, getLang });
  const refresher = createApi({ getToken: () => session.refresh, getLang });

  /* --- the hash router ------------------------------------------------------------------- */

  const route = reactive({ path: "/", query: {} });

  function parseHash() {
    const [path, query] = (location.hash.slice(1) || "/").split("?");
    route.path = path || "/";
    route.query = Object.fromEntries(new URLSearchParams(query || ""));
  }
  parseHash();
  window.addEventListener("hashchange", parseHash);

  function go(path, { replace = false } = {}) {
    const target = "#" + path;
    if (location.hash === target) return;
    if (replace) {
      history.replaceState(null, "", target);
      parseHash();
    } else {
      location.hash = target;
    }
  }

  function currentPath() {
    return location.hash.slice(1) || "/";
  }

  /* --- who, and signing in and out -------------------------------------------------------- */

  function roles() {
    return session.me && session.me.roles ? Object.keys(session.me.roles) : [];
  }

  function hasRole(...wanted) {
    const mine = roles();
    return wanted.some((role) => mine.includes(role));
  }

  async function loadMe() {
    const me = await api.get("/auth/me");
    const claims = claimsOf(session.access);
    me.name = claims.name || claims.username || "";
    if (loadProfile) await loadProfile(me, api);
    session.me = me;
    return me;
  }

  async function acceptTokens(tokens) {
    session.access = tokens.access_token;
    session.refresh = tokens.refresh_token || session.refresh;
    session.notice = "";
    save();
    await loadMe();
  }

  function forget() {
    session.access = null;
    session.refresh = null;
    session.me = null;
    save();
  }

  /* Back to sign-in, then to ``next`` (where the person was). */
  function sessionEnded(next = currentPath()) {
    forget();
    session.notice = "login.expired";
    if (next.startsWith("/login")) next = route.query.next || ""; // already on its way back somewhere
    const keep = next && next.startsWith("/") && !next.startsWith("/login") && keepNext(next);
    go(keep ? "/login?next=" + encodeURIComponent(next) : "/login", { replace: true });
  }

  async function signOut() {
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

  const api = {
    get: (path, options) => call(() => raw.get(path, options)),
    post: (path, body, options) => call(() => raw.post(path, body, options)),
    put: (path, body) => call(() => raw.put(path, body)),
    patch: (path, body) => call(() => raw.patch(path, body)),
    del: (path) => call(() => raw.del(path)),
    upload: (path, form, options) => call(() => raw.upload(path, form, options)),
    blob: (path) => call(() => raw.blob(path)),
    /* sign-in and activation: no session yet, so a 401 is a wrong password, not an ended session */
    public: raw,
  };

  return { session, route, go, currentPath, roles, hasRole, loadMe, acceptTokens, sessionEnded, signOut, api };
}
