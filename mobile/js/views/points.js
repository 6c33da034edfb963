/* My points history (积分明细): each movement says what it was for (the rule, the volunteer activity, the
 * supermarket and its goods, the staff's reason), the points in or out, the balance it left and the local
 * day; older pages come with "more". */
import { addTexts, localDate, prefs, t } from "../i18n.js";
import { api } from "../session.js";
import { ErrorBox } from "../ui.js";
import { onMounted, ref } from "../vue.js";

addTexts({
  "zh-CN": {
    "points.menu": "积分明细",
    "points.title": "积分明细",
    "points.balance": "现有积分",
    "points.none": "还没有积分变动",
    "points.after": "结余 {n} 积分",
    "points.more": "查看更早的记录",
    "points.end": "没有更早的记录了",
    "points.kind.credit_award": "信用加分奖励",
    "points.kind.credit_penalty": "信用扣分",
    "points.kind.redemption": "信用超市兑换",
    "points.kind.redemption_refund": "兑换取消，积分退回",
    "points.kind.reversal": "更正，积分退回",
    "points.kind.expiry": "积分到期",
    "points.kind.adjustment": "工作人员调整",
    "points.refund": "退回：{what}",
    "points.correction": "更正：{what}",
  },
  en: {
    "points.menu": "Points history",
    "points.title": "Points history",
    "points.balance": "Points now",
    "points.none": "No points movements yet",
    "points.after": "{n} left",
    "points.more": "Show older entries",
    "points.end": "No older entries",
    "points.kind.credit_award": "Points for a good record",
    "points.kind.credit_penalty": "Deduction",
    "points.kind.redemption": "Credit supermarket",
    "points.kind.redemption_refund": "Order cancelled, points back",
    "points.kind.reversal": "Correction, points back",
    "points.kind.expiry": "Points expired",
    "points.kind.adjustment": "Adjusted by staff",
    "points.refund": "Back: {what}",
    "points.correction": "Correction: {what}",
  },
});

const PAGE = 20;

export const PointsHistory = {
  components: { ErrorBox },
  setup() {
    const lines = ref([]);
    const balance = ref(null);
    const total = ref(0);
    const page = ref(0);
    const busy = ref(false);
    const error = ref(null);

    async function more() {
      busy.value = true;
      error.value = null;
      try {
        const answer = await api.get("/me/ledger", { query: { page: page.value + 1, per_page: PAGE } });
        if (page.value === 0) balance.value = answer.balance;
        const seen = new Set(lines.value.map((line) => line.id)); // a new movement shifts the pages by one
        lines.value = [...lines.value, ...answer.items.filter((line) => !seen.has(line.id))];
        total.value = answer.total;
        page.value += 1;
      } catch (err) {
        error.value = err;
      } finally {
        busy.value = false;
      }
    }
    onMounted(more);

    const kindText = (kind) => t("points.kind." + kind);
    /* the words of what it was for; a line with nothing more to say shows its kind */
    function what(line) {
      const text = prefs.lang === "en" ? line.for_en || line.for_zh : line.for_zh;
      if (!text) return kindText(line.kind);
      if (line.kind === "redemption_refund") return t("points.refund", { what: text });
      if (line.kind === "reversal") return t("points.correction", { what: text });
      return text;
    }
    const sub = (line) => (line.for_zh ? kindText(line.kind) + " · " : "") + localDate(line.created_at);
    const signed = (n) => (n > 0 ? "+" + n : "−" + Math.abs(n));
    return { t, lines, balance, total, page, busy, error, more, what, sub, signed };
  },
  template: `
  <section class="screen points-history">
    <h1>{{ t('points.title') }}</h1>
    <error-box :error="error"></error-box>
    <div v-if="balance !== null" class="balance-line"><span>{{ t('points.balance') }}</span><strong data-test="balance">{{ balance }}</strong></div>
    <van-loading v-if="balance === null && !error" class="loading" size="32">{{ t('common.loading') }}</van-loading>
    <van-empty v-if="balance !== null && !lines.length" :description="t('points.none')"></van-empty>
    <ul class="records">
      <li v-for="line in lines" :key="line.id" class="record" :data-test="'points-line-' + line.id">
        <div class="record-main"><span class="record-title">{{ what(line) }}</span>
          <span class="record-points" :class="line.delta >= 0 ? 'plus' : 'minus'">{{ signed(line.delta) }}</span></div>
        <div class="record-sub"><span>{{ sub(line) }}</span><span class="after">{{ t('points.after', { n: line.balance_after }) }}</span></div>
      </li>
    </ul>
    <div v-if="lines.length" class="actions">
      <van-button v-if="lines.length < total" block plain type="primary" size="large" :loading="busy" @click="more"
        data-test="more">{{ t('points.more') }}</van-button>
      <p v-else class="hint end-line">{{ t('points.end') }}</p>
    </div>
  </section>`,
};
