/* Kiosks (自助终端): register one, give it a pairing code (shown once, large, to be typed on the kiosk),
 * disable a lost or stolen one at once (its token stops working) and enable it again. */
import { addTexts, localName, localTime, messageOf, t } from "../i18n.js";
import { exportList, formErrors } from "../forms.js";
import { api } from "../session.js";
import { computed, ElMessage, ElMessageBox, onMounted, reactive, ref } from "../vue.js";

addTexts({
  "zh-CN": {
    "menu.kiosks": "自助终端", "kiosk.register": "登记终端", "kiosk.name": "终端名称", "kiosk.village": "所在村社区",
    "kiosk.shop": "所属信用超市", "kiosk.noShop": "不属于超市", "kiosk.state": "状态", "kiosk.paired": "已配对",
    "kiosk.unpaired": "待配对", "kiosk.disabled": "已停用", "kiosk.pairedAt": "配对时间", "kiosk.created": "登记时间",
    "kiosk.newCode": "发配对码", "kiosk.disable": "停用", "kiosk.enable": "启用", "kiosk.empty": "还没有登记终端",
    "kiosk.codeTitle": "配对码", "kiosk.codeHelp": "请在终端的配对页面输入下面的配对码。配对码只显示这一次，{hours} 前有效；关闭后无法再查看，只能重新发码。",
    "kiosk.codeDone": "已记下，关闭", "kiosk.newCodeAsk": "给“{name}”发新的配对码？终端现有的登录会立即失效，需要重新配对。",
    "kiosk.disableAsk": "停用“{name}”？终端会立即退出，无法再兑换。请填写原因（如：设备丢失）。",
    "kiosk.reason": "原因", "kiosk.disabledDone": "终端已停用", "kiosk.enabledDone": "终端已启用",
    "kiosk.required": "请填写终端名称并选择村社区",
  },
  en: {
    "menu.kiosks": "Kiosks", "kiosk.register": "Register a kiosk", "kiosk.name": "Kiosk name", "kiosk.village": "Village",
    "kiosk.shop": "Credit supermarket", "kiosk.noShop": "No supermarket", "kiosk.state": "State", "kiosk.paired": "Paired",
    "kiosk.unpaired": "Not paired", "kiosk.disabled": "Disabled", "kiosk.pairedAt": "Paired at", "kiosk.created": "Registered",
    "kiosk.newCode": "New pairing code", "kiosk.disable": "Disable", "kiosk.enable": "Enable", "kiosk.empty": "No kiosk registered yet",
    "kiosk.codeTitle": "Pairing code", "kiosk.codeHelp": "Type this code on the kiosk's pairing screen. It is shown only this once and works until {hours}; once closed it cannot be shown again, only replaced.",
    "kiosk.codeDone": "Noted, close", "kiosk.newCodeAsk": "Give “{name}” a new pairing code? The kiosk is signed out at once and must pair again.",
    "kiosk.disableAsk": "Disable “{name}”? The kiosk is signed out at once and can no longer redeem. Say why (e.g. device lost).",
    "kiosk.reason": "Reason", "kiosk.disabledDone": "The kiosk is disabled", "kiosk.enabledDone": "The kiosk is enabled",
    "kiosk.required": "Give the kiosk a name and choose its village",
  },
});

