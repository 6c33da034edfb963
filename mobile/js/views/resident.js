/* The resident: home (score, stars, points, recent records) and My code (the rotating phone code, as a QR
 * and as the number a merchant types when the QR cannot be scanned). */
import { renderSVG } from "/m/vendor/uqr.mjs";
import { addTexts, localDate, prefs, t } from "../i18n.js";
import { api, session } from "../session.js";
import { ErrorBox, Stars } from "../ui.js";
import { computed, onBeforeUnmount, onMounted, ref } from "../vue.js";

addTexts({
  "zh-CN": {
    "code.number": "数字码",
    "code.number.hint": "扫不了码时，把这串数字念给商家输入。",
  },
  en: {
    "code.number": "Code number",
    "code.number.hint": "If the QR cannot be scanned, read these digits out for the merchant to type.",
  },
});

/* "2834 5678 9012 3456 78": the number in fours, easy to read out and to type. */
export function groupDigits(number) {
  return String(number || "").match(/.{1,4}/g) || [];
}

const STATUS_TAGS = {
  pending: "warning", in_notice: "primary", disputed: "danger", final: "success", rejected: "default",
  voided: "default", repaired: "success",
};

export const ResidentHome = {
  components: { ErrorBox, Stars },
  setup() {
    const home = ref(null);
    const error = ref(null);
    const notices = ref([]);
    async function load() {
      error.value = null;
      try { home.value = await api.get("/me/home"); } catch (err) { error.value = err; }
    }
    /* the notices of my village and the district (公告), pinned first; the home works without them */
    async function loadNotices() {
      try { notices.value = (await api.get("/me/announcements", { query: { per_page: 5 } })).items; } catch (err) { /* home still shows */ }
    }
    onMounted(() => { load(); loadNotices(); });
    const noticeTitle = (a) => (prefs.lang === "en" ? a.title_en || a.title_zh : a.title_zh);
    const noticeBody = (a) => (prefs.lang === "en" ? a.body_en || a.body_zh : a.body_zh);
    const title = (r) => (prefs.lang === "en" ? r.title_en || r.title_zh : r.title_zh);
    const statusText = (r) => t("status." + r.status, { date: localDate(r.notice_ends_at) });
    const tagType = (r) => STATUS_TAGS[r.status] || "default";
    const signed = (n) => (n > 0 ? "+" + n : String(n));
    const name = computed(() => (session.me ? session.me.name : ""));
    return { t, home, error, load, title, statusText, tagType, signed, name, localDate, notices, noticeTitle, noticeBody };
  },
  template: `
  <section class="screen resident-home">
    <h1 class="hello">{{ t('home.hello', { name }) }}</h1>
    <error-box :error="error"></error-box>
    <van-button v-if="error" block size="large" @click="load">{{ t('common.retry') }}</van-button>
    <van-loading v-if="!home && !error" class="loading" size="32">{{ t('common.loading') }}</van-loading>
    <template v-if="home">
      <div class="standing">
        <div class="score"><span class="label">{{ t('home.score') }}</span><strong data-test="score">{{ home.score }}</strong></div>
        <div class="star-line"><stars :n="home.stars"></stars><span class="label">{{ t('home.starsN', { n: home.stars }) }}</span></div>
        <p class="next" data-test="next-star">{{ home.next_star ? t('home.next', { n: home.score_to_next_star, star: home.next_star }) : t('home.top') }}</p>
        <div class="points"><span class="label">{{ t('home.points') }}</span><strong data-test="points">{{ home.points }}</strong></div>
      </div>
      <div class="actions">
        <van-button block type="primary" size="large" icon="qr" @click="$router('/r/code')">{{ t('home.showcode') }}</van-button>
      </div>
      <template v-if="notices.length">
        <h2>{{ t('home.notices') }}</h2>
        <article v-for="a in notices" :key="a.id" class="announcement" :data-test="'announcement-' + a.id">
          <p class="announcement-title"><van-tag v-if="a.pinned" type="primary" size="large">{{ t('home.pinned') }}</van-tag> {{ noticeTitle(a) }}</p>
          <p class="announcement-body">{{ noticeBody(a) }}</p>
          <p class="announcement-date">{{ localDate(a.publish_at) }}</p>
        </article>
      </template>
      <h2>{{ t('home.records') }}</h2>
      <van-empty v-if="!home.records.length" :description="t('home.norecords')"></van-empty>
      <ul class="records">
        <li v-for="r in home.records" :key="r.id" class="record">
          <div class="record-main">
            <span class="record-title">{{ title(r) }}</span>
            <span class="record-points" :class="r.points >= 0 ? 'plus' : 'minus'">{{ signed(r.points) }}</span>
          </div>
          <div class="record-sub">
            <span class="record-date">{{ localDate(r.occurred_at) }}</span>
            <van-tag :type="tagType(r)" size="large" class="record-status">{{ statusText(r) }}</van-tag>
          </div>
        </li>
      </ul>
    </template>
  </section>`,
};

