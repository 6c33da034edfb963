/* A resident's printed credit card (诚信卡), from the worker's archive screen: issue the first card,
 * reissue a lost or worn one (the new card is issued and the old one stops working in one step, so a
 * lost card never stays usable), or only revoke a card reported lost. The new card number is shown
 * large, to write on the sheet or print.
 *
 * Issuing keeps one Idempotency-Key until it succeeds: a retry on a poor signal gets the same new card
 * instead of a third one that would cancel the card just handed over. */
import { newIdempotencyKey } from "/webcommon/api.js";
import { addTexts, localDateTime, t } from "../i18n.js";
import { api, flash, route } from "../session.js";
import { ErrorBox } from "../ui.js";
import { computed, onMounted, ref } from "../vue.js";

addTexts({
  "zh-CN": {
    "card.title": "诚信卡",
    "card.of": "{name}的诚信卡",
    "card.open": "诚信卡（发卡 / 补卡）",
    "card.active": "正在使用的卡",
    "card.noneActive": "这位居民目前没有可用的诚信卡。",
    "card.number": "卡号",
    "card.issued": "发卡时间",
    "card.revoked": "已作废",
    "card.history": "以前的卡",
    "card.reason.reissued": "已补发新卡",
    "card.issue": "发卡",
    "card.reissue": "补发新卡（旧卡立即作废）",
    "card.revoke": "只挂失作废（暂不补卡）",
    "card.reason": "原因",
    "card.reason.lost": "卡丢失",
    "card.reason.damaged": "卡损坏",
    "card.reason.stolen": "卡被盗",
    "card.reason.other": "其他",
    "card.confirm.issue": "给{name}发一张诚信卡？",
    "card.confirm.reissue": "给{name}补发新卡？旧卡 {number} 将立即作废，不能再使用。",
    "card.confirm.revoke": "作废{name}的卡 {number}？作废后扫这张卡会显示“已作废”。",
    "card.new": "新卡卡号",
    "card.new.text": "请打印新卡交给居民；旧卡已不能使用。",
    "card.new.first": "请打印诚信卡交给居民。",
    "card.revoked.done": "卡 {number} 已作废。",
  },
  en: {
    "card.title": "Credit card",
    "card.of": "{name}'s credit card",
    "card.open": "Credit card (issue / reissue)",
    "card.active": "Card in use",
    "card.noneActive": "This resident has no card in use.",
    "card.number": "Card number",
    "card.issued": "Issued",
    "card.revoked": "Revoked",
    "card.history": "Earlier cards",
    "card.reason.reissued": "replaced by a new card",
    "card.issue": "Issue a card",
    "card.reissue": "Reissue (the old card stops at once)",
    "card.revoke": "Only revoke it (no new card yet)",
    "card.reason": "Reason",
    "card.reason.lost": "Card lost",
    "card.reason.damaged": "Card damaged",
    "card.reason.stolen": "Card stolen",
    "card.reason.other": "Other",
    "card.confirm.issue": "Issue a credit card to {name}?",
    "card.confirm.reissue": "Reissue {name}'s card? The old card {number} stops working at once.",
    "card.confirm.revoke": "Revoke {name}'s card {number}? Scanned, it will show as revoked.",
    "card.new": "New card number",
    "card.new.text": "Print the new card and hand it over; the old one no longer works.",
    "card.new.first": "Print the card and hand it to the resident.",
    "card.revoked.done": "Card {number} is revoked.",
  },
});

const REASONS = ["lost", "damaged", "stolen", "other"];

