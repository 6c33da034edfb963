/* Staff accounts and roles (district admin only): list, create, set roles and villages, disable.
 * The API keeps the district's last active admin; its refusal is shown as it says it. */
import { addTexts, localTime, t } from "../i18n.js";
import { api, download } from "../session.js";
import { computed, ElMessage, ElMessageBox, onMounted, reactive, ref, watch } from "../vue.js";
import { nameOf, refusal } from "./people-common.js";

addTexts({
  "zh-CN": {
    "menu.staff": "工作人员", "staff.username": "用户名", "staff.name": "姓名", "staff.roles": "角色与村社区",
    "staff.state": "状态", "staff.active": "在用", "staff.disabled": "已停用", "staff.created": "创建时间",
    "staff.new": "新增工作人员", "staff.edit": "修改", "staff.disable": "停用", "staff.enable": "启用",
    "staff.password": "初始密码", "staff.newPassword": "新密码（不改请留空）", "staff.admin": "信用中心管理员（全区）",
    "staff.workerIn": "采集员的村社区", "staff.reviewerIn": "审核员的村社区", "staff.save": "保存",
    "staff.cancel": "取消", "staff.saved": "已保存；此人需要重新登录", "staff.createdDone": "账户已创建", "staff.export": "导出 Excel",
    "staff.merchant": "商户员工", "staff.required": "请填写用户名、姓名和至少 8 位的密码，并至少给一个角色",
    "staff.needRole": "请至少给一个角色", "staff.disableAsk": "停用“{name}”的账户？此人会立即退出登录。",
    "staff.enabled": "账户已启用", "staff.disabledDone": "账户已停用", "staff.total": "共 {n} 个账户",
    "staff.usernameHint": "字母、数字、. _ -，3 至 64 位", "staff.empty": "没有账户",
  },
  en: {
    "menu.staff": "Staff", "staff.username": "Username", "staff.name": "Name", "staff.roles": "Roles and villages",
    "staff.state": "State", "staff.active": "active", "staff.disabled": "disabled", "staff.created": "Created",
    "staff.new": "New staff account", "staff.edit": "Edit", "staff.disable": "Disable", "staff.enable": "Enable",
    "staff.password": "Initial password", "staff.newPassword": "New password (leave empty to keep)",
    "staff.admin": "District admin (whole district)", "staff.workerIn": "Worker in villages",
    "staff.reviewerIn": "Reviewer in villages", "staff.save": "Save", "staff.cancel": "Cancel",
    "staff.saved": "Saved; the person signs in again", "staff.createdDone": "Account created", "staff.export": "Export to Excel", "staff.merchant": "merchant staff",
    "staff.required": "Fill in username, name, a password of 8+ characters, and give at least one role",
    "staff.needRole": "Give at least one role", "staff.disableAsk": "Disable the account of {name}? They are signed out at once.",
    "staff.enabled": "Account enabled", "staff.disabledDone": "Account disabled", "staff.total": "{n} accounts",
    "staff.usernameHint": "letters, digits, . _ -, 3 to 64", "staff.empty": "No accounts",
  },
});

function rolesOf(form) {
  const roles = form.admin ? [{ role: "district_admin" }] : [];
  for (const id of form.worker) roles.push({ role: "worker", community_id: id });
  for (const id of form.reviewer) roles.push({ role: "reviewer", community_id: id });
  return roles;
}

