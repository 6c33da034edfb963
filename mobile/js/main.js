/* The phone app at /m/: one page, a hash router, a screen per route and a tab bar per role. */
import { VANT_EN, prefs, setLang, setLarge, t } from "./i18n.js";
import { go, homePath, kind, loadMe, roles, route, session, signedIn } from "./session.js";
import { computed, createApp, vant, watch } from "./vue.js";
import { Account } from "./views/account.js";
import { Activate, Login } from "./views/auth.js";
import { MerchantSales, MerchantScan } from "./views/merchant.js";
import { MyCode, ResidentHome } from "./views/resident.js";
import { LogDeed } from "./views/deed.js";
import { ActivityScanner } from "./views/activity.js";
import { ActivityBoard, ActivityManage, NewActivity } from "./views/organise.js";
import { StockIntake, SupermarketCounter } from "./views/counter.js";
import { ResidentCard } from "./views/cards.js";
import { MyVolunteering } from "./views/volunteer.js";
import { MyArchive } from "./views/archive.js";
import { MyLookups } from "./views/lookups.js";
import { NoticeBoard } from "./views/notice.js";
import { ObjectionQueue } from "./views/objections.js";
import { DoorPoster } from "./views/poster.js";
import { MyPurchases } from "./views/purchases.js";
import { MerchantRatings } from "./views/ratings.js";
import { ReviewQueue } from "./views/review.js";
import { FindResident, ResidentArchive } from "./views/worker.js";
import { MyRepair } from "./views/repair.js";
import { PointsHistory } from "./views/points.js";
import { Alliance, AllianceShop } from "./views/alliance.js";
import { RepairQueue } from "./views/repairs.js";

/* path pattern → screen, and who may open it (null: anyone) */
const ROUTES = [
  { path: "/login", view: Login, who: null },
  { path: "/activate", view: Activate, who: null },
  { path: "/r/home", view: ResidentHome, who: "resident" },
  { path: "/r/code", view: MyCode, who: "resident" },
  { path: "/r/notice", view: NoticeBoard, who: "resident" },
  { path: "/r/lookups", view: MyLookups, who: "resident" },
  { path: "/r/purchases", view: MyPurchases, who: "resident" },
  { path: "/r/volunteer", view: MyVolunteering, who: "resident" },
  { path: "/r/archive", view: MyArchive, who: "resident" },
  { path: "/r/repair", view: MyRepair, who: "resident" },
  { path: "/r/points", view: PointsHistory, who: "resident" },
  { path: "/r/alliance", view: Alliance, who: "resident" },
  { path: "/r/shop/:id", view: AllianceShop, who: "resident" },
  { path: "/m/scan", view: MerchantScan, who: "merchant" },
  { path: "/m/sales", view: MerchantSales, who: "merchant" },
  { path: "/m/ratings", view: MerchantRatings, who: "merchant" },
  { path: "/m/poster", view: DoorPoster, who: "merchant" },
  { path: "/w/find", view: FindResident, who: "staff" },
  { path: "/w/resident/:id", view: ResidentArchive, who: "staff" },
  { path: "/w/resident/:id/deed", view: LogDeed, who: "staff" },
  { path: "/w/activities", view: ActivityBoard, who: "staff" },
  { path: "/w/activities/new", view: NewActivity, who: "staff" },
  { path: "/w/activity/:id", view: ActivityScanner, who: "staff" },
  { path: "/w/activity/:id/manage", view: ActivityManage, who: "staff" },
  { path: "/w/counter", view: SupermarketCounter, who: "staff" },
  { path: "/w/intake", view: StockIntake, who: "staff" },
  { path: "/w/resident/:id/card", view: ResidentCard, who: "staff" },
  { path: "/w/review", view: ReviewQueue, who: "staff" },
  { path: "/w/objections", view: ObjectionQueue, who: "staff" },
  { path: "/w/repairs", view: RepairQueue, who: "staff" },
  { path: "/me", view: Account, who: "any" },
];

const TABS = {
  resident: [["/r/home", "home-o", "tab.home"], ["/r/code", "qr", "tab.code"], ["/r/notice", "bullhorn-o", "tab.notice"],
    ["/me", "user-o", "tab.me"]],
  merchant: [["/m/scan", "scan", "tab.scan"], ["/m/sales", "bill-o", "tab.sales"], ["/m/ratings", "star-o", "tab.ratings"],
    ["/me", "user-o", "tab.me"]],
};

