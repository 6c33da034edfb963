/* 查询登记: who on the staff (or at a shop) opened my archive, and when. */
import { localDateTime, t } from "../i18n.js";
import { api } from "../session.js";
import { ErrorBox } from "../ui.js";
import { onMounted, ref } from "../vue.js";

export const MyLookups = {
  components: { ErrorBox },
  setup() {
    const lookups = ref(null);
    const error = ref(null);
    onMounted(async () => {
      try { lookups.value = (await api.get("/residents/me/lookups", { query: { per_page: 50 } })).items; } catch (err) { error.value = err; }
    });
    const what = (w) => { const key = "lookups.what." + w; const text = t(key); return text === key ? w : text; };
    return { t, lookups, error, what, localDateTime };
  },
  template: `
  <section class="screen lookups">
    <h1>{{ t('lookups.title') }}</h1>
    <p class="intro">{{ t('lookups.intro') }}</p>
    <error-box :error="error"></error-box>
    <van-empty v-if="lookups && !lookups.length" :description="t('lookups.none')"></van-empty>
    <van-cell-group v-if="lookups && lookups.length" inset>
      <van-cell v-for="l in lookups" :key="l.id" :title="l.actor_name" :label="localDateTime(l.created_at)" :value="what(l.what)"></van-cell>
    </van-cell-group>
    <div class="actions"><van-button block plain size="large" @click="$router('/me')">{{ t('common.back') }}</van-button></div>
  </section>`,
};
