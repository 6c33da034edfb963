/* Me: who is signed in, language, large text, sign out (every role). */
import { prefs, setLang, setLarge, t } from "../i18n.js";
import { roles, session, signOut } from "../session.js";
import { computed } from "../vue.js";

export const Account = {
  setup() {
    const roleNames = computed(() => {
      const me = session.me;
      if (!me) return "";
      if (me.kind === "staff") return roles().map((r) => t("me.role." + r)).join("、");
      return t("me.role." + me.kind);
    });
    const large = computed({ get: () => prefs.large, set: (on) => setLarge(on) });
    return { t, prefs, session, roleNames, large, setLang, signOut };
  },
  template: `
  <section class="screen account">
    <h1>{{ t('me.title') }}</h1>
    <van-cell-group inset v-if="session.me">
      <van-cell :title="session.me.name || '—'" :label="roleNames"></van-cell>
    </van-cell-group>
    <van-cell-group v-if="session.me && session.me.kind === 'resident'" inset>
      <van-cell :title="t('points.menu')" is-link @click="$router('/r/points')" data-test="my-points"></van-cell>
      <van-cell :title="t('alliance.menu')" is-link @click="$router('/r/alliance')" data-test="my-alliance"></van-cell>
      <van-cell :title="t('vol.menu')" is-link @click="$router('/r/volunteer')" data-test="my-volunteering"></van-cell>
      <van-cell :title="t('repair.menu')" is-link @click="$router('/r/repair')" data-test="my-repair"></van-cell>
      <van-cell :title="t('purchases.menu')" is-link @click="$router('/r/purchases')" data-test="my-purchases"></van-cell>
      <van-cell :title="t('archive.menu')" is-link @click="$router('/r/archive')" data-test="my-archive"></van-cell>
      <van-cell :title="t('lookups.title')" is-link @click="$router('/r/lookups')" data-test="my-lookups"></van-cell>
    </van-cell-group>
    <van-cell-group v-if="session.me && session.me.kind === 'merchant'" inset>
      <van-cell :title="t('poster.menu')" is-link @click="$router('/m/poster')" data-test="door-poster"></van-cell>
    </van-cell-group>
    <van-cell-group inset>
      <van-cell :title="t('me.language')" :value="prefs.lang === 'en' ? 'English' : '中文'" is-link
        @click="setLang(prefs.lang === 'en' ? 'zh-CN' : 'en')"></van-cell>
      <van-cell :title="t('me.large')" center>
        <template #right-icon><van-switch v-model="large" :aria-label="t('me.large')"></van-switch></template>
      </van-cell>
    </van-cell-group>
    <div class="actions"><van-button block size="large" type="danger" plain @click="signOut">{{ t('common.signout') }}</van-button></div>
  </section>`,
};