export const KiosksView = {
  setup() {
    const rows = ref([]);
    const total = ref(0);
    const page = ref(1);
    const villages = ref([]);
    const shops = ref([]);
    const loading = ref(false);
    const error = ref("");
    const villageName = computed(() => Object.fromEntries(villages.value.map((v) => [v.id, localName(v, "name")])));
    const shopName = computed(() => Object.fromEntries(shops.value.map((s) => [s.id, localName(s, "name")])));
    const form = reactive({ open: false, busy: false, name: "", community_id: null, supermarket_id: null });
    const errors = formErrors();
    const code = reactive({ open: false, device: null });

    async function load(to = 1) {
      page.value = to;
      loading.value = true;
      error.value = "";
      try {
        const answer = await api.get("/devices", { query: { page: to, per_page: 20 } });
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
        villages.value = (await api.get("/communities", { query: { per_page: 100 } })).items;
        shops.value = (await api.get("/supermarkets", { query: { per_page: 100 } })).items;
      } catch (err) { /* names only */ }
    });

    const state = (row) => (row.disabled_at ? "disabled" : row.paired_at ? "paired" : "unpaired");
    const shopsOfVillage = computed(() => shops.value.filter((s) => !form.community_id
      || (s.served_community_ids || [s.community_id]).includes(form.community_id)));

    function openRegister() {
      Object.assign(form, { open: true, busy: false, name: "", community_id: null, supermarket_id: null });
      errors.clear();
    }
    async function register() {
      errors.clear();
      if (!form.name.trim() || !form.community_id) {
        errors.message = t("kiosk.required");
        return;
      }
      form.busy = true;
      try {
        const device = await api.post("/devices", { name: form.name.trim(), community_id: form.community_id,
          supermarket_id: form.supermarket_id || null });
        form.open = false;
        Object.assign(code, { open: true, device });
        await load(1);
      } catch (err) {
        errors.show(err);
      } finally {
        form.busy = false;
      }
    }
    async function newCode(row) {
      try {
        await ElMessageBox.confirm(t("kiosk.newCodeAsk", { name: row.name }), t("kiosk.newCode"), {
          confirmButtonText: t("kiosk.newCode"), cancelButtonText: t("common.cancel"), type: "warning" });
      } catch (cancelled) {
        return;
      }
      try {
        Object.assign(code, { open: true, device: await api.post(`/devices/${row.id}/pairing-code`, {}) });
        await load(page.value);
      } catch (err) {
        ElMessage.error({ message: messageOf(err), duration: 6000 });
      }
    }
    async function setDisabled(row, disabled) {
      let reason;
      if (disabled) {
        try {
          reason = (await ElMessageBox.prompt(t("kiosk.disableAsk", { name: row.name }), t("kiosk.disable"), {
            confirmButtonText: t("kiosk.disable"), cancelButtonText: t("common.cancel"), inputPlaceholder: t("kiosk.reason"),
            inputValidator: (value) => Boolean(value && value.trim()) || t("kiosk.reason"), type: "warning" })).value.trim();
        } catch (cancelled) {
          return;
        }
      }
      try {
        await api.put(`/devices/${row.id}/disabled`, disabled ? { disabled, reason } : { disabled });
        ElMessage.success(t(disabled ? "kiosk.disabledDone" : "kiosk.enabledDone"));
        await load(page.value);
      } catch (err) {
        ElMessage.error({ message: messageOf(err), duration: 6000 });
      }
    }
    const exportXlsx = () => exportList("/devices", {}, "kiosks.xlsx");
    return { rows, total, page, villages, loading, error, villageName, shopName, form, errors, code, state,
      shopsOfVillage, load, openRegister, register, newCode, setDisabled, exportXlsx, t, localName, localTime };
  },
  template: `
  <section class="kiosks">
    <div class="toolbar">
      <el-button type="primary" @click="openRegister" data-test="kiosk-new">{{ t('kiosk.register') }}</el-button>
      <el-button @click="exportXlsx" data-test="export">{{ t('common.export') }}</el-button>
      <span class="count">{{ t('review.total', { n: total }) }}</span>
    </div>
    <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="page-error" />
    <el-table :data="rows" v-loading="loading" stripe border row-key="id" :empty-text="t('kiosk.empty')" data-table="kiosks">
      <el-table-column :label="t('kiosk.name')" min-width="180" prop="name" />
      <el-table-column :label="t('kiosk.village')" width="140"><template #default="{ row }">{{ villageName[row.community_id] || row.community_id }}</template></el-table-column>
      <el-table-column :label="t('kiosk.shop')" min-width="160"><template #default="{ row }">{{ row.supermarket_id ? (shopName[row.supermarket_id] || row.supermarket_id) : '—' }}</template></el-table-column>
      <el-table-column :label="t('kiosk.state')" width="110"><template #default="{ row }">
        <el-tag :type="state(row) === 'paired' ? 'success' : state(row) === 'disabled' ? 'danger' : 'warning'" effect="plain">{{ t('kiosk.' + state(row)) }}</el-tag></template></el-table-column>
      <el-table-column :label="t('kiosk.pairedAt')" width="160"><template #default="{ row }">{{ localTime(row.paired_at) || '—' }}</template></el-table-column>
      <el-table-column :label="t('kiosk.created')" width="160"><template #default="{ row }">{{ localTime(row.created_at) }}</template></el-table-column>
      <el-table-column :label="t('common.actions')" width="220"><template #default="{ row }">
        <el-button size="small" @click="newCode(row)" :data-code="row.id">{{ t('kiosk.newCode') }}</el-button>
        <el-button v-if="!row.disabled_at" size="small" type="danger" plain @click="setDisabled(row, true)" :data-disable="row.id">{{ t('kiosk.disable') }}</el-button>
        <el-button v-else size="small" type="success" plain @click="setDisabled(row, false)" :data-enable="row.id">{{ t('kiosk.enable') }}</el-button>
      </template></el-table-column>
    </el-table>
    <el-pagination v-if="total > 20" layout="prev, pager, next" :total="total" :page-size="20" :current-page="page" @current-change="load" class="pager" />

    <el-dialog v-model="form.open" :title="t('kiosk.register')" width="560px">
      <el-form label-width="130px" @submit.prevent="register">
        <el-form-item :label="t('kiosk.name')" for="kiosk-name" :error="errors.fields.name">
          <el-input id="kiosk-name" v-model="form.name" maxlength="100" data-test="kiosk-name" /></el-form-item>
        <el-form-item :label="t('kiosk.village')" for="kiosk-village" :error="errors.fields.community_id">
          <el-select id="kiosk-village" v-model="form.community_id" :placeholder="t('kiosk.village')" data-test="kiosk-village" filterable>
            <el-option v-for="v in villages" :key="v.id" :value="v.id" :label="localName(v, 'name')" /></el-select></el-form-item>
        <el-form-item :label="t('kiosk.shop')" for="kiosk-shop" :error="errors.fields.supermarket_id">
          <el-select id="kiosk-shop" v-model="form.supermarket_id" :placeholder="t('kiosk.noShop')" clearable data-test="kiosk-shop">
            <el-option v-for="s in shopsOfVillage" :key="s.id" :value="s.id" :label="localName(s, 'name')" /></el-select></el-form-item>
      </el-form>
      <p v-if="errors.message" class="form-error" role="alert" data-test="kiosk-error">{{ errors.message }}</p>
      <template #footer>
        <el-button @click="form.open = false">{{ t('common.cancel') }}</el-button>
        <el-button type="primary" :loading="form.busy" @click="register" data-test="kiosk-save">{{ t('kiosk.register') }}</el-button>
      </template>
    </el-dialog>

    <el-dialog v-model="code.open" :title="t('kiosk.codeTitle')" width="620px" :close-on-click-modal="false" @closed="code.device = null">
      <template v-if="code.device">
        <p class="code-for">{{ code.device.name }}</p>
        <p class="pairing-code" data-test="pairing-code" aria-live="polite">{{ code.device.pairing_code }}</p>
        <p class="code-help">{{ t('kiosk.codeHelp', { hours: localTime(code.device.pairing_expires_at) }) }}</p>
      </template>
      <template #footer><el-button type="primary" @click="code.open = false" data-test="code-done">{{ t('kiosk.codeDone') }}</el-button></template>
    </el-dialog>
  </section>`,
};
