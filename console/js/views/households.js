/* Households (信用户) by village: list, register one, correct one, see its members; export to Excel.
 * Workers keep the households of their own villages; reviewers look; the district admin keeps all. */
import { addTexts, localName, t } from "../i18n.js";
import { api, download, hasRole, openFile } from "../session.js";
import { computed, ElMessage, onMounted, reactive, ref, watch } from "../vue.js";
import { nameOf, refusal, villagesWhere } from "./people-common.js";

addTexts({
  "zh-CN": {
    "menu.households": "信用户", "hh.village": "村社区", "hh.all": "全部", "hh.code": "户编码", "hh.name": "户名",
    "hh.address": "地址", "hh.new": "新增信用户", "hh.edit": "修改信用户", "hh.members": "成员", "hh.save": "保存",
    "hh.cancel": "取消", "hh.saved": "已保存", "hh.empty": "没有信用户", "hh.noMembers": "还没有成员",
    "hh.required": "请选择村社区并填写户编码和户名", "hh.export": "导出 Excel", "hh.total": "共 {n} 户",
    "hh.membersOf": "{name} 的成员", "hh.phone": "手机号", "hh.status": "状态", "hh.person": "姓名", "hh.print": "打印名片", "hh.editShort": "修改",
    "hh.st.active": "在册", "hh.st.moved_out": "已迁出", "hh.st.deceased": "已故",
  },
  en: {
    "menu.households": "Households", "hh.village": "Village", "hh.all": "All", "hh.code": "Code", "hh.name": "Household",
    "hh.address": "Address", "hh.new": "New household", "hh.edit": "Edit household", "hh.members": "Members", "hh.save": "Save",
    "hh.cancel": "Cancel", "hh.saved": "Saved", "hh.empty": "No households", "hh.noMembers": "No members yet",
    "hh.required": "Choose the village and fill in the code and name", "hh.export": "Export to Excel",
    "hh.total": "{n} households", "hh.membersOf": "Members of {name}", "hh.phone": "Phone", "hh.status": "Status",
    "hh.person": "Name", "hh.print": "Print cards", "hh.editShort": "Edit", "hh.st.active": "active", "hh.st.moved_out": "moved out", "hh.st.deceased": "deceased",
  },
});

