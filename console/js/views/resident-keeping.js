/* Keeping one resident, inside the archive drawer of the residents screen: correct the details and move
 * to another village or household, the printed card (issue, reissue, revoke), the kiosk PIN and the
 * phone app's one-time activation code (shown once, in large print, to read out or copy by hand).
 * Only the workers of the resident's village and the district admin see these buttons (the API checks). */
import { addTexts, localName, localTime, t } from "../i18n.js";
import { api, hasRole } from "../session.js";
import { computed, ElMessage, ElMessageBox, reactive, ref, watch } from "../vue.js";
import { refusal, villagesWhere } from "./people-common.js";

addTexts({
  "zh-CN": {
    "keep.edit": "修改资料 / 迁移", "keep.editTitle": "修改居民资料", "keep.name": "姓名", "keep.phone": "手机号",
    "keep.village": "村社区", "keep.household": "信用户", "keep.noHousehold": "不属于任何信用户", "keep.status": "状态",
    "keep.st.active": "在册", "keep.st.moved_out": "已迁出", "keep.st.deceased": "已故", "keep.save": "保存",
    "keep.cancel": "取消", "keep.saved": "已保存", "keep.nameRequired": "姓名不能为空", "keep.nothing": "没有改动",
    "keep.moveNote": "迁到其他村社区时，原来的信用户不再适用，请重新选择。",
    "keep.card": "名片", "keep.noCard": "还没有有效名片", "keep.issue": "发卡", "keep.reissue": "补办（旧卡作废）",
    "keep.revoke": "作废", "keep.reason": "原因", "keep.reasonHint": "如：卡片遗失", "keep.revokeTitle": "作废名片 {number}",
    "keep.reissueTitle": "补办名片：旧卡 {number} 立即作废", "keep.reasonRequired": "请填写原因",
    "keep.issued": "已发卡：{number}", "keep.revoked": "名片已作废", "keep.cardIssuedAt": "发卡于 {at}",
    "keep.pin": "重置自助机 PIN", "keep.pinTitle": "设置新的 6 位 PIN", "keep.pinNew": "新 PIN", "keep.pinAgain": "再输一次",
    "keep.pinRule": "请输入两次相同的 6 位数字", "keep.pinDone": "PIN 已重置；此居民在各处的登录已退出",
    "keep.pinHas": "已设置 PIN", "keep.pinNone": "未设置 PIN", "keep.pinLocked": "PIN 锁定至 {at}",
    "keep.activation": "发放 App 激活码", "keep.activationTitle": "App 激活码", "keep.activationAsk":
      "发放新的激活码？之前未使用的激活码会立即失效。", "keep.activationGive": "发放",
    "keep.activationOnce": "此码只显示这一次。请当面交给居民：在手机 App 上用手机号 {phone}、此激活码和身份证后四位设置密码。",
    "keep.activationUntil": "有效期至 {at}", "keep.close": "我已交给居民，关闭",
  },
  en: {
    "keep.edit": "Edit / move", "keep.editTitle": "Edit resident", "keep.name": "Name", "keep.phone": "Phone",
    "keep.village": "Village", "keep.household": "Household", "keep.noHousehold": "No household", "keep.status": "Status",
    "keep.st.active": "active", "keep.st.moved_out": "moved out", "keep.st.deceased": "deceased", "keep.save": "Save",
    "keep.cancel": "Cancel", "keep.saved": "Saved", "keep.nameRequired": "The name cannot be empty", "keep.nothing": "Nothing changed",
    "keep.moveNote": "Moving to another village leaves the old household: choose a new one.",
    "keep.card": "Card", "keep.noCard": "No active card yet", "keep.issue": "Issue card", "keep.reissue": "Reissue (old card stops)",
    "keep.revoke": "Revoke", "keep.reason": "Reason", "keep.reasonHint": "e.g. card lost", "keep.revokeTitle": "Revoke card {number}",
    "keep.reissueTitle": "Reissue: the old card {number} stops working at once", "keep.reasonRequired": "Give a reason",
    "keep.issued": "Card issued: {number}", "keep.revoked": "Card revoked", "keep.cardIssuedAt": "issued {at}",
    "keep.pin": "Reset kiosk PIN", "keep.pinTitle": "Set a new 6-digit PIN", "keep.pinNew": "New PIN", "keep.pinAgain": "Again",
    "keep.pinRule": "Type the same 6 digits twice", "keep.pinDone": "PIN reset; the resident is signed out everywhere",
    "keep.pinHas": "PIN set", "keep.pinNone": "no PIN", "keep.pinLocked": "PIN locked until {at}",
    "keep.activation": "App activation code", "keep.activationTitle": "App activation code",
    "keep.activationAsk": "Give a new activation code? Any earlier unused code stops working at once.",
    "keep.activationGive": "Give code",
    "keep.activationOnce": "Shown only this once. Hand it to the resident: in the phone app they use the phone {phone}, this code and the last 4 of their ID to set a password.",
    "keep.activationUntil": "valid until {at}", "keep.close": "Handed over, close",
  },
});

