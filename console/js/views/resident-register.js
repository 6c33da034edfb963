/* Registering one resident (登记居民) from the residents screen: name, gender, birth year, phone, the village
 * (one of mine as a worker; any as the district admin), the household if any, and the ID number (kept
 * only as a keyed hash and its last 4). The API's refusals show at their fields; once registered the
 * resident's archive opens, where the card and the app's activation code are given. Rosters of many
 * residents come in through 名册导入 instead. */
import { addTexts, localName, t } from "../i18n.js";
import { formErrors } from "../forms.js";
import { api, hasRole } from "../session.js";
import { computed, ElMessage, reactive, watch } from "../vue.js";
import { villagesWhere } from "./people-common.js";

addTexts({
  "zh-CN": {
    "reg.open": "登记居民", "reg.title": "登记一位居民", "reg.name": "姓名", "reg.gender": "性别", "reg.female": "女",
    "reg.male": "男", "reg.born": "出生年份", "reg.phone": "手机号", "reg.village": "村社区", "reg.household": "信用户",
    "reg.noHousehold": "暂不加入信用户", "reg.id": "身份证号", "reg.idHelp": "可不填；只保存加密摘要和后四位",
    "reg.save": "登记", "reg.done": "已登记：{name}", "reg.many": "批量登记请用“名册导入”",
  },
  en: {
    "reg.open": "Register a resident", "reg.title": "Register one resident", "reg.name": "Name", "reg.gender": "Gender",
    "reg.female": "Female", "reg.male": "Male", "reg.born": "Birth year", "reg.phone": "Phone", "reg.village": "Village",
    "reg.household": "Household", "reg.noHousehold": "No household yet", "reg.id": "ID number",
    "reg.idHelp": "Optional; only a keyed hash and the last 4 are kept", "reg.save": "Register", "reg.done": "Registered: {name}",
    "reg.many": "For many residents use Roster import",
  },
});

function blank(villageId = null) {
  return { name: "", gender: "female", birth_year: 1970, phone: "", community_id: villageId, household_id: null, id_number: "" };
}

export const ResidentRegister = {
  props: { villages: { type: Array, required: true } },
  emits: ["registered"],
  setup(props, { emit }) {
    const writable = computed(() => villagesWhere(props.villages, "worker"));
    const allowed = computed(() => hasRole("district_admin", "worker"));
    const reg = reactive({ open: false, busy: false, households: [], form: blank() });
    const errors = formErrors();
    watch(() => ({ ...reg.form }), () => errors.clear()); // a refusal is about the form as it was sent

    async function loadHouseholds(communityId) {
      reg.households = [];
      if (!communityId) return;
      try {
        reg.households = (await api.get("/households", { query: { community_id: communityId, per_page: 100 } })).items;
      } catch (err) { /* the select stays empty */ }
    }
    function openRegister() {
      const only = writable.value.length === 1 ? writable.value[0].id : null;
      Object.assign(reg, { open: true, busy: false, form: blank(only) });
      errors.clear();
      loadHouseholds(only);
    }
    function villageChanged(id) {
      reg.form.household_id = null;
      loadHouseholds(id);
    }
    async function register() {
      errors.clear();
      const form = reg.form;
      const body = { name: form.name.trim(), gender: form.gender, birth_year: form.birth_year,
        phone: form.phone.trim() || null, community_id: form.community_id, household_id: form.household_id || null };
      if (form.id_number.trim()) body.id_number = form.id_number.trim().toUpperCase();
      reg.busy = true;
      try {
        const resident = await api.post("/residents", body);
        reg.open = false;
        ElMessage.success(t("reg.done", { name: resident.name }));
        emit("registered", resident);
      } catch (err) {
        errors.show(err);
      } finally {
        reg.busy = false;
      }
    }
    return { writable, allowed, reg, errors, openRegister, villageChanged, register, t, localName };
  },
  template: `
    <el-button v-if="allowed" type="primary" plain @click="openRegister" data-test="resident-new">{{ t('reg.open') }}</el-button>
    <el-dialog v-model="reg.open" :title="t('reg.title')" width="600px" append-to-body>
      <el-form label-width="120px" @submit.prevent="register">
        <el-form-item :label="t('reg.name')" for="reg-name" :error="errors.fields.name">
          <el-input id="reg-name" v-model="reg.form.name" maxlength="50" data-test="reg-name" /></el-form-item>
        <el-form-item :label="t('reg.gender')" :error="errors.fields.gender">
          <el-radio-group v-model="reg.form.gender" :aria-label="t('reg.gender')">
            <el-radio value="female">{{ t('reg.female') }}</el-radio><el-radio value="male">{{ t('reg.male') }}</el-radio></el-radio-group></el-form-item>
        <el-form-item :label="t('reg.born')" for="reg-born" :error="errors.fields.birth_year">
          <el-input-number id="reg-born" v-model="reg.form.birth_year" :min="1900" :max="2100" :controls="false" data-test="reg-born" /></el-form-item>
        <el-form-item :label="t('reg.phone')" for="reg-phone" :error="errors.fields.phone">
          <el-input id="reg-phone" v-model="reg.form.phone" maxlength="20" inputmode="tel" data-test="reg-phone" /></el-form-item>
        <el-form-item :label="t('reg.village')" for="reg-village" :error="errors.fields.community_id">
          <el-select id="reg-village" v-model="reg.form.community_id" :placeholder="t('reg.village')" filterable @change="villageChanged" data-test="reg-village">
            <el-option v-for="v in writable" :key="v.id" :value="v.id" :label="localName(v, 'name')" /></el-select></el-form-item>
        <el-form-item :label="t('reg.household')" for="reg-household" :error="errors.fields.household_id">
          <el-select id="reg-household" v-model="reg.form.household_id" clearable filterable :placeholder="t('reg.noHousehold')" data-test="reg-household">
            <el-option v-for="h in reg.households" :key="h.id" :value="h.id" :label="h.code + ' ' + h.name" /></el-select></el-form-item>
        <el-form-item :label="t('reg.id')" for="reg-id" :error="errors.fields.id_number">
          <el-input id="reg-id" v-model="reg.form.id_number" maxlength="18" autocomplete="off" data-test="reg-id" />
          <span class="field-help">{{ t('reg.idHelp') }}</span></el-form-item>
      </el-form>
      <p class="muted">{{ t('reg.many') }}</p>
      <p v-if="errors.message" class="form-error" role="alert" data-test="reg-error">{{ errors.message }}</p>
      <template #footer>
        <el-button @click="reg.open = false">{{ t('common.cancel') }}</el-button>
        <el-button type="primary" :loading="reg.busy" @click="register" data-test="reg-save">{{ t('reg.save') }}</el-button>
      </template>
    </el-dialog>`,
};