export const HouseholdsView = {
  setup() {
    const villages = ref([]);
    const rows = ref([]);
    const total = ref(0);
    const page = ref(1);
    const filter = reactive({ community_id: null });
    const loading = ref(false);
    const error = ref("");
    const seen = computed(() => villagesWhere(villages.value, "worker", "reviewer"));
    const writable = computed(() => villagesWhere(villages.value, "worker"));
    const canWrite = computed(() => hasRole("district_admin", "worker"));
    const villageName = computed(() => nameOf(villages.value));

    async function load(to = 1) {
      page.value = to;
      loading.value = true;
      error.value = "";
      try {
        const answer = await api.get("/households", { query: { page: to, per_page: 20, community_id: filter.community_id } });
        rows.value = answer.items;
        total.value = answer.total;
      } catch (err) {
        error.value = refusal(err).message;
      } finally {
        loading.value = false;
      }
    }
    onMounted(async () => {
      load();
      try { villages.value = (await api.get("/communities", { query: { per_page: 100 } })).items; } catch (err) { /* names only */ }
    });

    const editing = reactive({ open: false, id: null, busy: false, error: "", fields: {}, form: {} });
    watch(() => ({ ...editing.form }), () => { editing.error = ""; editing.fields = {}; });
    function open(row = null) {
      const form = row ? { community_id: row.community_id, code: row.code, name: row.name, address: row.address || "" }
        : { community_id: filter.community_id || (writable.value.length === 1 ? writable.value[0].id : null),
          code: "", name: "", address: "" };
      Object.assign(editing, { open: true, id: row ? row.id : null, busy: false, form });
    }
    async function save() {
      const form = editing.form;
      const body = { code: form.code.trim(), name: form.name.trim(), address: form.address.trim() || null };
      if (!body.code || !body.name || !form.community_id) {
        editing.error = t("hh.required");
        return;
      }
      editing.busy = true;
      try {
        if (editing.id) await api.patch(`/households/${editing.id}`, body);
        else await api.post("/households", { ...body, community_id: form.community_id });
        editing.open = false;
        ElMessage.success(t("hh.saved"));
        await load(editing.id ? page.value : 1);
      } catch (err) {
        const { fields, message } = refusal(err);
        editing.fields = fields;
        editing.error = message;
      } finally {
        editing.busy = false;
      }
    }

    const members = reactive({ open: false, loading: false, household: null, rows: [], error: "" });
    async function openMembers(row) {
      Object.assign(members, { open: true, loading: true, household: row, rows: [], error: "" });
      try {
        members.rows = (await api.get("/residents", { query: { household_id: row.id, per_page: 100 } })).items;
      } catch (err) {
        members.error = refusal(err).message;
      } finally {
        members.loading = false;
      }
    }

    const exporting = ref(false);
    async function exportXlsx() {
      exporting.value = true;
      try {
        const query = filter.community_id ? "?community_id=" + filter.community_id : "";
        await download("/households/export.xlsx" + query, "households.xlsx");
      } catch (err) {
        ElMessage.error({ message: refusal(err).message, duration: 6000 });
      } finally {
        exporting.value = false;
      }
    }
    /* the household's card sheet (its members' active cards), opened as a PDF with the session */
    async function printCards(row) {
      try { await openFile("/cards/print-sheet.pdf?household_id=" + row.id); } catch (err) {
        ElMessage.error({ message: refusal(err).message, duration: 6000 });
      }
    }
    const canEdit = (row) => canWrite.value && writable.value.some((v) => v.id === row.community_id);
    return { villages, seen, writable, canWrite, canEdit, villageName, rows, total, page, filter, loading, error, load,
      editing, open, save, printCards, members, openMembers, exporting, exportXlsx, t, localName };
  },
  template: `
  <section class="households">
    <div class="toolbar">
      <label for="hh-village" class="toolbar-label">{{ t('hh.village') }}</label>
      <el-select id="hh-village" v-model="filter.community_id" clearable :placeholder="t('hh.all')" style="width: 180px"
                 @change="load(1)" data-test="hh-village">
        <el-option v-for="v in seen" :key="v.id" :value="v.id" :label="localName(v, 'name')" />
      </el-select>
      <el-button v-if="canWrite" type="primary" @click="open()" data-test="hh-new">{{ t('hh.new') }}</el-button>
      <el-button :loading="exporting" @click="exportXlsx" data-test="hh-export">{{ t('hh.export') }}</el-button>
      <span class="count">{{ t('hh.total', { n: total }) }}</span>
    </div>
    <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="page-error" />
    <el-table :data="rows" v-loading="loading" stripe border :empty-text="t('hh.empty')" data-table="households">
      <el-table-column prop="code" :label="t('hh.code')" width="120" />
      <el-table-column prop="name" :label="t('hh.name')" />
      <el-table-column prop="address" :label="t('hh.address')" />
      <el-table-column :label="t('hh.village')" width="160"><template #default="{ row }">{{ villageName[row.community_id] }}</template></el-table-column>
      <el-table-column width="260"><template #default="{ row }">
        <el-button size="small" @click="openMembers(row)" :data-members="row.id">{{ t('hh.members') }}</el-button>
        <el-button size="small" @click="printCards(row)" :data-print-household="row.id">{{ t('hh.print') }}</el-button>
        <el-button v-if="canEdit(row)" size="small" @click="open(row)" :data-edit-household="row.id">{{ t('hh.editShort') }}</el-button>
      </template></el-table-column>
    </el-table>
    <el-pagination v-if="total > 20" layout="prev, pager, next" :total="total" :page-size="20" :current-page="page"
                   @current-change="load" class="pager" />
    <el-dialog v-model="editing.open" :title="t(editing.id ? 'hh.edit' : 'hh.new')" width="520px">
      <el-form label-width="110px" @submit.prevent="save">
        <el-form-item :label="t('hh.village')" for="hh-form-village" :error="editing.fields.community_id">
          <el-select id="hh-form-village" v-model="editing.form.community_id" :disabled="!!editing.id" data-test="hh-form-village">
            <el-option v-for="v in writable" :key="v.id" :value="v.id" :label="localName(v, 'name')" /></el-select></el-form-item>
        <el-form-item :label="t('hh.code')" for="hh-code" :error="editing.fields.code">
          <el-input id="hh-code" v-model="editing.form.code" maxlength="32" data-test="hh-code" /></el-form-item>
        <el-form-item :label="t('hh.name')" for="hh-name" :error="editing.fields.name">
          <el-input id="hh-name" v-model="editing.form.name" maxlength="100" data-test="hh-name" /></el-form-item>
        <el-form-item :label="t('hh.address')" for="hh-address" :error="editing.fields.address">
          <el-input id="hh-address" v-model="editing.form.address" maxlength="200" /></el-form-item>
      </el-form>
      <p v-if="editing.error" class="form-error" role="alert" data-test="hh-error">{{ editing.error }}</p>
      <template #footer>
        <el-button @click="editing.open = false">{{ t('hh.cancel') }}</el-button>
        <el-button type="primary" :loading="editing.busy" @click="save" data-test="hh-save">{{ t('hh.save') }}</el-button>
      </template>
    </el-dialog>
    <el-drawer v-model="members.open" :title="members.household ? t('hh.membersOf', { name: members.household.name }) : ''" size="40%">
      <el-alert v-if="members.error" :title="members.error" type="error" :closable="false" show-icon class="page-error" />
      <el-table :data="members.rows" v-loading="members.loading" stripe border :empty-text="t('hh.noMembers')" data-table="members">
        <el-table-column prop="name" :label="t('hh.person')" />
        <el-table-column prop="phone" :label="t('hh.phone')" />
        <el-table-column :label="t('hh.status')" width="90"><template #default="{ row }">{{ t('hh.st.' + row.status) }}</template></el-table-column>
      </el-table>
    </el-drawer>
  </section>`,
};