export const ResidentKeeping = {
  props: { resident: { type: Object, required: true }, villages: { type: Array, required: true } },
  emits: ["changed"],
  setup(props, { emit }) {
    const writable = computed(() => villagesWhere(props.villages, "worker"));
    const canWrite = computed(() => hasRole("district_admin", "worker")
      && writable.value.some((v) => v.id === props.resident.community_id));

    /* the printed card */
    const card = ref(null);
    async function loadCard() {
      try {
        const cards = await api.get("/cards", { query: { resident_id: props.resident.id, status: "active", per_page: 1 } });
        card.value = cards.items[0] || null;
      } catch (err) { card.value = null; }
    }
    watch(() => props.resident.id, loadCard, { immediate: true });
    const cardDialog = reactive({ open: false, mode: "revoke", reason: "", busy: false, error: "" });
    function openCard(mode) { Object.assign(cardDialog, { open: true, mode, reason: "", busy: false, error: "" }); }
    async function issue() {
      try {
        const issued = await api.post("/cards", { resident_id: props.resident.id });
        card.value = issued;
        ElMessage.success(t("keep.issued", { number: issued.number }));
      } catch (err) { ElMessage.error({ message: refusal(err).message, duration: 8000 }); }
    }
    async function confirmCard() {
      const reason = cardDialog.reason.trim();
      if (!reason) { cardDialog.error = t("keep.reasonRequired"); return; }
      cardDialog.busy = true;
      try {
        if (cardDialog.mode === "revoke") {
          await api.post(`/cards/${card.value.id}/revoke`, { reason });
          card.value = null;
          ElMessage.success(t("keep.revoked"));
        } else {
          const issued = await api.post("/cards", { resident_id: props.resident.id, reason });
          card.value = issued;
          ElMessage.success(t("keep.issued", { number: issued.number }));
        }
        cardDialog.open = false;
      } catch (err) {
        cardDialog.error = refusal(err).message;
      } finally { cardDialog.busy = false; }
    }

    /* details and moving */
    const edit = reactive({ open: false, busy: false, error: "", fields: {}, form: {}, households: [] });
    async function loadHouseholds(communityId) {
      edit.households = [];
      try {
        edit.households = (await api.get("/households", { query: { community_id: communityId, per_page: 100 } })).items;
      } catch (err) { /* the select stays empty */ }
    }
    function openEdit() {
      const r = props.resident;
      Object.assign(edit, { open: true, busy: false, error: "", fields: {},
        form: { name: r.name, phone: r.phone || "", community_id: r.community_id, household_id: r.household_id, status: r.status } });
      loadHouseholds(r.community_id);
    }
    function villageChanged(id) {
      edit.form.household_id = null;
      loadHouseholds(id);
    }
    watch(() => JSON.stringify(edit.form), () => { edit.error = ""; edit.fields = {}; });
    async function save() {
      const r = props.resident;
      const form = edit.form;
      const body = {};
      const name = form.name.trim();
      if (!name) { edit.fields = { name: t("keep.nameRequired") }; return; }
      if (name !== r.name) body.name = name;
      const phone = form.phone.trim() || null;
      if (phone !== (r.phone || null)) body.phone = phone;
      if (form.community_id !== r.community_id) body.community_id = form.community_id;
      if ((form.household_id || null) !== (r.household_id || null) || body.community_id) body.household_id = form.household_id || null;
      if (form.status !== r.status) body.status = form.status;
      if (!Object.keys(body).length) { edit.error = t("keep.nothing"); return; }
      edit.busy = true;
      try {
        const updated = await api.patch(`/residents/${r.id}`, body);
        edit.open = false;
        ElMessage.success(t("keep.saved"));
        emit("changed", updated);
      } catch (err) {
        const { fields, message } = refusal(err);
        edit.fields = fields;
        edit.error = message;
      } finally { edit.busy = false; }
    }

    /* kiosk PIN */
    const pin = reactive({ open: false, first: "", second: "", busy: false, error: "" });
    function openPin() { Object.assign(pin, { open: true, first: "", second: "", busy: false, error: "" }); }
    async function savePin() {
      if (!/^\d{6}$/.test(pin.first) || pin.first !== pin.second) { pin.error = t("keep.pinRule"); return; }
      pin.busy = true;
      try {
        await api.put(`/residents/${props.resident.id}/pin`, { pin: pin.first });
        pin.open = false;
        ElMessage.success(t("keep.pinDone"));
        emit("changed", { ...props.resident, has_pin: true, pin_locked_until: null });
      } catch (err) {
        pin.error = refusal(err).message;
      } finally { pin.busy = false; }
    }

    /* app activation code: asked for, then shown once */
    const activation = reactive({ open: false, code: null });
    async function giveActivation() {
      try {
        await ElMessageBox.confirm(t("keep.activationAsk"), t("keep.activationTitle"), {
          confirmButtonText: t("keep.activationGive"), cancelButtonText: t("keep.cancel"), type: "warning" });
      } catch (cancelled) { return; }
      try {
        activation.code = await api.post(`/residents/${props.resident.id}/activation-code`, {});
        activation.open = true;
      } catch (err) { ElMessage.error({ message: refusal(err).message, duration: 8000 }); }
    }
    function closeActivation() { activation.open = false; activation.code = null; }
    const grouped = (code) => (code ? code.slice(0, 4) + " " + code.slice(4) : "");

    return { canWrite, writable, card, cardDialog, openCard, issue, confirmCard, edit, openEdit, villageChanged, save,
      pin, openPin, savePin, activation, giveActivation, closeActivation, grouped, t, localName, localTime };
  },
  template: `
  <div class="keeping" v-if="canWrite" data-test="keeping">
    <div class="archive-actions">
      <el-button @click="openEdit" data-test="resident-edit">{{ t('keep.edit') }}</el-button>
      <el-button @click="openPin" data-test="resident-pin">{{ t('keep.pin') }}</el-button>
      <el-button @click="giveActivation" data-test="resident-activation">{{ t('keep.activation') }}</el-button>
      <span class="muted" style="align-self: center">{{ resident.pin_locked_until ? t('keep.pinLocked', { at: localTime(resident.pin_locked_until) })
        : t(resident.has_pin ? 'keep.pinHas' : 'keep.pinNone') }}</span>
    </div>
    <div class="archive-actions" data-test="resident-card" style="align-items: center">
      <strong>{{ t('keep.card') }}</strong>
      <template v-if="card">
        <el-tag effect="plain" size="large" data-test="card-number">{{ card.number }}</el-tag>
        <span class="muted">{{ t('keep.cardIssuedAt', { at: localTime(card.issued_at) }) }}</span>
        <el-button @click="openCard('reissue')" data-test="card-reissue">{{ t('keep.reissue') }}</el-button>
        <el-button type="danger" plain @click="openCard('revoke')" data-test="card-revoke">{{ t('keep.revoke') }}</el-button>
      </template>
      <template v-else>
        <span class="muted">{{ t('keep.noCard') }}</span>
        <el-button type="primary" @click="issue" data-test="card-issue">{{ t('keep.issue') }}</el-button>
      </template>
    </div>

    <el-dialog v-model="edit.open" :title="t('keep.editTitle')" width="560px" append-to-body>
      <el-form label-width="110px" @submit.prevent="save">
        <el-form-item :label="t('keep.name')" for="keep-name" :error="edit.fields.name">
          <el-input id="keep-name" v-model="edit.form.name" maxlength="50" data-test="keep-name" /></el-form-item>
        <el-form-item :label="t('keep.phone')" for="keep-phone" :error="edit.fields.phone">
          <el-input id="keep-phone" v-model="edit.form.phone" maxlength="20" data-test="keep-phone" /></el-form-item>
        <el-form-item :label="t('keep.village')" for="keep-village" :error="edit.fields.community_id">
          <el-select id="keep-village" v-model="edit.form.community_id" @change="villageChanged" data-test="keep-village">
            <el-option v-for="v in writable" :key="v.id" :value="v.id" :label="localName(v, 'name')" /></el-select></el-form-item>
        <el-form-item :label="t('keep.household')" for="keep-household" :error="edit.fields.household_id">
          <el-select id="keep-household" v-model="edit.form.household_id" clearable :placeholder="t('keep.noHousehold')" data-test="keep-household">
            <el-option v-for="h in edit.households" :key="h.id" :value="h.id" :label="h.code + ' ' + h.name" /></el-select></el-form-item>
        <p v-if="edit.form.community_id !== resident.community_id" class="muted">{{ t('keep.moveNote') }}</p>
        <el-form-item :label="t('keep.status')" :error="edit.fields.status">
          <el-radio-group v-model="edit.form.status" :aria-label="t('keep.status')">
            <el-radio value="active">{{ t('keep.st.active') }}</el-radio>
            <el-radio value="moved_out">{{ t('keep.st.moved_out') }}</el-radio>
            <el-radio value="deceased">{{ t('keep.st.deceased') }}</el-radio></el-radio-group></el-form-item>
      </el-form>
      <p v-if="edit.error" class="form-error" role="alert" data-test="keep-error">{{ edit.error }}</p>
      <template #footer>
        <el-button @click="edit.open = false">{{ t('keep.cancel') }}</el-button>
        <el-button type="primary" :loading="edit.busy" @click="save" data-test="keep-save">{{ t('keep.save') }}</el-button>
      </template>
    </el-dialog>

    <el-dialog v-model="cardDialog.open" width="480px" append-to-body
               :title="t(cardDialog.mode === 'revoke' ? 'keep.revokeTitle' : 'keep.reissueTitle', { number: card ? card.number : '' })">
      <el-form label-position="top" @submit.prevent="confirmCard">
        <el-form-item :label="t('keep.reason')" for="card-reason">
          <el-input id="card-reason" v-model="cardDialog.reason" maxlength="200" :placeholder="t('keep.reasonHint')"
                    @input="cardDialog.error = ''" data-test="card-reason" /></el-form-item>
      </el-form>
      <p v-if="cardDialog.error" class="form-error" role="alert" data-test="card-error">{{ cardDialog.error }}</p>
      <template #footer>
        <el-button @click="cardDialog.open = false">{{ t('keep.cancel') }}</el-button>
        <el-button :type="cardDialog.mode === 'revoke' ? 'danger' : 'primary'" :loading="cardDialog.busy" @click="confirmCard"
                   data-test="card-confirm">{{ t(cardDialog.mode === 'revoke' ? 'keep.revoke' : 'keep.reissue') }}</el-button>
      </template>
    </el-dialog>

    <el-dialog v-model="pin.open" :title="t('keep.pinTitle')" width="420px" append-to-body>
      <el-form label-width="100px" @submit.prevent="savePin">
        <el-form-item :label="t('keep.pinNew')" for="pin-first">
          <el-input id="pin-first" v-model="pin.first" type="password" maxlength="6" inputmode="numeric" autocomplete="off"
                    @input="pin.error = ''" data-test="pin-first" /></el-form-item>
        <el-form-item :label="t('keep.pinAgain')" for="pin-second">
          <el-input id="pin-second" v-model="pin.second" type="password" maxlength="6" inputmode="numeric" autocomplete="off"
                    @input="pin.error = ''" data-test="pin-second" /></el-form-item>
      </el-form>
      <p v-if="pin.error" class="form-error" role="alert" data-test="pin-error">{{ pin.error }}</p>
      <template #footer>
        <el-button @click="pin.open = false">{{ t('keep.cancel') }}</el-button>
        <el-button type="primary" :loading="pin.busy" @click="savePin" data-test="pin-save">{{ t('keep.save') }}</el-button>
      </template>
    </el-dialog>

    <el-dialog v-model="activation.open" :title="t('keep.activationTitle')" width="560px" append-to-body
               :close-on-click-modal="false" @closed="closeActivation">
      <div v-if="activation.code" style="text-align: center">
        <p style="margin: 0 0 8px; font-size: 16px">{{ resident.name }} · {{ activation.code.phone }}</p>
        <p data-test="activation-code" aria-live="polite"
           style="font-size: 56px; font-weight: 700; color: #1f2329; letter-spacing: 8px; margin: 12px 0; font-family: 'Noto Sans Mono CJK SC', monospace">
          {{ grouped(activation.code.code) }}</p>
        <p class="muted">{{ t('keep.activationUntil', { at: localTime(activation.code.expires_at) }) }}</p>
        <el-alert :title="t('keep.activationOnce', { phone: activation.code.phone })" type="warning" :closable="false" show-icon />
      </div>
      <template #footer>
        <el-button type="primary" @click="activation.open = false" data-test="activation-close">{{ t('keep.close') }}</el-button>
      </template>
    </el-dialog>
  </div>`,
};
