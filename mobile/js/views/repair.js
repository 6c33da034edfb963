/* Credit repair (信用修复), the resident's side: which final deduction may be repaired and from which day
 * (the district's local time), apply with a written commitment, and my requests with their outcome. */
import { addTexts, localDate, prefs, t } from "../i18n.js";
import { api, flash } from "../session.js";
import { ErrorBox, message } from "../ui.js";
import { onMounted, ref, watch } from "../vue.js";

addTexts({
  "zh-CN": {
    "repair.menu": "信用修复",
    "repair.title": "信用修复",
    "repair.intro": "已生效的一般扣分记录，等待期满后可以申请修复。写下您的信用承诺，社区书记审核通过后，扣掉的信用分会还给您。严重失信记录不能修复。",
    "repair.options": "我的扣分记录",
    "repair.none": "您没有需要修复的扣分记录",
    "repair.when": "记录日期：{date}",
    "repair.can": "现在可以申请修复",
    "repair.from": "可于 {date} 起申请修复",
    "repair.pending": "修复申请审核中",
    "repair.objection": "这条记录的异议还在处理，处理完后才能申请",
    "repair.serious": "严重失信记录，不能修复",
    "repair.apply": "申请修复",
    "repair.commitment": "我的信用承诺",
    "repair.commitment.ph": "写下您改正了什么、今后怎么做（至少10个字）",
    "repair.commitment.missing": "请写下您的信用承诺。",
    "repair.commitment.short": "信用承诺至少写10个字。",
    "repair.hours": "志愿服务小时数",
    "repair.hours.need": "修复需要记录之后至少 {n} 小时志愿服务。",
    "repair.send": "提交申请",
    "repair.sent": "修复申请已提交，请等待审核",
    "repair.mine": "我的修复申请",
    "repair.status.pending": "审核中",
    "repair.status.approved": "已修复",
    "repair.status.rejected": "未通过",
    "repair.asked": "{date} 申请",
    "repair.decision": "审核意见：{note}",
  },
  en: {
    "repair.menu": "Credit repair",
    "repair.title": "Credit repair",
    "repair.intro": "A minor deduction that is final can be repaired once its waiting period is over. Write your commitment; when the village secretary approves it, the points of score come back. Serious records cannot be repaired.",
    "repair.options": "My deductions",
    "repair.none": "You have no deduction to repair",
    "repair.when": "Recorded {date}",
    "repair.can": "You can apply for repair now",
    "repair.from": "You can apply from {date}",
    "repair.pending": "Your repair request is being reviewed",
    "repair.objection": "An objection to this record is still open; apply when it is decided",
    "repair.serious": "A serious record: it cannot be repaired",
    "repair.apply": "Apply for repair",
    "repair.commitment": "My commitment",
    "repair.commitment.ph": "What you put right and what you will do from now on (at least 10 characters)",
    "repair.commitment.missing": "Please write your commitment.",
    "repair.commitment.short": "The commitment needs at least 10 characters.",
    "repair.hours": "Volunteer hours",
    "repair.hours.need": "Repair needs at least {n} volunteer hours since the record.",
    "repair.send": "Send the request",
    "repair.sent": "Repair request sent; it will be reviewed",
    "repair.mine": "My repair requests",
    "repair.status.pending": "Being reviewed",
    "repair.status.approved": "Repaired",
    "repair.status.rejected": "Not approved",
    "repair.asked": "Asked {date}",
    "repair.decision": "Reviewer's note: {note}",
  },
});

const ZONE = "Asia/Shanghai";
const REPAIR_TAGS = { pending: "warning", approved: "success", rejected: "default" };
const BLOCKED = { repair_pending: "repair.pending", objection_open: "repair.objection",
  serious_not_repairable: "repair.serious" };