export const ResidentCard = {
  components: { ErrorBox },
  props: { id: String },
  setup(props) {
    const cards = ref(null);
    const error = ref(null);
    const busy = ref(false);
    const issued = ref(null);
    const reason = ref("lost");
    const name = route.query.name || "";
    let pending = null; //: { key, reason } of an issue not yet answered

    const active = computed(() => (cards.value || []).find((c) => c.status === "active") || null);
    const earlier = computed(() => (cards.value || []).filter((c) => c.status !== "active"));

    async function load() {
      try {
        cards.value = (await api.get("/cards", { query: { resident_id: props.id, kind: "resident", per_page: 50 } })).items;
      } catch (err) {
        error.value = err;
      }
    }
    onMounted(load);

    async function confirm(text) {
      try {
        await window.vant.showConfirmDialog({ message: text });
        return true;
      } catch (cancelled) {
        return false;
      }
    }

    async function issue() {
      const old = active.value;
      const text = old ? t("card.confirm.reissue", { name, number: old.number }) : t("card.confirm.issue", { name });
      if (!(await confirm(text))) return;
      const why = old ? t("card.reason." + reason.value) : null;
      if (!pending || pending.reason !== why) pending = { key: newIdempotencyKey(), reason: why };
      busy.value = true;
      error.value = null;
      try {
        const card = await api.post("/cards", { resident_id: Number(props.id), reason: why }, { idempotencyKey: pending.key });
        pending = null;
        issued.value = { ...card, replaced: old ? old.number : null };
        await load();
      } catch (err) {
        error.value = err;
      } finally {
        busy.value = false;
      }
    }

    async function revoke() {
      const old = active.value;
      if (!old || !(await confirm(t("card.confirm.revoke", { name, number: old.number })))) return;
      busy.value = true;
      error.value = null;
      try {
        // revoking twice changes nothing: a retry is safe without a key
        await api.post(`/cards/${old.id}/revoke`, { reason: t("card.reason." + reason.value) });
        issued.value = null;
        flash(t("card.revoked.done", { number: old.number }));
        await load();
      } catch (err) {
        error.value = err;
      } finally {
        busy.value = false;
      }
    }

    return { t, cards, error, busy, issued, reason, name, active, earlier, issue, revoke, localDateTime, REASONS };
  },
  template: `
  <section class="screen resident-card">
    <h1>{{ name ? t('card.of', { name }) : t('card.title') }}</h1>
    <error-box :error="error"></error-box>
    <div v-if="issued" class="activation-code" role="status" data-test="new-card">
      <h2>{{ t('card.new') }}</h2>
      <p class="big-code" data-test="new-card-number">{{ issued.number }}</p>
      <p>{{ issued.replaced ? t('card.new.text') : t('card.new.first') }}</p>
    </div>
    <template v-if="cards">
      <van-cell-group inset :title="t('card.active')">
        <van-cell v-if="active" :title="t('card.number')" :value="active.number" :label="t('card.issued') + ' ' + localDateTime(active.issued_at)"
          data-test="active-card"></van-cell>
        <van-cell v-else :title="t('card.noneActive')" data-test="no-card"></van-cell>
      </van-cell-group>
      <template v-if="active">
        <h2 id="card-reason">{{ t('card.reason') }}</h2>
        <div class="chips" role="group" aria-labelledby="card-reason">
          <button v-for="r in REASONS" :key="r" type="button" class="chip" :aria-pressed="reason === r ? 'true' : 'false'"
            @click="reason = r" :data-test="'reason-' + r">{{ t('card.reason.' + r) }}</button>
        </div>
      </template>
      <div class="actions">
        <van-button v-if="!active" block type="primary" size="large" :loading="busy" @click="issue" data-test="issue-card">{{ t('card.issue') }}</van-button>
        <template v-else>
          <van-button block type="primary" size="large" :loading="busy" @click="issue" data-test="reissue-card">{{ t('card.reissue') }}</van-button>
          <van-button block plain type="danger" size="large" :disabled="busy" @click="revoke" data-test="revoke-card">{{ t('card.revoke') }}</van-button>
        </template>
        <van-button block plain size="large" @click="$router('/w/resident/' + id)">{{ t('common.back') }}</van-button>
      </div>
      <van-cell-group v-if="earlier.length" inset :title="t('card.history')">
        <van-cell v-for="c in earlier" :key="c.id" :title="c.number" :value="t('card.revoked')"
          :label="localDateTime(c.revoked_at) + ' · ' + (c.revoke_reason === 'reissued' ? t('card.reason.reissued') : (c.revoke_reason || ''))"
          :data-test="'old-card-' + c.number"></van-cell>
      </van-cell-group>
    </template>
  </section>`,
};
