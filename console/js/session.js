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

/* The pages of the console, in the menu's groups, and who may open them (the API checks again on every call). */
export const PAGES = [
  { path: "/reports", key: "menu.reports", group: "work", roles: ["district_admin", "reviewer", "worker"] },
  { path: "/review", key: "menu.review", group: "work", roles: ["district_admin", "reviewer"] },
  { path: "/objections", key: "menu.objections", group: "work", roles: ["district_admin", "reviewer"] },
  { path: "/repairs", key: "menu.repairs", group: "work", roles: ["district_admin", "reviewer"] },
  { path: "/residents", key: "menu.residents", group: "people", roles: ["district_admin", "reviewer", "worker"] },
  { path: "/households", key: "menu.households", group: "people", roles: ["district_admin", "reviewer", "worker"] },
  { path: "/cards", key: "menu.cards", group: "people", roles: ["district_admin", "reviewer", "worker"] },
  { path: "/import", key: "menu.import", group: "people", roles: ["district_admin", "worker"] },
  { path: "/catalogue", key: "menu.catalogue", group: "rules", roles: ["district_admin", "reviewer"] },
  { path: "/policy", key: "menu.policy", group: "rules", roles: ["district_admin"] },
  { path: "/merchants", key: "menu.merchants", group: "rules", roles: ["district_admin"] },
  { path: "/supermarkets", key: "menu.supermarkets", group: "rules", roles: ["district_admin", "worker"] },
  { path: "/kiosks", key: "menu.kiosks", group: "rules", roles: ["district_admin"] },
  { path: "/announcements", key: "menu.announcements", group: "open", roles: ["district_admin", "reviewer", "worker"] },
  { path: "/lists", key: "menu.lists", group: "open", roles: ["district_admin", "reviewer", "worker"] },
  { path: "/audit", key: "menu.audit", group: "open", roles: ["district_admin"] },
  { path: "/lookups", key: "menu.lookups", group: "open", roles: ["district_admin", "reviewer"] },
  { path: "/places", key: "menu.places", group: "district", roles: ["district_admin", "reviewer", "worker"] },
  { path: "/staff", key: "menu.staff", group: "district", roles: ["district_admin"] },
];

export function pagesForMe() {
  return PAGES.filter((page) => hasRole(...page.roles));
}

/* The menu: my pages under their group's heading, groups in PAGES order, empty groups left out. */
export function menuGroupsForMe() {
  const groups = [];
  for (const page of pagesForMe()) {
    const last = groups[groups.length - 1];
    if (last && last.group === page.group) last.pages.push(page);
    else groups.push({ group: page.group, pages: [page] });
  }
  return groups;
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