/* The earliest moment, to the minute, in the district's time: "2027年3月1日 15:00". */
function localMoment(iso) {
  return new Date(iso).toLocaleString(prefs.lang === "en" ? "en-GB" : "zh-CN", {
    timeZone: ZONE, year: "numeric", month: "long", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

export const MyRepair = {
  components: { ErrorBox },
  setup() {
    const options = ref(null);
    const hoursNeeded = ref(0);
    const mine = ref([]);
    const error = ref(null);
    const applying = ref(null); //: the record being applied for
    const commitment = ref("");
    const hours = ref("");
    const formError = ref("");
    const busy = ref(false);

    async function load() {
      error.value = null;
      try {
        const [found, requests] = await Promise.all([api.get("/me/repair-options"),
          api.get("/me/repairs", { query: { per_page: 50 } })]);
        options.value = found.items;
        hoursNeeded.value = found.volunteer_hours_required;
        mine.value = requests.items;
      } catch (err) {
        error.value = err;
      }
    }
    function open(option) { applying.value = option; commitment.value = ""; hours.value = ""; formError.value = ""; }
    async function send() {
      const text = commitment.value.trim();
      if (!text) { formError.value = t("repair.commitment.missing"); return; }
      if (text.length < 10) { formError.value = t("repair.commitment.short"); return; }
      const body = { record_id: applying.value.record_id, commitment: text };
      if (hoursNeeded.value) body.volunteer_hours = Number(hours.value) || 0;
      busy.value = true;
      try {
        await api.post("/repairs", body);
        applying.value = null;
        flash(t("repair.sent"));
        await load();
      } catch (err) {
        formError.value = message(err);
      } finally {
        busy.value = false;
      }
    }
    watch([commitment, hours], () => { formError.value = ""; });
    onMounted(load);
    const title = (r) => (prefs.lang === "en" ? r.title_en || r.title_zh : r.title_zh);
    const state = (o) => (o.can_apply ? t("repair.can")
      : o.blocked_by === "repair_too_early" ? t("repair.from", { date: localMoment(o.repair_from) })
        : t(BLOCKED[o.blocked_by] || "repair.serious"));
    return { t, options, hoursNeeded, mine, error, applying, commitment, hours, formError, busy, load, open, send,
      title, state, localDate, REPAIR_TAGS };
  },
  template: `
  <section class="screen repair">
    <h1>{{ t('repair.title') }}</h1>
    <p class="intro">{{ t('repair.intro') }}</p>
    <error-box :error="error"></error-box>
    <van-loading v-if="!options && !error" class="loading" size="32">{{ t('common.loading') }}</van-loading>
    <h2 v-if="options">{{ t('repair.options') }}</h2>
    <van-empty v-if="options && !options.length" :description="t('repair.none')"></van-empty>
    <ul class="records">
      <li v-for="o in options || []" :key="o.record_id" class="record" :data-test="'repair-option-' + o.record_id">
        <div class="record-main"><span class="record-title">{{ title(o) }}</span><span class="record-points minus">{{ o.points }}</span></div>
        <p class="record-line">{{ t('repair.when', { date: localDate(o.occurred_at) }) }}</p>
        <p class="record-line" :class="o.can_apply ? 'ok-line' : 'wait-line'" data-test="repair-state">{{ state(o) }}</p>
        <van-button v-if="o.can_apply" block type="primary" size="large" @click="open(o)" data-test="repair-apply">{{ t('repair.apply') }}</van-button>
      </li>
    </ul>
    <template v-if="mine.length">
      <h2>{{ t('repair.mine') }}</h2>
      <ul class="records">
        <li v-for="r in mine" :key="r.id" class="record" :data-test="'my-repair-' + r.id">
          <div class="record-main"><span class="record-title">{{ title(r.record) }}</span>
            <van-tag :type="REPAIR_TAGS[r.status] || 'default'" size="large">{{ t('repair.status.' + r.status) }}</van-tag></div>
          <p class="record-line">{{ t('repair.asked', { date: localDate(r.created_at) }) }}</p>
          <p class="record-line quote">“{{ r.commitment }}”</p>
          <p v-if="r.decision_note" class="record-line">{{ t('repair.decision', { note: r.decision_note }) }}</p>
        </li>
      </ul>
    </template>
    <van-dialog :show="Boolean(applying)" :title="t('repair.apply')" :aria-label="t('repair.apply')" show-cancel-button
      :before-close="() => false" @confirm="send" @cancel="applying = null" :confirm-button-text="t('repair.send')"
      :confirm-button-disabled="busy">
      <p v-if="applying" class="dialog-text">{{ title(applying) }} ({{ applying.points }})</p>
      <van-field v-model="commitment" name="commitment" type="textarea" rows="4" autosize maxlength="2000" label-align="top"
        :label="t('repair.commitment')" :placeholder="t('repair.commitment.ph')" :error-message="formError"></van-field>
      <template v-if="hoursNeeded">
        <p class="dialog-text">{{ t('repair.hours.need', { n: hoursNeeded }) }}</p>
        <van-field v-model="hours" name="volunteer_hours" type="digit" inputmode="numeric" :label="t('repair.hours')"></van-field>
      </template>
    </van-dialog>
  </section>`,
};
