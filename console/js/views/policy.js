/* The district's credit policy: star thresholds, notice and objection days, points' life, merchant discount
 * bounds and caps. A change is a new version from a moment on (never in the past); every version is kept. */
import { addTexts, localTime, messageOf, t } from "../i18n.js";
import { formErrors } from "../forms.js";
import { api } from "../session.js";
import { computed, ElMessage, onMounted, reactive, ref, watch } from "../vue.js";

addTexts({
  "zh-CN": {
    "menu.policy": "信用政策", "pol.current": "现行政策（第 {n} 版）", "pol.defaults": "系统默认政策（尚未保存过版本）",
    "pol.since": "{at} 起生效", "pol.edit": "修改政策（新版本）", "pol.versions": "历史版本",
    "pol.base": "基础分", "pol.stars": "星级门槛", "pol.star": "{n}星", "pol.starsHelp": "1 至 5 星的最低信用分，须逐级递增",
    "pol.notice": "公示天数", "pol.objection": "异议答复期限（天）", "pol.repairWait": "修复等待天数",
    "pol.repairHours": "修复所需志愿时长（小时）", "pol.life": "积分有效期（天）", "pol.negatives": "扣分同时扣积分",
    "pol.bounds": "商家折扣范围", "pol.boundsHelp": "每个星级的最低与最高折扣（%）；不填的星级不享受折扣",
    "pol.min": "最低 %", "pol.max": "最高 %", "pol.noDiscount": "无折扣", "pol.levels": "商家等级门槛",
    "pol.perSale": "每笔优惠商家得分", "pol.dailyCap": "商家每日得分笔数上限", "pol.effective": "生效时间",
    "pol.effectiveHelp": "不填则立即生效；不能早于现在。", "pol.note": "修改说明", "pol.saved": "已保存为第 {n} 版",
    "pol.version": "版本", "pol.by": "修改人", "pol.days": "{n} 天", "pol.yes": "是", "pol.no": "否",
    "pol.starsShort": "星级门槛", "pol.boundsShort": "折扣范围",
  },
  en: {
    "menu.policy": "Credit policy", "pol.current": "Policy in force (version {n})", "pol.defaults": "Built-in defaults (no version saved yet)",
    "pol.since": "in force since {at}", "pol.edit": "Change the policy (new version)", "pol.versions": "Versions",
    "pol.base": "Base score", "pol.stars": "Star thresholds", "pol.star": "{n}★", "pol.starsHelp": "Lowest score for 1 to 5 stars, each higher than the one before",
    "pol.notice": "Notice days", "pol.objection": "Objection answer within (days)", "pol.repairWait": "Repair waiting days",
    "pol.repairHours": "Volunteer hours for a repair", "pol.life": "Points expire after (days)", "pol.negatives": "Bad records also take points",
    "pol.bounds": "Merchant discount bounds", "pol.boundsHelp": "Lowest and highest discount (%) per star level; a level left empty gets no discount",
    "pol.min": "Min %", "pol.max": "Max %", "pol.noDiscount": "No discount", "pol.levels": "Merchant level thresholds",
    "pol.perSale": "Merchant credit per discount", "pol.dailyCap": "Credited discounts per merchant a day", "pol.effective": "Effective from",
    "pol.effectiveHelp": "Empty: at once. Never in the past.", "pol.note": "Why the change", "pol.saved": "Saved as version {n}",
    "pol.version": "Version", "pol.by": "By", "pol.days": "{n} days", "pol.yes": "Yes", "pol.no": "No",
    "pol.starsShort": "Star thresholds", "pol.boundsShort": "Discount bounds",
  },
});

const NUMBERS = ["base_score", "notice_days", "objection_deadline_days", "repair_wait_days", "repair_volunteer_hours",
  "points_life_days", "merchant_points_per_sale", "merchant_daily_cap"];

function formOf(policy) {
  const form = { star_thresholds: [...policy.star_thresholds], negatives_take_points: policy.negatives_take_points,
    merchant_level_thresholds: { ...policy.merchant_level_thresholds }, effective_from: null, note: "", bounds: {} };
  for (const name of NUMBERS) form[name] = policy[name];
  for (const stars of [1, 2, 3, 4, 5]) {
    const pair = policy.discount_bounds[String(stars)];
    form.bounds[stars] = { on: Boolean(pair), min: pair ? pair.min_percent : 0, max: pair ? pair.max_percent : 0 };
  }
  return form;
}