/* Seconds before expiry at which a fresh code is fetched (the merchant may be mid-scan). */
const REFRESH_MARGIN_S = 10;
const POLL_MS = 3000;

export const MyCode = {
  components: { ErrorBox },
  setup() {
    const code = ref(null);
    const svg = ref("");
    const left = ref(0);
    const used = ref(null); //: null, or what took it: "discount" / "redemption"
    const expired = ref(false);
    const error = ref(null);
    let tick = null;
    let poll = null;
    let wakeLock = null;
    let gone = false;

    async function fresh() {
      error.value = null;
      used.value = null;
      expired.value = false;
      try {
        const answer = await api.post("/me/dynamic-code");
        if (gone) return;
        code.value = answer;
        svg.value = renderSVG(answer.url, { ecc: "M", border: 4 });
        countdown();
      } catch (err) {
        error.value = err;
      }
    }

    function countdown() {
      if (!code.value) return;
      //: seconds until this code is replaced (REFRESH_MARGIN_S before it expires)
      left.value = Math.max(0, Math.round((Date.parse(code.value.expires_at) - Date.now()) / 1000) - REFRESH_MARGIN_S);
      if (!used.value && left.value <= 0 && !error.value) fresh();
    }

    async function check() {
      if (!code.value || used.value || document.hidden) return;
      try {
        const status = await api.get("/me/dynamic-code/status", { query: { code: code.value.token } });
        if (status.used) used.value = status.purpose || "discount";
      } catch (err) {
        if (err.code === "code_expired") expired.value = true;
      }
    }

    async function keepAwake() {
      try {
        if (navigator.wakeLock && document.visibilityState === "visible") {
          wakeLock = await navigator.wakeLock.request("screen");
        }
      } catch (err) { /* not allowed here (battery saver, old browser): the code still works */ }
    }
    function visible() {
      if (document.visibilityState === "visible") {
        keepAwake();
        countdown();
        check();
      }
    }

    onMounted(() => {
      fresh();
      keepAwake();
      tick = setInterval(countdown, 1000);
      poll = setInterval(check, POLL_MS);
      document.addEventListener("visibilitychange", visible);
    });
    onBeforeUnmount(() => {
      gone = true;
      clearInterval(tick);
      clearInterval(poll);
      document.removeEventListener("visibilitychange", visible);
      if (wakeLock) wakeLock.release().catch(() => {});
    });
    const groups = computed(() => (code.value ? groupDigits(code.value.number) : []));
    return { t, code, svg, left, used, expired, error, fresh, groups };
  },
  template: `
  <section class="screen my-code">
    <h1>{{ t('code.title') }}</h1>
    <error-box :error="error"></error-box>
    <div class="qr-frame" :class="{ spent: used || expired }">
      <div v-if="svg" class="qr" role="img" :aria-label="t('code.title')" v-html="svg" data-test="qr"></div>
      <van-loading v-else-if="!error" size="48"></van-loading>
      <div v-if="used" class="qr-overlay" role="status" data-test="used">
        <strong>{{ t('code.used') }}</strong>
        <span>{{ t('code.used.' + used) }}</span>
        <van-button v-if="used === 'discount'" plain type="primary" size="normal" @click="$router('/r/purchases')"
          data-test="rate-shop">{{ t('code.rate') }}</van-button>
      </div>
      <div v-else-if="expired" class="qr-overlay" role="status"><strong>{{ t('code.expired') }}</strong></div>
    </div>
    <div v-if="groups.length && !used && !expired" class="code-number" data-test="code-number">
      <p class="code-number-label" id="code-number-label">{{ t('code.number') }}</p>
      <p class="code-number-digits" aria-labelledby="code-number-label"><template v-for="(g, i) in groups" :key="i"><span>{{ g }}</span>{{ i < groups.length - 1 ? " " : "" }}</template></p>
      <p class="code-number-hint">{{ t('code.number.hint') }}</p>
    </div>
    <p v-if="code && !used && !expired" class="countdown" aria-live="polite">{{ t('code.refresh', { n: left }) }}</p>
    <p class="hint">{{ t('code.hint') }}</p>
    <div class="actions">
      <van-button block type="primary" size="large" @click="fresh">{{ t('code.new') }}</van-button>
    </div>
  </section>`,
};
