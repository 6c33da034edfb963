/* The reviewer's objections: open ones of my communities with their due dates (overdue in red);
 * uphold (the record is voided) or dismiss, always with a reason the resident reads. */
import { newIdempotencyKey } from "/webcommon/api.js";
import { localDate, localDateTime, prefs, t } from "../i18n.js";
import { api, flash } from "../session.js";
import { ErrorBox, message } from "../ui.js";
import { onMounted, ref, watch } from "../vue.js";

export const ObjectionQueue = {
  components: { ErrorBox },
  setup() {
    const objections = ref(null);
    const error = ref(null);
    const deciding = ref(null); //: { objection, uphold }
    const reason = ref("");
    const reasonError = ref("");
    const keys = {};
    async function load() {
      error.value = null;
      try { objections.value = (await api.get("/objections", { query: { status: "open", per_page: 50 } })).items; } catch (err) { error.value = err; }
    }
    function ask(objection, uphold) { deciding.value = { objection, uphold }; reason.value = ""; reasonError.value = ""; }
    async function decide() {
      const { objection, uphold } = deciding.value;
      if (!reason.value.trim()) { reasonError.value = t("review.reason.missing"); return; }
      const body = { reason: reason.value.trim() };
      const slot = `${objection.id}:${uphold}:${body.reason}`;
      keys[slot] = keys[slot] || newIdempotencyKey();
      try {
        await api.post(`/objections/${objection.id}/${uphold ? "uphold" : "dismiss"}`, body, { idempotencyKey: keys[slot] });
        deciding.value = null;
        flash(t(uphold ? "objections.upheld" : "objections.dismissed"));
        await load();
      } catch (err) {
        reasonError.value = message(err);
      }
    }
    watch(reason, () => { reasonError.value = ""; });
    onMounted(load);
    const title = (r) => (prefs.lang === "en" ? r.title_en || r.title_zh : r.title_zh);
    return { t, objections, error, deciding, reason, reasonError, ask, decide, title, localDate, localDateTime };
  },
  template: `
  <section class="screen objections">
    <h1>{{ t('objections.title') }}</h1>
    <error-box :error="error"></error-box>
    <van-empty v-if="objections && !objections.length" :description="t('objections.none')"></van-empty>
    <article v-for="o in objections || []" :key="o.id" class="review-card" :data-test="'objection-' + o.id">
      <div class="record-main"><span class="record-title">{{ title(o.record) }}</span>
        <span class="record-points" :class="o.record.points >= 0 ? 'plus' : 'minus'">{{ o.record.points > 0 ? '+' : '' }}{{ o.record.points }}</span></div>
      <p class="review-note">{{ t('objections.reason', { reason: o.reason }) }}</p>
      <p :class="o.overdue ? 'overdue' : 'record-sub'">{{ o.overdue ? t('objections.overdue', { date: localDate(o.due_at) }) : t('objections.due', { date: localDate(o.due_at) }) }}</p>
      <div class="review-actions">
        <van-button type="primary" size="large" @click="ask(o, true)" data-test="uphold">{{ t('objections.uphold') }}</van-button>
        <van-button plain type="primary" size="large" @click="ask(o, false)" data-test="dismiss">{{ t('objections.dismiss') }}</van-button>
      </div>
    </article>
    <van-dialog :show="Boolean(deciding)" :title="deciding ? t(deciding.uphold ? 'objections.uphold' : 'objections.dismiss') : ''"
      :aria-label="t('objections.title')" show-cancel-button :before-close="() => false" @confirm="decide"
      @cancel="deciding = null" :confirm-button-text="t('notice.send')">
      <p v-if="deciding" class="dialog-text">{{ t(deciding.uphold ? 'objections.uphold.text' : 'objections.dismiss.text') }}</p>
      <van-field v-model="reason" name="reason" type="textarea" rows="3" autosize maxlength="500" label-align="top"
        :label="t('review.reason')" :placeholder="t('review.reason.ph')" :error-message="reasonError"></van-field>
    </van-dialog>
  </section>`,
};