export const PolicyView = {
  setup() {
    const policy = ref(null);
    const versions = ref([]);
    const total = ref(0);
    const page = ref(1);
    const loading = ref(false);
    const error = ref("");
    const editing = reactive({ open: false, busy: false, form: null });
    const errors = formErrors();
    watch(() => JSON.stringify(editing.form), () => errors.clear());

    async function loadVersions(to = 1) {
      page.value = to;
      const answer = await api.get("/policy/versions", { query: { page: to, per_page: 10 } });
      versions.value = answer.items;
      total.value = answer.total;
    }
    async function load() {
      loading.value = true;
      error.value = "";
      try {
        policy.value = await api.get("/policy");
        await loadVersions(1);
      } catch (err) {
        error.value = messageOf(err);
      } finally {
        loading.value = false;
      }
    }
    onMounted(load);

    const bounds = (p) => Object.entries(p.discount_bounds).map(([stars, b]) => `${stars}★ ${b.min_percent}–${b.max_percent}%`).join("，") || t("pol.noDiscount");
    const levels = (p) => Object.entries(p.merchant_level_thresholds).map(([level, score]) => `${level} ≥ ${score}`).join("，");
    const facts = computed(() => {
      const p = policy.value;
      if (!p) return [];
      return [
        [t("pol.stars"), p.star_thresholds.map((score, i) => `${t("pol.star", { n: i + 1 })} ≥ ${score}`).join("，")],
        [t("pol.base"), p.base_score], [t("pol.notice"), t("pol.days", { n: p.notice_days })],
        [t("pol.objection"), t("pol.days", { n: p.objection_deadline_days })],
        [t("pol.repairWait"), t("pol.days", { n: p.repair_wait_days })], [t("pol.repairHours"), p.repair_volunteer_hours],
        [t("pol.life"), t("pol.days", { n: p.points_life_days })], [t("pol.negatives"), p.negatives_take_points ? t("pol.yes") : t("pol.no")],
        [t("pol.bounds"), bounds(p)], [t("pol.levels"), levels(p)], [t("pol.perSale"), p.merchant_points_per_sale],
        [t("pol.dailyCap"), p.merchant_daily_cap],
      ];
    });

    function openEdit() {
      errors.clear();
      Object.assign(editing, { open: true, busy: false, form: formOf(policy.value) });
    }
    async function save() {
      const form = editing.form;
      const body = { star_thresholds: form.star_thresholds.map(Number), negatives_take_points: form.negatives_take_points,
        merchant_level_thresholds: form.merchant_level_thresholds, discount_bounds: {} };
      for (const name of NUMBERS) body[name] = form[name];
      for (const [stars, pair] of Object.entries(form.bounds)) {
        if (pair.on) body.discount_bounds[stars] = { min_percent: pair.min, max_percent: pair.max };
      }
      if (form.effective_from) body.effective_from = new Date(form.effective_from).toISOString().replace(/\.\d+Z$/, "Z");
      if (form.note.trim()) body.note = form.note.trim();
      editing.busy = true;
      try {
        const saved = await api.put("/policy", body);
        editing.open = false;
        ElMessage.success(t("pol.saved", { n: saved.version }));
        await load();
      } catch (err) {
        errors.show(err);
      } finally {
        editing.busy = false;
      }
    }
    return { policy, versions, total, page, loading, error, editing, errors, facts, bounds, loadVersions, openEdit, save,
      t, localTime };
  },
  template: `
  <section class="policy" v-loading="loading">
    <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="page-error" />
    <el-card v-if="policy" shadow="never" class="policy-card" data-test="policy-current">
      <template #header><div class="card-head">
        <span><strong>{{ policy.version ? t('pol.current', { n: policy.version }) : t('pol.defaults') }}</strong>
          <span v-if="policy.effective_from" class="muted"> · {{ t('pol.since', { at: localTime(policy.effective_from) }) }}</span></span>
        <el-button type="primary" @click="openEdit" data-test="policy-edit">{{ t('pol.edit') }}</el-button></div></template>
      <el-descriptions :column="2" border>
        <el-descriptions-item v-for="[label, value] in facts" :key="label" :label="label">{{ value }}</el-descriptions-item>
      </el-descriptions>
    </el-card>
    <h2 class="section-title">{{ t('pol.versions') }}</h2>
    <el-table :data="versions" stripe border row-key="id" data-table="policy-versions">
      <el-table-column :label="t('pol.version')" width="80"><template #default="{ row }">v{{ row.version }}</template></el-table-column>
      <el-table-column :label="t('pol.effective')" width="160"><template #default="{ row }">{{ localTime(row.effective_from) }}</template></el-table-column>
      <el-table-column :label="t('pol.starsShort')" width="190"><template #default="{ row }">{{ row.star_thresholds.join(' / ') }}</template></el-table-column>
      <el-table-column :label="t('pol.notice')" width="90" prop="notice_days" />
      <el-table-column :label="t('pol.life')" width="120" prop="points_life_days" />
      <el-table-column :label="t('pol.boundsShort')" min-width="200"><template #default="{ row }">{{ bounds(row) }}</template></el-table-column>
      <el-table-column :label="t('pol.note')" min-width="160" prop="note" />
      <el-table-column :label="t('pol.by')" width="140" prop="created_by" />
    </el-table>
    <el-pagination v-if="total > 10" layout="prev, pager, next" :total="total" :page-size="10" :current-page="page" @current-change="loadVersions" class="pager" />

    <el-dialog v-model="editing.open" :title="t('pol.edit')" width="760px" top="4vh">
      <el-form v-if="editing.form" label-width="200px" @submit.prevent="save">
        <el-form-item :label="t('pol.stars')" :error="errors.fields.star_thresholds">
          <div class="stars-row">
            <label v-for="(score, i) in editing.form.star_thresholds" :key="i" class="star-input">
              <span>{{ t('pol.star', { n: i + 1 }) }}</span>
              <el-input-number v-model="editing.form.star_thresholds[i]" :min="0" :max="100000" :controls="false" :data-star="i + 1" :aria-label="t('pol.star', { n: i + 1 })" />
            </label>
          </div>
          <span class="field-help">{{ t('pol.starsHelp') }}</span>
        </el-form-item>
        <el-form-item :label="t('pol.base')" :error="errors.fields.base_score"><el-input-number v-model="editing.form.base_score" :min="0" :max="100000" :aria-label="t('pol.base')" /></el-form-item>
        <el-form-item :label="t('pol.notice')" :error="errors.fields.notice_days"><el-input-number v-model="editing.form.notice_days" :min="0" :max="90" :aria-label="t('pol.notice')" data-test="policy-notice" /></el-form-item>
        <el-form-item :label="t('pol.objection')" :error="errors.fields.objection_deadline_days"><el-input-number v-model="editing.form.objection_deadline_days" :min="1" :max="365" :aria-label="t('pol.objection')" /></el-form-item>
        <el-form-item :label="t('pol.repairWait')" :error="errors.fields.repair_wait_days"><el-input-number v-model="editing.form.repair_wait_days" :min="0" :max="3650" :aria-label="t('pol.repairWait')" /></el-form-item>
        <el-form-item :label="t('pol.repairHours')" :error="errors.fields.repair_volunteer_hours"><el-input-number v-model="editing.form.repair_volunteer_hours" :min="0" :max="1000" :aria-label="t('pol.repairHours')" /></el-form-item>
        <el-form-item :label="t('pol.life')" :error="errors.fields.points_life_days"><el-input-number v-model="editing.form.points_life_days" :min="1" :max="36500" :aria-label="t('pol.life')" /></el-form-item>
        <el-form-item :label="t('pol.negatives')"><el-switch v-model="editing.form.negatives_take_points" :aria-label="t('pol.negatives')" /></el-form-item>
        <el-form-item :label="t('pol.bounds')" :error="errors.fields.discount_bounds">
          <div class="bounds">
            <div v-for="stars in [1, 2, 3, 4, 5]" :key="stars" class="bound-row">
              <el-checkbox v-model="editing.form.bounds[stars].on" :label="t('pol.star', { n: stars })" />
              <template v-if="editing.form.bounds[stars].on">
                <el-input-number v-model="editing.form.bounds[stars].min" :min="0" :max="100" size="small" :aria-label="t('pol.star', { n: stars }) + ' ' + t('pol.min')" />
                <span>–</span>
                <el-input-number v-model="editing.form.bounds[stars].max" :min="0" :max="100" size="small" :aria-label="t('pol.star', { n: stars }) + ' ' + t('pol.max')" /> %
              </template>
              <span v-else class="muted">{{ t('pol.noDiscount') }}</span>
            </div>
          </div>
          <span class="field-help">{{ t('pol.boundsHelp') }}</span>
        </el-form-item>
        <el-form-item :label="t('pol.levels')" :error="errors.fields.merchant_level_thresholds">
          <div class="stars-row">
            <label v-for="level in ['A', 'B', 'C', 'D']" :key="level" class="star-input"><span>{{ level }}</span>
              <el-input-number v-model="editing.form.merchant_level_thresholds[level]" :controls="false" :aria-label="t('pol.levels') + ' ' + level" /></label>
          </div>
        </el-form-item>
        <el-form-item :label="t('pol.perSale')" :error="errors.fields.merchant_points_per_sale"><el-input-number v-model="editing.form.merchant_points_per_sale" :min="1" :max="1000" :aria-label="t('pol.perSale')" /></el-form-item>
        <el-form-item :label="t('pol.dailyCap')" :error="errors.fields.merchant_daily_cap"><el-input-number v-model="editing.form.merchant_daily_cap" :min="0" :max="1000" :aria-label="t('pol.dailyCap')" /></el-form-item>
        <el-form-item :label="t('pol.effective')" for="policy-effective" :error="errors.fields.effective_from">
          <el-date-picker id="policy-effective" v-model="editing.form.effective_from" type="datetime" data-test="policy-effective" />
          <span class="field-help">{{ t('pol.effectiveHelp') }}</span></el-form-item>
        <el-form-item :label="t('pol.note')" for="policy-note" :error="errors.fields.note"><el-input id="policy-note" v-model="editing.form.note" maxlength="200" data-test="policy-note" /></el-form-item>
      </el-form>
      <p v-if="errors.message" class="form-error" role="alert" data-test="policy-error">{{ errors.message }}</p>
      <template #footer>
        <el-button @click="editing.open = false">{{ t('common.cancel') }}</el-button>
        <el-button type="primary" :loading="editing.busy" @click="save" data-test="policy-save">{{ t('common.save') }}</el-button>
      </template>
    </el-dialog>
  </section>`,
};
