/* The rule catalogue (村规民约): items by category, good (+) and bad (−), caps and evidence; a change is a
 * new version from a date (past records keep the version of their day), and every item shows its history. */
import { addTexts, localName, localTime, messageOf, prefs, t } from "../i18n.js";
import { exportList, formErrors } from "../forms.js";
import { api, hasRole } from "../session.js";
import { computed, ElMessage, onMounted, reactive, ref, watch } from "../vue.js";

addTexts({
  "zh-CN": {
    "menu.catalogue": "信用事项", "cat.scope": "范围", "cat.scope.district": "全区", "cat.scope.town": "镇街",
    "cat.scope.community": "村社区", "cat.category": "类别", "cat.kind": "加分/扣分", "cat.good": "加分", "cat.bad": "扣分",
    "cat.active": "状态", "cat.activeOn": "启用", "cat.activeOff": "停用", "cat.code": "代码", "cat.title": "事项",
    "cat.points": "分值", "cat.cap": "上限", "cat.evidence": "需证据", "cat.severity": "严重程度", "cat.version": "版本",
    "cat.effective": "生效日期", "cat.history": "历史版本", "cat.change": "修改（新版本）", "cat.new": "新增事项",
    "cat.empty": "没有符合条件的事项", "cat.noCap": "不限", "cat.capText": "每{period} {n} 次",
    "cat.period.day": "天", "cat.period.week": "周", "cat.period.month": "月", "cat.period.quarter": "季度", "cat.period.year": "年",
    "cat.minor": "轻微", "cat.serious": "严重", "cat.yes": "是", "cat.no": "否", "cat.titleZh": "事项（中文）",
    "cat.titleEn": "事项（英文）", "cat.capCount": "上限次数", "cat.capPeriod": "上限周期", "cat.variable": "分值可调",
    "cat.note": "修改说明", "cat.effectiveHelp": "新版本从这一天起用于新登记的记录；不能早于今天，也不能早于上一版本。",
    "cat.saved": "已保存为第 {n} 版，{date} 起生效", "cat.created": "已新增事项", "cat.historyOf": "“{title}”的历史版本",
    "cat.by": "修改人", "cat.at": "保存时间", "cat.inForce": "现行", "cat.future": "待生效", "cat.village": "村社区",
    "cat.pointsHelp": "加分事项填正数，扣分事项填负数",
    "cat.effectiveHelpNew": "从这一天起用于登记的记录（首个版本可以是过去的日期）。",
  },
  en: {
    "menu.catalogue": "Rule catalogue", "cat.scope": "Scope", "cat.scope.district": "District", "cat.scope.town": "Town",
    "cat.scope.community": "Village", "cat.category": "Category", "cat.kind": "Good/bad", "cat.good": "Good", "cat.bad": "Bad",
    "cat.active": "State", "cat.activeOn": "Active", "cat.activeOff": "Inactive", "cat.code": "Code", "cat.title": "Item",
    "cat.points": "Points", "cat.cap": "Cap", "cat.evidence": "Evidence", "cat.severity": "Severity", "cat.version": "Version",
    "cat.effective": "Effective from", "cat.history": "History", "cat.change": "Change (new version)", "cat.new": "New item",
    "cat.empty": "No item matches", "cat.noCap": "None", "cat.capText": "{n} a {period}",
    "cat.period.day": "day", "cat.period.week": "week", "cat.period.month": "month", "cat.period.quarter": "quarter", "cat.period.year": "year",
    "cat.minor": "Minor", "cat.serious": "Serious", "cat.yes": "Yes", "cat.no": "No", "cat.titleZh": "Item (Chinese)",
    "cat.titleEn": "Item (English)", "cat.capCount": "Cap (times)", "cat.capPeriod": "Cap period", "cat.variable": "Variable points",
    "cat.note": "Why the change", "cat.effectiveHelp": "The new version applies to deeds from this day on; not before today nor before the latest version.",
    "cat.saved": "Saved as version {n}, effective {date}", "cat.created": "Item added", "cat.historyOf": "Versions of “{title}”",
    "cat.by": "By", "cat.at": "Saved at", "cat.inForce": "In force", "cat.future": "Scheduled", "cat.village": "Village",
    "cat.pointsHelp": "Positive for good conduct, negative for bad",
    "cat.effectiveHelpNew": "Applies to deeds from this day on (the first version may start in the past).",
  },
});

