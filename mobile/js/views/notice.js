/* 公示栏: the records of my community in public notice (names masked); any resident may object to one,
 * with a reason, before its notice ends. */
import { newIdempotencyKey } from "/webcommon/api.js";
import { localDate, prefs, t } from "../i18n.js";
import { api, flash } from "../session.js";
import { ErrorBox, message } from "../ui.js";
import { onMounted, ref, watch } from "../vue.js";

export const NoticeBoard = {
  components: { ErrorBox },
  setup() {
    const records = ref(null);
    const error = ref(null);
    const objecting = ref(null);
    const reason = ref("");
    const reasonError = ref("");
    const keys = {}; //: record id → Idempotency-Key of the objection (kept for a retry)

    async function load() {
      error.value = null;
      try { records.value = (await api.get("/notice-board", { query: { per_page: 50 } })).items; } catch (err) { error.value = err; }
    }
    function ask(record) {
      objecting.value = record;
      reason.value = "";
      reasonError.value = "";
    }
    async function object() {
      const record = objecting.value;
      if (!reason.value.trim()) { reasonError.value = t("notice.reason.missing"); return; }
      keys[record.id] = keys[record.id] || newIdempotencyKey();
      try {
        const objection = await api.post("/objections", { record_id: record.id, reason: reason.value.trim() },
          { idempotencyKey: keys[record.id] });
        objecting.value = null;
        flash(t("notice.sent", { date: localDate(objection.due_at) }));
        await load();
      } catch (err) {
        reasonError.value = message(err);
      }
    }
    watch(reason, () => { reasonError.value = ""; });
    onMounted(load);
    const title = (r) => (prefs.lang === "en" ? r.title_en || r.title_zh : r.title_zh);
    const signed = (n) => (n > 0 ? "+" + n : String(n));
    return { t, records, error, objecting, reason, reasonError, ask, object, title, signed, localDate };
  },
  template: `
  <section class="screen notice-board">
    <h1>{{ t('notice.title') }}</h1>
    <p class="intro">{{ t('notice.intro') }}</p>
    <error-box :error="error"></error-box>
    <van-loading v-if="!records && !error" size="32">{{ t('common.loading') }}</van-loading>
    <van-empty v-if="records && !records.length" :description="t('notice.none')"></van-empty>
    <ul class="records">
      <li v-for="r in records || []" :key="r.id" class="record" :data-test="'notice-' + r.id">
        <div class="record-main"><span class="record-title">{{ r.masked_name }} · {{ title(r) }}</span>
          <span class="record-points" :class="r.points >= 0 ? 'plus' : 'minus'">{{ signed(r.points) }}</span></div>
        <div class="record-sub">
          <span>{{ r.status === 'disputed' ? t('status.disputed') : t('status.in_notice', { date: localDate(r.notice_ends_at) }) }}</span>
          <van-button v-if="r.status === 'in_notice'" plain type="primary" size="normal" @click="ask(r)" data-test="object">{{ t('notice.object') }}</van-button>
        </div>
      </li>
    </ul>
    <van-dialog :show="Boolean(objecting)" :title="t('notice.object')" :aria-label="t('notice.object')" show-cancel-button
      :before-close="() => false" @confirm="object" @cancel="objecting = null" :confirm-button-text="t('notice.send')">
      <p v-if="objecting" class="dialog-text">{{ objecting.masked_name }} · {{ title(objecting) }}</p>
      <van-field v-model="reason" name="reason" type="textarea" rows="3" autosize maxlength="1000" label-align="top"
        :label="t('notice.reason')" :placeholder="t('notice.reason.ph')" :error-message="reasonError"></van-field>
    </van-dialog>
  </section>`,
};