/* staff see what their roles allow: workers find residents, reviewers review */
function staffTabs() {
  const mine = roles();
  const tabs = [["/w/find", "search", "tab.find"]];
  if (mine.includes("worker") || mine.includes("district_admin")) tabs.push(["/w/activities", "friends-o", "tab.activities"]);
  if (mine.includes("worker") || mine.includes("district_admin")) tabs.push(["/w/counter", "shop-o", "tab.counter"]);
  if (mine.includes("reviewer") || mine.includes("district_admin")) {
    tabs.push(["/w/review", "passed", "tab.review"], ["/w/objections", "warning-o", "tab.objections"]);
    tabs.push(["/w/repairs", "replay", "tab.repairs"]);
  }
  return [...tabs, ["/me", "user-o", "tab.me"]];
}

function match(path) {
  for (const r of ROUTES) {
    const names = [];
    const pattern = new RegExp("^" + r.path.replace(/:(\w+)/g, (_, name) => { names.push(name); return "([^/]+)"; }) + "$");
    const found = path.match(pattern);
    if (found) return { ...r, params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(found[i + 1])])) };
  }
  return null;
}

const App = {
  setup() {
    const current = computed(() => match(route.path));
    const tabs = computed(() => {
      if (!signedIn() || !current.value || !current.value.who) return [];
      return kind() === "staff" ? staffTabs() : TABS[kind()] || [];
    });
    const active = computed(() => route.path);
    function toggleLang() { setLang(prefs.lang === "en" ? "zh-CN" : "en"); }
    function toggleLarge() { setLarge(!prefs.large); }
    return { t, prefs, session, current, tabs, active, toggleLang, toggleLarge, go };
  },
  template: `
  <header class="topbar">
    <span class="topbar-title"><img src="/m/img/icon.svg" alt="" width="28" height="28">{{ t('app.name') }}</span>
    <span class="topbar-tools">
      <button type="button" class="tool" :aria-pressed="prefs.large ? 'true' : 'false'" @click="toggleLarge"
        data-test="large-text">{{ t('large.on') }}</button>
      <button type="button" class="tool" :lang="prefs.lang === 'en' ? 'zh-CN' : 'en'" @click="toggleLang"
        data-test="lang">{{ t('lang.switch') }}</button>
    </span>
  </header>
  <p class="flash" role="status" aria-live="polite">{{ session.flash }}</p>
  <main :class="{ 'with-tabs': tabs.length }">
    <component v-if="current" :is="current.view" v-bind="current.params" :key="current.path + JSON.stringify(current.params)"></component>
  </main>
  <van-tabbar v-if="tabs.length" :model-value="active" route-less safe-area-inset-bottom>
    <van-tabbar-item v-for="tab in tabs" :key="tab[0]" :name="tab[0]" :icon="tab[1]" @click="go(tab[0])"
      :aria-current="active === tab[0] ? 'page' : null" :data-test="'tab:' + tab[0]">{{ t(tab[2]) }}</van-tabbar-item>
  </van-tabbar>`,
};

/* Only signed-in people of the right kind reach a screen; the others sign in and come back. */
function guard() {
  const target = match(route.path);
  if (!target) return go(signedIn() ? homePath() : "/login", { replace: true });
  if (!target.who) {
    if (signedIn() && route.path === "/login" && !route.query.next) go(homePath(), { replace: true });
    return;
  }
  if (!signedIn()) return go("/login?next=" + encodeURIComponent(route.path), { replace: true });
  if (target.who !== "any" && target.who !== kind()) go(homePath(), { replace: true });
}

async function start() {
  const zh = vant.Locale.messages(); // Vant starts in zh-CN
  const vantLanguage = (lang) => (lang === "en" ? vant.Locale.use("en-US", VANT_EN) : vant.Locale.use("zh-CN", zh));
  watch(() => prefs.lang, vantLanguage);
  setLang(prefs.lang);
  setLarge(prefs.large);
  vantLanguage(prefs.lang);
  if (signedIn()) {
    try { await loadMe(); } catch (error) { /* an ended session already went to sign-in */ }
  }
  guard();
  watch(() => route.path, guard);
  const app = createApp(App);
  app.use(vant);
  app.config.globalProperties.$router = (path) => go(path);
  app.mount("#app");
  document.documentElement.dataset.ready = "1";
}

start();

if (navigator.serviceWorker && location.protocol !== "file:") { // some WebViews name it and leave it empty
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/m/sw.js", { scope: "/m/" }).catch(() => { /* the app works without it */ });
  });
}
