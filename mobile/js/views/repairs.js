/* The reviewer's repair requests (信用修复申请) of my communities: the deduction, the resident's written
 * commitment, the volunteer hours they report next to the hours volunteering has verified since the record;
 * approve (the deduction is given back) or reject with a reason the resident reads. */
import { newIdempotencyKey } from "/webcommon/api.js";
import { addTexts, localDate, prefs, t } from "../i18n.js";
import { api, flash } from "../session.js";
import { ErrorBox, message } from "../ui.js";
import { onMounted, ref, watch } from "../vue.js";

addTexts({
  "zh-CN": {
    "tab.repairs": "修复",
    "repairs.title": "信用修复申请",
    "repairs.none": "没有待审核的修复申请",
    "repairs.record": "{date} 的扣分，{final} 生效",
    "repairs.commitment": "信用承诺",
    "repairs.hours": "志愿服务：本人填报 {claimed} 小时，系统核实 {verified} 小时（记录之后）",
    "repairs.hours.short": "核实的志愿服务时长少于本人填报，请核对。",
    "repairs.asked": "{date} 申请",
    "repairs.approve": "同意修复",
    "repairs.reject": "不同意",
    "repairs.approve.text": "同意后，这条扣分会还给居民，记录显示为“已修复”。",
    "repairs.reject.text": "请写明不同意的理由，居民能看到。",
    "repairs.note": "审核意见（可不填）",
    "repairs.approved": "已同意修复，扣分已还给居民",
    "repairs.rejected": "已驳回修复申请",
  },
  en: {
    "tab.repairs": "Repairs",
    "repairs.title": "Repair requests",
    "repairs.none": "No repair request to review",
    "repairs.record": "Deduction of {date}, final {final}",
    "repairs.commitment": "Commitment",
    "repairs.hours": "Volunteering: {claimed} h reported, {verified} h verified since the record",
    "repairs.hours.short": "Fewer verified volunteer hours than reported: please check.",
    "repairs.asked": "Asked {date}",
    "repairs.approve": "Approve repair",
    "repairs.reject": "Reject",
    "repairs.approve.text": "When approved, the deduction is given back and the record shows as repaired.",
    "repairs.reject.text": "Say why; the resident can read it.",
    "repairs.note": "Note (optional)",
    "repairs.approved": "Repair approved; the deduction is given back",
    "repairs.rejected": "Repair request rejected",
  },
});

export const RepairQueue = {
  components: { ErrorBox },
  setup() {
    const repairs = ref(null);
    const error = ref(null);
    const deciding = ref(null); //: { repair, approve }
    const reason = ref("");
    const reasonError = ref("");
    const busy = ref(false);
    const keys = {}; //: repair id → Idempotency-Key of its approval (kept for a retry)
    async function load() {
      error.value = null;
      try { repairs.value = (await api.get("/repairs", { query: { status: "pending", per_page: 50 } })).items; } catch (err) { error.value = err; }
    }
    function ask(repair, approve) { deciding.value = { repair, approve }; reason.value = ""; reasonError.value = ""; }
    async function decide() {
      const { repair, approve } = deciding.value;
      const text = reason.value.trim();
      if (!approve && !text) { reasonError.value = t("review.reason.missing"); return; }
      busy.value = true;
      try {
        if (approve) {
          keys[repair.id] = keys[repair.id] || newIdempotencyKey();
          await api.post(`/repairs/${repair.id}/approve`, text ? { note: text } : {}, { idempotencyKey: keys[repair.id] });
        } else {
          await api.post(`/repairs/${repair.id}/reject`, { reason: text });
        }
        deciding.value = null;
        flash(t(approve ? "repairs.approved" : "repairs.rejected"));
        await load();
      } catch (err) {
        reasonError.value = message(err);
      } finally {
        busy.value = false;
      }
    }
    watch(reason, () => { reasonError.value = ""; });
    onMounted(load);
    const title = (r) => (prefs.lang === "en" ? r.title_en || r.title_zh : r.title_zh);
    const short = (r) => r.verified_volunteer_hours !== null && r.verified_volunteer_hours < r.volunteer_hours;
    return { t, repairs, error, deciding, reason, reasonError, busy, ask, decide, title, short, localDate };
  },
  template: `
  <section class="screen repairs">
    <h1>{{ t('repairs.title') }}</h1>
    <error-box :error="error"></error-box>
    <van-loading v-if="!repairs && !error" class="loading" size="32">{{ t('common.loading') }}</van-loading>
    <van-empty v-if="repairs && !repairs.length" :description="t('repairs.none')"></van-empty>
    <article v-for="r in repairs || []" :key="r.id" class="review-card" :data-test="'repair-' + r.id">
      <div class="record-main"><span class="record-title">{{ r.resident_name }} · {{ title(r.record) }}</span>
        <span class="record-points minus">{{ r.record.points }}</span></div>
      <p class="record-sub">{{ t('repairs.record', { date: localDate(r.record.occurred_at), final: localDate(r.record.finalised_at) }) }}</p>
      <p class="review-label">{{ t('repairs.commitment') }}</p>
      <blockquote class="commitment" data-test="commitment">{{ r.commitment }}</blockquote>
      <p data-test="hours">{{ t('repairs.hours', { claimed: r.volunteer_hours, verified: r.verified_volunteer_hours ?? '—' }) }}</p>
      <p v-if="short(r)" class="overdue">{{ t('repairs.hours.short') }}</p>
      <p class="record-sub">{{ t('repairs.asked', { date: localDate(r.created_at) }) }}</p>
      <div class="review-actions">
        <van-button type="primary" size="large" @click="ask(r, true)" data-test="approve">{{ t('repairs.approve') }}</van-button>
        <van-button plain type="danger" size="large" @click="ask(r, false)" data-test="reject">{{ t('repairs.reject') }}</van-button>
      </div>
    </article>
    <van-dialog :show="Boolean(deciding)" :title="deciding ? t(deciding.approve ? 'repairs.approve' : 'repairs.reject') : ''"
      :aria-label="t('repairs.title')" show-cancel-button :before-close="() => false" @confirm="decide"
      @cancel="deciding = null" :confirm-button-text="deciding ? t(deciding.approve ? 'repairs.approve' : 'repairs.reject') : ''"
      :confirm-button-disabled="busy">
      <p v-if="deciding" class="dialog-text">{{ t(deciding.approve ? 'repairs.approve.text' : 'repairs.reject.text') }}</p>
      <van-field v-model="reason" name="reason" type="textarea" rows="3" autosize maxlength="500" label-align="top"
        :label="deciding && deciding.approve ? t('repairs.note') : t('review.reason')" :placeholder="t('review.reason.ph')"
        :error-message="reasonError"></van-field>
    </van-dialog>
  </section>`,
};
