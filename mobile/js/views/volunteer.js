/* The resident's volunteering: my hours and points, activities of my village open for sign-up (sign up,
 * withdraw), my sign-ups, and a volunteer service certificate (志愿服务证明) opened as a PDF. */
import { localDateTime, prefs, t } from "../i18n.js";
import { api } from "../session.js";
import { ErrorBox } from "../ui.js";
import { computed, onBeforeUnmount, onMounted, ref } from "../vue.js";

const LIVE = ["confirmed", "waiting"];

export const MyVolunteering = {
  components: { ErrorBox },
  setup() {
    const open = ref(null);
    const mine = ref([]);
    const totals = ref(null);
    const error = ref(null);
    const busy = ref(0);
    const pdfUrl = ref("");
    const certificate = ref(null);

    async function load() {
      try {
        const [activities, participations, sums] = await Promise.all([
          api.get("/volunteering/me/activities", { query: { per_page: 50 } }),
          api.get("/volunteering/me/participations", { query: { per_page: 50 } }),
          api.get("/volunteering/me/totals"),
        ]);
        open.value = activities.items;
        mine.value = participations.items;
        totals.value = sums;
      } catch (err) {
        error.value = err;
      }
    }
    const placeOf = (activityId) => mine.value.find((p) => p.activity.id === activityId && LIVE.includes(p.status));
    const points = computed(() => mine.value.reduce((sum, p) => sum + (p.points || 0), 0));
    const title = (a) => (prefs.lang === "en" ? a.title_en : a.title_zh);

    async function act(activity, how) {
      busy.value = activity.id;
      error.value = null;
      try {
        const path = `/volunteering/activities/${activity.id}/sign-up`;
        if (how === "up") await api.post(path, {});
        else await api.del(path);
        await load();
      } catch (err) {
        error.value = err;
      } finally {
        busy.value = 0;
      }
    }

    async function issueCertificate() {
      busy.value = -1;
      error.value = null;
      try {
        certificate.value = await api.post("/volunteering/me/certificates", {});
        const blob = await api.blobOf(`/volunteering/certificates/${certificate.value.id}/pdf`);
        if (pdfUrl.value) URL.revokeObjectURL(pdfUrl.value);
        pdfUrl.value = URL.createObjectURL(blob);
        window.open(pdfUrl.value, "_blank");
      } catch (err) {
        error.value = err;
      } finally {
        busy.value = 0;
      }
    }

    onMounted(load);
    onBeforeUnmount(() => { if (pdfUrl.value) URL.revokeObjectURL(pdfUrl.value); });
    return { t, open, mine, totals, error, busy, points, title, placeOf, act, issueCertificate, pdfUrl, certificate,
      localDateTime };
  },
  template: `
  <section class="screen volunteering">
    <h1>{{ t('vol.title') }}</h1>
    <error-box :error="error"></error-box>
    <div v-if="totals" class="counts" data-test="vol-totals">
      <span><b>{{ totals.total_hours }}</b> {{ t('vol.hours') }}</span>
      <span><b>{{ points }}</b> {{ t('vol.points') }}</span>
      <span><b>{{ totals.activities }}</b> {{ t('vol.activities') }}</span>
    </div>
    <van-cell-group inset :title="t('vol.open')">
      <p v-if="open && !open.length" class="empty-line">{{ t('vol.none') }}</p>
      <div v-for="a in open || []" :key="a.id" class="vol-activity" :data-test="'open-' + a.id">
        <p class="vol-title">{{ title(a) }}</p>
        <p class="hint">{{ localDateTime(a.starts_at) }} – {{ localDateTime(a.ends_at) }} · {{ a.place }}</p>
        <p class="hint">{{ t('vol.places', { taken: a.confirmed_count, capacity: a.capacity }) }} · {{ t('vol.perHour', { n: a.points_per_hour }) }}</p>
        <p v-if="placeOf(a.id)" class="vol-state" data-test="my-place">{{ placeOf(a.id).status === 'waiting'
          ? t('vol.waiting', { n: placeOf(a.id).waiting_position }) : t('vol.signedUp') }}</p>
        <van-button v-if="placeOf(a.id)" block plain size="large" :loading="busy === a.id" @click="act(a, 'down')"
          data-test="withdraw">{{ t('vol.withdraw') }}</van-button>
        <van-button v-else block type="primary" size="large" :loading="busy === a.id" @click="act(a, 'up')"
          data-test="sign-up">{{ t('vol.signUp') }}</van-button>
      </div>
    </van-cell-group>
    <van-cell-group v-if="mine.length" inset :title="t('vol.mine')">
      <van-cell v-for="p in mine" :key="p.id" :title="title(p.activity)" :label="localDateTime(p.activity.starts_at)"
        :value="t('vol.status.' + p.status)"></van-cell>
    </van-cell-group>
    <div class="actions">
      <van-button block size="large" icon="description" :loading="busy === -1" @click="issueCertificate"
        data-test="certificate">{{ t('vol.certificate') }}</van-button>
      <a v-if="pdfUrl" class="van-button van-button--default van-button--large van-button--block link-button" :href="pdfUrl"
        :download="'certificate-' + certificate.number + '.pdf'" data-test="certificate-link">{{ t('vol.certificate.open', { number: certificate.number }) }}</a>
    </div>
  </section>`,
};
