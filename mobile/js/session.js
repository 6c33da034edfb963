/* Who is signed in, the API client, and the hash router.
 *
 * Tokens live in localStorage so the app survives a closed tab. An expired access token is
 * renewed once with the refresh token; when that fails too, the person signs in again and
 * comes back to the screen they were on.
 */
import { claimsOf, createSession } from "/webcommon/session.js";
import { prefs } from "./i18n.js";
import { reactive } from "./vue.js";

const shared = createSession({
  reactive, storage: localStorage, key: "chengxin.m.tokens", getLang: () => prefs.lang,
  extra: { flash: "" }, //: a short "done" line under the top bar (an aria-live status, not a dialog)
  // a resident sees their own name and village
  loadProfile: async (me, api) => {
    if (me.kind !== "resident") return;
    const profile = await api.get("/residents/me");
    me.name = profile.name;
    me.community_name_zh = profile.community_name_zh;
    me.community_name_en = profile.community_name_en;
  },
  // back to where the person was, but not into the activation form again
  keepNext: (path) => !path.startsWith("/activate"),
});

export const { session, route, go, currentPath, roles, hasRole, loadMe, acceptTokens, sessionEnded, signOut } = shared;
export const api = { ...shared.api, blobOf: shared.api.blob };

let flashTimer = null;

/* Says briefly that something worked (Vant's toasts are unnamed dialogs to a screen reader). */
export function flash(text) {
  session.flash = text;
  clearTimeout(flashTimer);
  flashTimer = setTimeout(() => { session.flash = ""; }, 4000);
}

export function signedIn() {
  return Boolean(session.access);
}

export function kind() {
  return session.me ? session.me.kind : claimsOf(session.access || "").kind || null;
}

export function homePath() {
  const k = kind();
  if (k === "resident") return "/r/home";
  if (k === "merchant") return "/m/scan";
  if (k === "staff") return roles().length === 1 && roles()[0] === "reviewer" ? "/w/review" : "/w/find";
  return "/login";
}
