/* Who is signed in, the API client, and the hash router.
 *
 * Tokens live in sessionStorage: a console on a shared desk forgets its sign-in when the browser
 * closes. An expired access token is renewed once with the refresh token; when that fails too,
 * the person signs in again and comes back to the page they were on.
 */
import { createSession } from "/webcommon/session.js";
import { prefs } from "./i18n.js";
import { reactive } from "./vue.js";

const shared = createSession({
  reactive, storage: sessionStorage, key: "chengxin.console.tokens", getLang: () => prefs.lang,
});

export const {
  session, route, go, currentPath, roles, hasRole, loadMe, acceptTokens, sessionEnded, signOut, api,
} = shared;

/* The pages of the console and who may open them (the API checks again on every call). */
export const PAGES = [
  { path: "/reports", key: "menu.reports", roles: ["district_admin", "reviewer", "worker"] },
  { path: "/review", key: "menu.review", roles: ["district_admin", "reviewer"] },
  { path: "/residents", key: "menu.residents", roles: ["district_admin", "reviewer", "worker"] },
  { path: "/import", key: "menu.import", roles: ["district_admin", "worker"] },
  { path: "/announcements", key: "menu.announcements", roles: ["district_admin", "reviewer", "worker"] },
  { path: "/places", key: "menu.places", roles: ["district_admin", "reviewer", "worker"] },
  { path: "/households", key: "menu.households", roles: ["district_admin", "reviewer", "worker"] },
  { path: "/cards", key: "menu.cards", roles: ["district_admin", "reviewer", "worker"] },
  { path: "/staff", key: "menu.staff", roles: ["district_admin"] },
];

export function pagesForMe() {
  return PAGES.filter((page) => hasRole(...page.roles));
}

export function homePath() {
  if (hasRole("reviewer") && !hasRole("district_admin")) return "/review";
  const pages = pagesForMe();
  return pages.length ? pages[0].path : "/login";
}

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
