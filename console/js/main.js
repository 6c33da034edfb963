/* The staff console: sign-in, a side menu by role, and the pages each role may open. */
import { LoginView } from "./views/login.js";
import { ReportsView } from "./views/reports.js";
import { ResidentsView } from "./views/residents.js";
import { ReviewView } from "./views/review.js";
import { ImportView } from "./views/import.js";
import { AnnouncementsView } from "./views/announcements.js";
import { ObjectionsView } from "./views/objections.js";
import { RepairsView } from "./views/repairs.js";
import { ListsView } from "./views/lists.js";
import { AuditView } from "./views/audit.js";
import { LookupsView } from "./views/lookups.js";
import { CatalogueView } from "./views/catalogue.js";
import { PolicyView } from "./views/policy.js";
import { MerchantsView } from "./views/merchants.js";
import { SupermarketsView } from "./views/supermarkets.js";
import { KiosksView } from "./views/kiosks.js";
import { PlacesView } from "./views/places.js";
import { HouseholdsView } from "./views/households.js";
import { StaffView } from "./views/staff.js";
import { CardsView } from "./views/cards.js";
import { prefs, setLang, t } from "./i18n.js";
import {
  currentPath, go, homePath, loadMe, menuGroupsForMe, pagesForMe, route, session, sessionEnded, signOut,
} from "./session.js";
import { computed, createApp, ElementPlus, ref, watch, zhCn } from "./vue.js";

const VIEWS = { "/reports": ReportsView, "/review": ReviewView, "/residents": ResidentsView,
  "/import": ImportView, "/announcements": AnnouncementsView,
  "/objections": ObjectionsView, "/repairs": RepairsView, "/lists": ListsView, "/audit": AuditView, "/lookups": LookupsView,
  "/catalogue": CatalogueView, "/policy": PolicyView, "/merchants": MerchantsView, "/supermarkets": SupermarketsView,
  "/kiosks": KiosksView,
  "/places": PlacesView, "/households": HouseholdsView, "/cards": CardsView,
  "/staff": StaffView };

const App = {
  components: { LoginView },
  setup() {
    const ready = ref(false);
    const locale = computed(() => (prefs.lang === "en" ? undefined : zhCn));
    const pages = computed(() => (session.me ? pagesForMe() : []));
    const groups = computed(() => (session.me ? menuGroupsForMe() : []));
    const view = computed(() => VIEWS[route.path] || null);
    const roleNames = computed(() => (session.me ? Object.keys(session.me.roles || {})
      .filter((role) => ["district_admin", "reviewer", "worker"].includes(role)).map((role) => t("role." + role))
      .join(" · ") : ""));

    /* Every page change: signed out → sign-in (then back here); a page my roles do not open → my home. */
    function guard() {
      if (!session.access) {
        if (route.path !== "/login") {
          const next = currentPath();
          go(next === "/" ? "/login" : "/login?next=" + encodeURIComponent(next), { replace: true });
        }
        return;
      }
      if (!session.me) return;
      if (route.path === "/login") {
        // signed in: back to where the person was, when that is a page of theirs
        const next = route.query.next || "";
        go(pages.value.some((page) => next.split("?")[0] === page.path) ? next : homePath(), { replace: true });
      } else if (!pages.value.some((page) => page.path === route.path)) {
        go(homePath(), { replace: true });
      }
    }

    async function start() {
      if (session.access) {
        try {
          await loadMe();
          if (session.me.kind !== "staff") sessionEnded();
        } catch (error) {
          if (session.access) sessionEnded();
        }
      }
      ready.value = true;
      guard();
    }
    watch(() => [route.path, session.access, session.me], guard);
    watch(() => prefs.lang, () => { document.title = t("app.title"); }, { immediate: true });
    start();

    const signedIn = guard;

    return {
      ready, locale, pages, groups, view, route, session, prefs, roleNames, t, signOut, signedIn, go,
      switchLang: () => setLang(prefs.lang === "en" ? "zh-CN" : "en"),
    };
  },
  template: `
  <el-config-provider :locale="locale">
    <div v-if="!ready" class="boot">{{ t('common.loading') }}</div>
    <LoginView v-else-if="!session.me" @signed-in="signedIn" @switch-lang="switchLang" />
    <el-container v-else class="shell">
      <el-aside width="208px" class="side">
        <div class="brand"><span class="brand-mark" aria-hidden="true">诚</span>
          <span><strong>{{ t('app.title') }}</strong><small>{{ t('app.subtitle') }}</small></span></div>
        <nav :aria-label="t('nav.label')">
          <template v-for="group in groups" :key="group.group">
            <h2 class="menu-group" :id="'menu-group-' + group.group">{{ t('group.' + group.group) }}</h2>
            <el-menu :default-active="route.path" class="menu" @select="go" :aria-labelledby="'menu-group-' + group.group">
              <el-menu-item v-for="page in group.pages" :key="page.path" :index="page.path" :data-page="page.path">
                {{ t(page.key) }}
              </el-menu-item>
            </el-menu>
          </template>
        </nav>
      </el-aside>
      <el-container>
        <el-header class="top">
          <h1 class="page-title">{{ t((pages.find(p => p.path === route.path) || {}).key || 'app.title') }}</h1>
          <div class="who">
            <span class="who-name" data-test="who">{{ session.me.name }}</span>
            <el-tag type="info" effect="plain">{{ roleNames }}</el-tag>
            <el-button text @click="switchLang" :lang="prefs.lang === 'en' ? 'zh-CN' : 'en'">{{ t('lang.switch') }}</el-button>
            <el-button @click="signOut" data-test="sign-out">{{ t('nav.signOut') }}</el-button>
          </div>
        </el-header>
        <el-main class="main">
          <component :is="view" v-if="view" :key="route.path + prefs.lang" />
        </el-main>
      </el-container>
    </el-container>
  </el-config-provider>`,
};

const app = createApp(App);
app.use(ElementPlus);
app.mount("#app");