/* Today in the district's calendar (UTC+8), as YYYY-MM-DD. */
function today() {
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

function blankItem() {
  return { code: "", scope: "district", community_id: null, title_zh: "", title_en: "", category: null, points: 5,
    cap_count: null, cap_period: null, evidence_required: false, severity: null, variable_points: false, active: true,
    effective_from: today(), note: "" };
}

export const CatalogueView = {
  setup() {
    const rows = ref([]);
    const total = ref(0);
    const page = ref(1);
    const categories = ref([]);
    const villages = ref([]);
    const filters = reactive({ scope: "", category: "", active: "" });
    const loading = ref(false);
    const error = ref("");
    const admin = computed(() => hasRole("district_admin"));
    const history = reactive({ open: false, item: null });
    const editing = reactive({ open: false, busy: false, item: null, form: blankItem() });
    const errors = formErrors();
    watch(() => ({ ...editing.form }), () => errors.clear());

    const shownFilters = () => ({ scope: filters.scope, category: filters.category, active: filters.active });
    async function load(to = 1) {
      page.value = to;
      loading.value = true;
      error.value = "";
      try {
        const query = { page: to, per_page: 20 };
        for (const [name, value] of Object.entries(shownFilters())) if (value !== "") query[name] = value;
        const answer = await api.get("/catalogue/items", { query });
        rows.value = answer.items;
        total.value = answer.total;
      } catch (err) {
        error.value = messageOf(err);
      } finally {
        loading.value = false;
      }
    }
    onMounted(async () => {
      load();
      try {
        categories.value = await api.get("/catalogue/categories");
        villages.value = (await api.get("/communities", { query: { per_page: 100 } })).items;
      } catch (err) { /* names only */ }
    });

    const title = (row) => (prefs.lang === "en" ? row.title_en || row.title_zh : row.title_zh);
    const cap = (row) => (row.cap_count ? t("cat.capText", { n: row.cap_count, period: t("cat.period." + row.cap_period) }) : t("cat.noCap"));
    const canEdit = (row) => admin.value || row.scope === "community";

    async function openHistory(row) {
      try {
        Object.assign(history, { open: true, item: await api.get(`/catalogue/items/${row.id}`) });
      } catch (err) {
        ElMessage.error({ message: messageOf(err), duration: 6000 });
      }
    }
    const versionState = (item, version) => {
      if (version.effective_from > today()) return "future";
      const inForce = item.versions.filter((v) => v.effective_from <= today())
        .sort((a, b) => (a.effective_from + a.version).localeCompare(b.effective_from + b.version)).pop();
      return inForce && inForce.id === version.id ? "now" : "past";
    };

    function openChange(row) {
      errors.clear();
      const form = blankItem();
      for (const name of Object.keys(form)) if (row[name] !== undefined && name !== "effective_from") form[name] = row[name];
      form.effective_from = row.effective_from > today() ? row.effective_from : today();
      Object.assign(editing, { open: true, busy: false, item: row, form });
    }
    function openCreate() {
      errors.clear();
      Object.assign(editing, { open: true, busy: false, item: null, form: blankItem() });
    }
    async function save() {
      const form = editing.form;
      const body = {};
      for (const name of ["title_zh", "title_en", "category", "points", "cap_count", "cap_period", "evidence_required",
        "severity", "variable_points", "active", "effective_from"]) body[name] = form[name];
      if (!body.cap_count) { body.cap_count = null; body.cap_period = null; }
      if (Number(body.points) > 0) body.severity = null;
      editing.busy = true;
      try {
        let saved;
        if (editing.item) {
          if (form.note.trim()) body.note = form.note.trim();
          saved = await api.put(`/catalogue/items/${editing.item.id}`, body);
          ElMessage.success(t("cat.saved", { n: saved.versions[saved.versions.length - 1].version,
            date: saved.versions[saved.versions.length - 1].effective_from }));
        } else {
          Object.assign(body, { code: form.code.trim(), scope: form.scope });
          if (form.scope === "community") body.community_id = form.community_id;
          saved = await api.post("/catalogue/items", body);
          ElMessage.success(t("cat.created"));
        }
        editing.open = false;
        await load(page.value);
        if (history.open && history.item && history.item.id === saved.id) history.item = saved;
      } catch (err) {
        errors.show(err);
      } finally {
        editing.busy = false;
      }
    }
    const exportXlsx = () => exportList("/catalogue/items", shownFilters(), `catalogue-items-${today()}.xlsx`);
    return { rows, total, page, categories, villages, filters, loading, error, admin, history, editing, errors,
      load, title, cap, canEdit, openHistory, versionState, openChange, openCreate, save, exportXlsx, t, localName,
      localTime, today };
  },
  template: `
  <section class="catalogue">
    <div class="toolbar">
      <el-select v-model="filters.scope" @change="load(1)" :aria-label="t('cat.scope')" :placeholder="t('cat.scope')" clearable style="width: 120px" data-test="filter-scope">
        <el-option v-for="s in ['district', 'town', 'community']" :key="s" :value="s" :label="t('cat.scope.' + s)" /></el-select>
      <el-select v-model="filters.category" @change="load(1)" :aria-label="t('cat.category')" :placeholder="t('cat.category')" clearable style="width: 150px" data-test="filter-category">
        <el-option v-for="c in categories" :key="c.code" :value="c.code" :label="localName(c, 'name')" /></el-select>
      <el-select v-model="filters.active" @change="load(1)" :aria-label="t('cat.active')" :placeholder="t('cat.active')" clearable style="width: 110px">
        <el-option :value="true" :label="t('cat.activeOn')" /><el-option :value="false" :label="t('cat.activeOff')" /></el-select>
      <el-button type="primary" @click="openCreate" data-test="cat-new">{{ t('cat.new') }}</el-button>
      <el-button @click="exportXlsx" data-test="export">{{ t('common.export') }}</el-button>
      <span class="count">{{ t('review.total', { n: total }) }}</span>
    </div>
    <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="page-error" />
    <el-table :data="rows" v-loading="loading" stripe border row-key="id" :empty-text="t('cat.empty')" data-table="catalogue">
      <el-table-column :label="t('cat.title')" min-width="220"><template #default="{ row }">{{ title(row) }}<span class="item-code">{{ row.code }}</span></template></el-table-column>
      <el-table-column :label="t('cat.category')" width="110"><template #default="{ row }">{{ localName(row, 'category') }}</template></el-table-column>
      <el-table-column :label="t('cat.points')" width="80" align="right"><template #default="{ row }">
        <span :class="row.points > 0 ? 'plus' : 'minus'">{{ row.points > 0 ? '+' + row.points : row.points }}</span></template></el-table-column>
      <el-table-column :label="t('cat.cap')" width="110"><template #default="{ row }">{{ cap(row) }}</template></el-table-column>
      <el-table-column :label="t('cat.evidence')" width="80"><template #default="{ row }">{{ row.evidence_required ? t('cat.yes') : t('cat.no') }}</template></el-table-column>
      <el-table-column :label="t('cat.severity')" width="90"><template #default="{ row }">{{ row.severity ? t('cat.' + row.severity) : '—' }}</template></el-table-column>
      <el-table-column :label="t('cat.scope')" width="80"><template #default="{ row }">{{ t('cat.scope.' + row.scope) }}</template></el-table-column>
      <el-table-column :label="t('cat.version')" width="150"><template #default="{ row }">v{{ row.version }} · {{ row.effective_from }}
        <el-tag v-if="!row.active" size="small" type="info">{{ t('cat.activeOff') }}</el-tag></template></el-table-column>
      <el-table-column :label="t('common.actions')" width="230"><template #default="{ row }">
        <el-button size="small" @click="openHistory(row)" :data-history="row.code">{{ t('cat.history') }}</el-button>
        <el-button v-if="canEdit(row)" size="small" type="primary" plain @click="openChange(row)" :data-change="row.code">{{ t('cat.change') }}</el-button>
      </template></el-table-column>
    </el-table>
    <el-pagination v-if="total > 20" layout="prev, pager, next" :total="total" :page-size="20" :current-page="page" @current-change="load" class="pager" />

    <el-drawer v-model="history.open" size="880px" :title="history.item ? t('cat.historyOf', { title: history.item.title_zh }) : ''">
      <el-table v-if="history.item" :data="[...history.item.versions].reverse()" border data-table="versions">
        <el-table-column :label="t('cat.version')" width="80"><template #default="{ row }">v{{ row.version }}</template></el-table-column>
        <el-table-column :label="t('cat.effective')" width="130"><template #default="{ row }">{{ row.effective_from }}
          <el-tag v-if="versionState(history.item, row) === 'now'" size="small" type="success">{{ t('cat.inForce') }}</el-tag>
          <el-tag v-else-if="versionState(history.item, row) === 'future'" size="small" type="warning">{{ t('cat.future') }}</el-tag></template></el-table-column>
        <el-table-column :label="t('cat.title')" min-width="150"><template #default="{ row }">{{ title(row) }}</template></el-table-column>
        <el-table-column :label="t('cat.points')" width="70" align="right"><template #default="{ row }">{{ row.points }}</template></el-table-column>
        <el-table-column :label="t('cat.cap')" width="100"><template #default="{ row }">{{ cap(row) }}</template></el-table-column>
        <el-table-column :label="t('cat.active')" width="70"><template #default="{ row }">{{ row.active ? t('cat.activeOn') : t('cat.activeOff') }}</template></el-table-column>
        <el-table-column :label="t('cat.at')" width="150"><template #default="{ row }">{{ localTime(row.created_at) }}</template></el-table-column>
        <el-table-column :label="t('cat.by')" width="100" prop="created_by" />
      </el-table>
    </el-drawer>

    <el-dialog v-model="editing.open" :title="editing.item ? t('cat.change') + ' · ' + editing.item.title_zh : t('cat.new')" width="680px">
      <el-form label-width="130px" @submit.prevent="save">
        <template v-if="!editing.item">
          <el-form-item :label="t('cat.code')" for="cat-code" :error="errors.fields.code">
            <el-input id="cat-code" v-model="editing.form.code" maxlength="64" placeholder="village_cleanup" data-test="cat-code" /></el-form-item>
          <el-form-item :label="t('cat.scope')" :error="errors.fields.scope || errors.fields.community_id">
            <el-radio-group v-model="editing.form.scope" :aria-label="t('cat.scope')">
              <el-radio v-if="admin" value="district">{{ t('cat.scope.district') }}</el-radio>
              <el-radio value="community">{{ t('cat.scope.community') }}</el-radio></el-radio-group>
            <el-select v-if="editing.form.scope === 'community'" v-model="editing.form.community_id" :aria-label="t('cat.village')" :placeholder="t('cat.village')" style="width: 160px; margin-left: 12px">
              <el-option v-for="v in villages" :key="v.id" :value="v.id" :label="localName(v, 'name')" /></el-select>
          </el-form-item>
        </template>
        <el-form-item :label="t('cat.titleZh')" for="cat-title-zh" :error="errors.fields.title_zh">
          <el-input id="cat-title-zh" v-model="editing.form.title_zh" maxlength="200" data-test="cat-title-zh" /></el-form-item>
        <el-form-item :label="t('cat.titleEn')" for="cat-title-en" :error="errors.fields.title_en">
          <el-input id="cat-title-en" v-model="editing.form.title_en" maxlength="200" data-test="cat-title-en" /></el-form-item>
        <el-form-item :label="t('cat.category')" for="cat-category" :error="errors.fields.category">
          <el-select id="cat-category" v-model="editing.form.category" :placeholder="t('cat.category')">
            <el-option v-for="c in categories" :key="c.code" :value="c.code" :label="localName(c, 'name')" /></el-select></el-form-item>
        <el-form-item :label="t('cat.points')" for="cat-points" :error="errors.fields.points">
          <el-input-number id="cat-points" v-model="editing.form.points" :min="-1000" :max="1000" data-test="cat-points" />
          <span class="field-help">{{ t('cat.pointsHelp') }}</span></el-form-item>
        <el-form-item v-if="editing.form.points < 0" :label="t('cat.severity')" :error="errors.fields.severity">
          <el-radio-group v-model="editing.form.severity" :aria-label="t('cat.severity')">
            <el-radio value="minor">{{ t('cat.minor') }}</el-radio><el-radio value="serious">{{ t('cat.serious') }}</el-radio></el-radio-group></el-form-item>
        <el-form-item :label="t('cat.cap')" :error="errors.fields.cap_count || errors.fields.cap_period">
          <el-input-number v-model="editing.form.cap_count" :min="1" :max="1000" :aria-label="t('cat.capCount')" :placeholder="t('cat.noCap')" />
          <el-select v-model="editing.form.cap_period" clearable :aria-label="t('cat.capPeriod')" :placeholder="t('cat.capPeriod')" style="width: 120px; margin-left: 12px">
            <el-option v-for="p in ['day', 'week', 'month', 'quarter', 'year']" :key="p" :value="p" :label="t('cat.period.' + p)" /></el-select></el-form-item>
        <el-form-item :label="t('cat.evidence')"><el-switch v-model="editing.form.evidence_required" :aria-label="t('cat.evidence')" /></el-form-item>
        <el-form-item :label="t('cat.activeOn')"><el-switch v-model="editing.form.active" :aria-label="t('cat.activeOn')" /></el-form-item>
        <el-form-item :label="t('cat.effective')" for="cat-effective" :error="errors.fields.effective_from">
          <el-date-picker id="cat-effective" v-model="editing.form.effective_from" type="date" value-format="YYYY-MM-DD" :clearable="false" data-test="cat-effective" />
          <span class="field-help">{{ t(editing.item ? 'cat.effectiveHelp' : 'cat.effectiveHelpNew') }}</span></el-form-item>
        <el-form-item v-if="editing.item" :label="t('cat.note')" for="cat-note" :error="errors.fields.note">
          <el-input id="cat-note" v-model="editing.form.note" maxlength="200" data-test="cat-note" /></el-form-item>
      </el-form>
      <p v-if="errors.message" class="form-error" role="alert" data-test="cat-error">{{ errors.message }}</p>
      <template #footer>
        <el-button @click="editing.open = false">{{ t('common.cancel') }}</el-button>
        <el-button type="primary" :loading="editing.busy" @click="save" data-test="cat-save">{{ t('common.save') }}</el-button>
      </template>
    </el-dialog>
  </section>`,
};