export const StaffView = {
  setup() {
    const rows = ref([]);
    const total = ref(0);
    const page = ref(1);
    const villages = ref([]);
    const loading = ref(false);
    const error = ref("");
    const actionError = ref(""); //: a refused disable or enable stays on the page until read
    const villageName = computed(() => nameOf(villages.value));

    async function load(to = 1) {
      page.value = to;
      loading.value = true;
      error.value = "";
      try {
        const answer = await api.get("/staff", { query: { page: to, per_page: 20 } });
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
    const roleText = (row) => (row.merchant_id ? t("staff.merchant") : row.roles.map((r) => t("role." + r.role)
      + (r.community_id ? "（" + (villageName.value[r.community_id] || r.community_id) + "）" : "")).join("；"));

    const editing = reactive({ open: false, id: null, merchant: false, busy: false, error: "", fields: {}, form: {} });
    watch(() => JSON.stringify(editing.form), () => { editing.error = ""; editing.fields = {}; });
    function open(row = null) {
      const form = { username: "", display_name: "", password: "", admin: false, worker: [], reviewer: [] };
      if (row) {
        Object.assign(form, { username: row.username, display_name: row.display_name,
          admin: row.roles.some((r) => r.role === "district_admin"),
          worker: row.roles.filter((r) => r.role === "worker").map((r) => r.community_id),
          reviewer: row.roles.filter((r) => r.role === "reviewer").map((r) => r.community_id) });
      }
      Object.assign(editing, { open: true, id: row ? row.id : null, merchant: !!(row && row.merchant_id), busy: false, form });
    }
    async function save() {
      const form = editing.form;
      const roles = rolesOf(form);
      const name = form.display_name.trim();
      let body;
      if (editing.id) {
        if (!name || (!editing.merchant && !roles.length)) { editing.error = t("staff.needRole"); return; }
        body = { display_name: name };
        if (!editing.merchant) body.roles = roles;
        if (form.password) body.password = form.password;
      } else {
        if (!form.username.trim() || !name || form.password.length < 8 || !roles.length) {
          editing.error = t("staff.required");
          return;
        }
        body = { username: form.username.trim(), display_name: name, password: form.password, roles };
      }
      editing.busy = true;
      try {
        if (editing.id) await api.patch(`/staff/${editing.id}`, body); else await api.post("/staff", body);
        editing.open = false;
        ElMessage.success(t(editing.id ? "staff.saved" : "staff.createdDone"));
        await load(editing.id ? page.value : 1);
      } catch (err) {
        const { fields, message } = refusal(err);
        editing.fields = fields;
        editing.error = message;
      } finally {
        editing.busy = false;
      }
    }
    async function setActive(row, active) {
      if (!active) {
        try {
          await ElMessageBox.confirm(t("staff.disableAsk", { name: row.display_name }), t("staff.disable"), {
            confirmButtonText: t("staff.disable"), cancelButtonText: t("staff.cancel"), type: "warning" });
        } catch (cancelled) {
          return;
        }
      }
      actionError.value = "";
      try {
        await api.patch(`/staff/${row.id}`, { is_active: active });
        ElMessage.success(t(active ? "staff.enabled" : "staff.disabledDone"));
        await load(page.value);
      } catch (err) {
        actionError.value = refusal(err).message;
      }
    }
    const exporting = ref(false);
    async function exportXlsx() {
      exporting.value = true;
      try { await download("/staff/export.xlsx", "staff.xlsx"); } catch (err) {
        ElMessage.error({ message: refusal(err).message, duration: 6000 });
      } finally { exporting.value = false; }
    }
    return { rows, total, page, villages, loading, error, actionError, load, roleText, editing, open, save, setActive, exporting,
      exportXlsx, t, localTime };
  },
  template: `
  <section class="staff">
    <div class="toolbar">
      <el-button type="primary" @click="open()" data-test="staff-new">{{ t('staff.new') }}</el-button>
      <el-button :loading="exporting" @click="exportXlsx" data-test="staff-export">{{ t('staff.export') }}</el-button>
      <span class="count">{{ t('staff.total', { n: total }) }}</span>
    </div>
    <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="page-error" />
    <el-alert v-if="actionError" :title="actionError" type="error" show-icon @close="actionError = ''" class="page-error"
              role="alert" data-test="staff-action-error" />
    <el-table :data="rows" v-loading="loading" stripe border :empty-text="t('staff.empty')" data-table="staff">
      <el-table-column prop="username" :label="t('staff.username')" width="140" />
      <el-table-column prop="display_name" :label="t('staff.name')" width="150" />
      <el-table-column :label="t('staff.roles')" min-width="260"><template #default="{ row }">{{ roleText(row) }}</template></el-table-column>
      <el-table-column :label="t('staff.state')" width="90"><template #default="{ row }">
        <el-tag :type="row.is_active ? 'success' : 'info'" effect="plain">{{ t(row.is_active ? 'staff.active' : 'staff.disabled') }}</el-tag></template></el-table-column>
      <el-table-column :label="t('staff.created')" width="150"><template #default="{ row }">{{ localTime(row.created_at) }}</template></el-table-column>
      <el-table-column width="170"><template #default="{ row }">
        <el-button size="small" @click="open(row)" :data-edit-staff="row.username">{{ t('staff.edit') }}</el-button>
        <el-button v-if="row.is_active" size="small" type="danger" plain @click="setActive(row, false)" :data-disable="row.username">{{ t('staff.disable') }}</el-button>
        <el-button v-else size="small" @click="setActive(row, true)" :data-enable="row.username">{{ t('staff.enable') }}</el-button>
      </template></el-table-column>
    </el-table>
    <el-pagination v-if="total > 20" layout="prev, pager, next" :total="total" :page-size="20" :current-page="page"
                   @current-change="load" class="pager" />
    <el-dialog v-model="editing.open" :title="t(editing.id ? 'staff.edit' : 'staff.new')" width="620px">
      <el-form label-width="170px" @submit.prevent="save">
        <el-form-item :label="t('staff.username')" for="staff-username" :error="editing.fields.username">
          <el-input id="staff-username" v-model="editing.form.username" :disabled="!!editing.id" maxlength="64"
                    :placeholder="t('staff.usernameHint')" data-test="staff-username" /></el-form-item>
        <el-form-item :label="t('staff.name')" for="staff-name" :error="editing.fields.display_name">
          <el-input id="staff-name" v-model="editing.form.display_name" maxlength="100" data-test="staff-name" /></el-form-item>
        <el-form-item :label="t(editing.id ? 'staff.newPassword' : 'staff.password')" for="staff-password" :error="editing.fields.password">
          <el-input id="staff-password" v-model="editing.form.password" type="password" show-password maxlength="200"
                    autocomplete="new-password" data-test="staff-password" /></el-form-item>
        <template v-if="!editing.merchant">
          <el-form-item :label="t('staff.roles')" :error="editing.fields.roles">
            <el-checkbox v-model="editing.form.admin" data-test="staff-admin">{{ t('staff.admin') }}</el-checkbox></el-form-item>
          <el-form-item :label="t('staff.workerIn')" for="staff-worker">
            <el-select id="staff-worker" v-model="editing.form.worker" multiple style="width: 100%" data-test="staff-worker">
              <el-option v-for="v in villages" :key="v.id" :value="v.id" :label="v.name_zh + ' ' + v.name_en" /></el-select></el-form-item>
          <el-form-item :label="t('staff.reviewerIn')" for="staff-reviewer">
            <el-select id="staff-reviewer" v-model="editing.form.reviewer" multiple style="width: 100%" data-test="staff-reviewer">
              <el-option v-for="v in villages" :key="v.id" :value="v.id" :label="v.name_zh + ' ' + v.name_en" /></el-select></el-form-item>
        </template>
      </el-form>
      <p v-if="editing.error" class="form-error" role="alert" data-test="staff-error">{{ editing.error }}</p>
      <template #footer>
        <el-button @click="editing.open = false">{{ t('staff.cancel') }}</el-button>
        <el-button type="primary" :loading="editing.busy" @click="save" data-test="staff-save">{{ t('staff.save') }}</el-button>
      </template>
    </el-dialog>
  </section>`,
};
