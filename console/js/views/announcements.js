/* Announcements (公告): the notices of my communities and the district's; publish one to a community
 * (or, as district admin, to the whole district) and withdraw one at once. */
import { addTexts, localName, localTime, messageOf, prefs, t } from "../i18n.js";
import { api, hasRole } from "../session.js";
import { computed, ElMessage, ElMessageBox, onMounted, reactive, ref, watch } from "../vue.js";
import { exportList } from "../forms.js";

addTexts({
  "zh-CN": { "ann.edit": "编辑", "ann.editTitle": "修改公告", "ann.save": "保存修改", "ann.saved": "公告已修改",
    "ann.scopeFixed": "发布范围不能修改；如需改范围，请撤回后重新发布。" },
  en: { "ann.edit": "Edit", "ann.editTitle": "Edit the notice", "ann.save": "Save changes", "ann.saved": "Notice changed",
    "ann.scopeFixed": "Where a notice shows cannot change; withdraw it and publish a new one instead." },
});

function blank() {
  return { scope: "community", community_id: null, title_zh: "", title_en: "", body_zh: "", body_en: "", pinned: false };
}

export const AnnouncementsView = {
  setup() {
    const rows = ref([]);
    const total = ref(0);
    const page = ref(1);
    const filters = reactive({ state: "current" });
    const villages = ref([]);
    const loading = ref(false);
    const error = ref("");
    const admin = computed(() => hasRole("district_admin"));
    const villageName = computed(() => Object.fromEntries(villages.value.map((v) => [v.id, localName(v, "name")])));
    const editing = reactive({ open: false, busy: false, error: "", id: null, form: blank() });
    watch(() => ({ ...editing.form }), () => { editing.error = ""; }); // a changed form is a new attempt

    async function load(to = 1) {
      page.value = to;
      loading.value = true;
      error.value = "";
      try {
        const answer = await api.get("/announcements", { query: { page: to, per_page: 20, state: filters.state || undefined } });
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
      try { villages.value = (await api.get("/communities", { query: { per_page: 100 } })).items; } catch (err) { /* names only */ }
    });

    function openCreate() {
      Object.assign(editing, { open: true, busy: false, error: "", id: null, form: blank() });
      if (villages.value.length === 1) editing.form.community_id = villages.value[0].id;
    }
    /* Editing changes texts and the pin; the API keeps the scope (a notice moves by withdraw and publish). */
    function openEdit(row) {
      Object.assign(editing, { open: true, busy: false, error: "", id: row.id, form: {
        scope: row.scope, community_id: row.community_id, title_zh: row.title_zh, title_en: row.title_en || "",
        body_zh: row.body_zh, body_en: row.body_en || "", pinned: !!row.pinned } });
    }
    async function save() {
      const form = editing.form;
      if (!form.title_zh.trim() || !form.body_zh.trim() || (form.scope === "community" && !form.community_id)) {
        editing.error = t("ann.required");
        return;
      }
      if (editing.id) return saveEdit(form);
      const body = { scope: form.scope, title_zh: form.title_zh.trim(), body_zh: form.body_zh.trim(), pinned: form.pinned };
      if (form.scope === "community") body.community_id = form.community_id;
      if (form.title_en.trim()) body.title_en = form.title_en.trim();
      if (form.body_en.trim()) body.body_en = form.body_en.trim();
      editing.busy = true;
      try {
        await api.post("/announcements", body);
        editing.open = false;
        ElMessage.success(t("ann.published"));
        await load(1);
      } catch (err) {
        editing.error = messageOf(err);
      } finally {
        editing.busy = false;
      }
    }
    async function saveEdit(form) {
      const body = { title_zh: form.title_zh.trim(), body_zh: form.body_zh.trim(), pinned: form.pinned,
        title_en: form.title_en.trim() || null, body_en: form.body_en.trim() || null };
      editing.busy = true;
      try {
        await api.patch(`/announcements/${editing.id}`, body);
        editing.open = false;
        ElMessage.success(t("ann.saved"));
        await load(page.value);
      } catch (err) {
        editing.error = messageOf(err);
      } finally {
        editing.busy = false;
      }
    }
    async function withdraw(row) {
      try {
        await ElMessageBox.confirm(t("ann.withdrawAsk", { title: row.title_zh }), t("ann.withdraw"), {
          confirmButtonText: t("ann.withdraw"), cancelButtonText: t("review.cancel"), type: "warning" });
      } catch (cancelled) {
        return;
      }
      try {
        await api.post(`/announcements/${row.id}/withdraw`, {});
        ElMessage.success(t("ann.withdrawn"));
        await load(page.value);
      } catch (err) {
        ElMessage.error({ message: messageOf(err), duration: 6000 });
      }
    }
    const title = (row) => (prefs.lang === "en" ? row.title_en || row.title_zh : row.title_zh);
    const where = (row) => (row.scope === "district" ? t("ann.district") : villageName.value[row.community_id] || row.community_id);
    const exportXlsx = () => exportList("/announcements", { state: filters.state }, "announcements.xlsx");
    return { rows, total, page, filters, villages, loading, error, admin, editing, load, openCreate, openEdit, save, withdraw,
      exportXlsx,
      title, where, t, localName, localTime };
  },
  template: `
  <section class="announcements">
    <div class="toolbar">
      <el-radio-group v-model="filters.state" @change="load(1)" :aria-label="t('ann.state')">
        <el-radio-button value="current">{{ t('ann.current') }}</el-radio-button>
        <el-radio-button value="scheduled">{{ t('ann.scheduled') }}</el-radio-button>
        <el-radio-button value="expired">{{ t('ann.expired') }}</el-radio-button>
        <el-radio-button value="withdrawn">{{ t('ann.withdrawnState') }}</el-radio-button>
      </el-radio-group>
      <el-button type="primary" @click="openCreate" data-test="ann-new">{{ t('ann.new') }}</el-button>
      <el-button @click="exportXlsx" data-test="export">{{ t('common.export') }}</el-button>
      <span class="count">{{ t('review.total', { n: total }) }}</span>
    </div>
    <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="page-error" />
    <el-table :data="rows" v-loading="loading" stripe border row-key="id" :empty-text="t('ann.empty')" data-table="announcements">
      <el-table-column :label="t('ann.title')" min-width="240">
        <template #default="{ row }"><el-tag v-if="row.pinned" size="small" class="mine">{{ t('ann.pinned') }}</el-tag> {{ title(row) }}</template></el-table-column>
      <el-table-column :label="t('ann.where')" width="140"><template #default="{ row }">{{ where(row) }}</template></el-table-column>
      <el-table-column :label="t('ann.publishAt')" width="160"><template #default="{ row }">{{ localTime(row.publish_at) }}</template></el-table-column>
      <el-table-column :label="t('ann.expireAt')" width="160"><template #default="{ row }">{{ localTime(row.expire_at) || '—' }}</template></el-table-column>
      <el-table-column width="170" :label="''">
        <template #default="{ row }">
          <el-button v-if="!row.withdrawn_at" size="small" @click="openEdit(row)" :data-edit="row.id">{{ t('ann.edit') }}</el-button>
          <el-button v-if="!row.withdrawn_at" size="small" type="danger" plain @click="withdraw(row)" :data-withdraw="row.id">{{ t('ann.withdraw') }}</el-button>
          <span v-else class="muted">{{ t('ann.withdrawnState') }}</span>
        </template></el-table-column>
    </el-table>
    <el-pagination v-if="total > 20" layout="prev, pager, next" :total="total" :page-size="20" :current-page="page"
                   @current-change="load" class="pager" />
    <el-dialog v-model="editing.open" :title="editing.id ? t('ann.editTitle') : t('ann.new')" width="620px">
      <el-form label-width="150px" @submit.prevent="save">
        <el-form-item :label="t('ann.where')">
          <el-radio-group v-model="editing.form.scope" :aria-label="t('ann.where')" :disabled="!!editing.id">
            <el-radio value="community">{{ t('ann.community') }}</el-radio>
            <el-radio v-if="admin" value="district">{{ t('ann.district') }}</el-radio>
          </el-radio-group>
        </el-form-item>
        <el-form-item v-if="editing.form.scope === 'community'" :label="t('filter.village')" for="ann-village">
          <el-select id="ann-village" v-model="editing.form.community_id" :placeholder="t('filter.village')" data-test="ann-village"
                     :disabled="!!editing.id">
            <el-option v-for="v in villages" :key="v.id" :value="v.id" :label="localName(v, 'name')" />
          </el-select>
        </el-form-item>
        <p v-if="editing.id" class="help" style="margin-left: 150px">{{ t('ann.scopeFixed') }}</p>
        <el-form-item :label="t('ann.titleZh')" for="ann-title-zh">
          <el-input id="ann-title-zh" v-model="editing.form.title_zh" maxlength="200" data-test="ann-title-zh" /></el-form-item>
        <el-form-item :label="t('ann.bodyZh')" for="ann-body-zh">
          <el-input id="ann-body-zh" v-model="editing.form.body_zh" type="textarea" :rows="4" maxlength="5000" data-test="ann-body-zh" /></el-form-item>
        <el-form-item :label="t('ann.titleEn')" for="ann-title-en">
          <el-input id="ann-title-en" v-model="editing.form.title_en" maxlength="200" /></el-form-item>
        <el-form-item :label="t('ann.bodyEn')" for="ann-body-en">
          <el-input id="ann-body-en" v-model="editing.form.body_en" type="textarea" :rows="3" maxlength="5000" /></el-form-item>
        <el-form-item :label="t('ann.pinned')"><el-switch v-model="editing.form.pinned" :aria-label="t('ann.pinned')" /></el-form-item>
      </el-form>
      <p v-if="editing.error" class="form-error" role="alert" data-test="ann-error">{{ editing.error }}</p>
      <template #footer>
        <el-button @click="editing.open = false">{{ t('review.cancel') }}</el-button>
        <el-button type="primary" :loading="editing.busy" @click="save" data-test="ann-save">{{ editing.id ? t('ann.save') : t('ann.publish') }}</el-button>
      </template>
    </el-dialog>
  </section>`,
};
