/* Printed cards (诚信名片) of my villages: find by village, state or number, revoke a lost one, print a
 * village's card sheet, export the list to Excel. Issuing and reissuing a resident's card is done from
 * the resident's archive (it names the person first). */
import { addTexts, localName, localTime, t } from "../i18n.js";
import { api, download, hasRole, openFile } from "../session.js";
import { computed, ElMessage, onMounted, reactive, ref } from "../vue.js";
import { nameOf, refusal, villagesWhere } from "./people-common.js";

addTexts({
  "zh-CN": {
    "menu.cards": "名片管理", "cards.village": "村社区", "cards.all": "全部", "cards.state": "状态",
    "cards.active": "有效", "cards.revoked": "已作废", "cards.kind": "类别", "cards.kind.resident": "居民卡",
    "cards.kind.merchant": "商户门牌", "cards.number": "卡号", "cards.holder": "持卡人", "cards.issued": "发卡时间",
    "cards.revokedAt": "作废时间", "cards.reason": "作废原因", "cards.search": "查询", "cards.export": "导出 Excel",
    "cards.print": "打印本村名片（PDF）", "cards.printHint": "先选择村社区", "cards.revoke": "作废",
    "cards.revokeTitle": "作废名片 {number}（{holder}）", "cards.reasonHint": "如：卡片遗失",
    "cards.reasonRequired": "请填写原因", "cards.done": "名片已作废", "cards.cancel": "取消", "cards.empty": "没有名片",
    "cards.total": "共 {n} 张", "cards.numberHint": "卡号，如 R0000012-1",
  },
  en: {
    "menu.cards": "Cards", "cards.village": "Village", "cards.all": "All", "cards.state": "State",
    "cards.active": "active", "cards.revoked": "revoked", "cards.kind": "Kind", "cards.kind.resident": "resident card",
    "cards.kind.merchant": "shop card", "cards.number": "Card number", "cards.holder": "Holder", "cards.issued": "Issued",
    "cards.revokedAt": "Revoked", "cards.reason": "Reason", "cards.search": "Search", "cards.export": "Export to Excel",
    "cards.print": "Print the village's cards (PDF)", "cards.printHint": "Choose a village first", "cards.revoke": "Revoke",
    "cards.revokeTitle": "Revoke card {number} ({holder})", "cards.reasonHint": "e.g. card lost",
    "cards.reasonRequired": "Give a reason", "cards.done": "Card revoked", "cards.cancel": "Cancel", "cards.empty": "No cards",
    "cards.total": "{n} cards", "cards.numberHint": "card number, e.g. R0000012-1",
  },
});

export const CardsView = {
  setup() {
    const villages = ref([]);
    const rows = ref([]);
    const total = ref(0);
    const page = ref(1);
    const filters = reactive({ community_id: null, status: "active", kind: hasRole("district_admin") ? null : "resident", number: "" });
    const loading = ref(false);
    const error = ref("");
    const admin = computed(() => hasRole("district_admin"));
    const seen = computed(() => villagesWhere(villages.value, "worker", "reviewer"));
    const writable = computed(() => villagesWhere(villages.value, "worker"));
    const villageName = computed(() => nameOf(villages.value));

    function query() {
      const q = {};
      for (const [key, value] of Object.entries(filters)) {
        const v = typeof value === "string" ? value.trim() : value;
        if (v !== null && v !== "") q[key] = v;
      }
      return q;
    }
    async function load(to = 1) {
      page.value = to;
      loading.value = true;
      error.value = "";
      try {
        const answer = await api.get("/cards", { query: { page: to, per_page: 20, ...query() } });
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

    const canRevoke = (row) => row.status === "active" && (admin.value
      || (row.kind === "resident" && hasRole("worker") && writable.value.some((v) => v.id === row.community_id)));
    const revoking = reactive({ open: false, card: null, reason: "", busy: false, error: "" });
    function openRevoke(card) { Object.assign(revoking, { open: true, card, reason: "", busy: false, error: "" }); }
    async function revoke() {
      const reason = revoking.reason.trim();
      if (!reason) { revoking.error = t("cards.reasonRequired"); return; }
      revoking.busy = true;
      try {
        await api.post(`/cards/${revoking.card.id}/revoke`, { reason });
        revoking.open = false;
        ElMessage.success(t("cards.done"));
        await load(page.value);
      } catch (err) {
        revoking.error = refusal(err).message;
      } finally { revoking.busy = false; }
    }

    const busy = reactive({ print: false, export: false });
    async function printSheet() {
      busy.print = true;
      try { await openFile("/cards/print-sheet.pdf?community_id=" + filters.community_id); } catch (err) {
        ElMessage.error({ message: refusal(err).message, duration: 6000 });
      } finally { busy.print = false; }
    }
    async function exportXlsx() {
      busy.export = true;
      try {
        const q = new URLSearchParams(query());
        await download("/cards/export.xlsx" + (String(q) ? "?" + q : ""), "cards.xlsx");
      } catch (err) {
        ElMessage.error({ message: refusal(err).message, duration: 6000 });
      } finally { busy.export = false; }
    }
    return { villages, seen, villageName, rows, total, page, filters, loading, error, admin, load, canRevoke, revoking,
      openRevoke, revoke, busy, printSheet, exportXlsx, t, localName, localTime };
  },
  template: `
  <section class="cards">
    <el-form :inline="true" class="filters" @submit.prevent="load(1)">
      <el-form-item :label="t('cards.village')" for="cards-village">
        <el-select id="cards-village" v-model="filters.community_id" clearable :placeholder="t('cards.all')" style="width: 160px"
                   @change="load(1)" data-test="cards-village">
          <el-option v-for="v in seen" :key="v.id" :value="v.id" :label="localName(v, 'name')" /></el-select></el-form-item>
      <el-form-item :label="t('cards.state')" for="cards-state">
        <el-select id="cards-state" v-model="filters.status" clearable :placeholder="t('cards.all')" style="width: 110px" @change="load(1)">
          <el-option value="active" :label="t('cards.active')" /><el-option value="revoked" :label="t('cards.revoked')" /></el-select></el-form-item>
      <el-form-item v-if="admin" :label="t('cards.kind')" for="cards-kind">
        <el-select id="cards-kind" v-model="filters.kind" clearable :placeholder="t('cards.all')" style="width: 120px" @change="load(1)">
          <el-option value="resident" :label="t('cards.kind.resident')" /><el-option value="merchant" :label="t('cards.kind.merchant')" /></el-select></el-form-item>
      <el-form-item :label="t('cards.number')" for="cards-number">
        <el-input id="cards-number" v-model="filters.number" clearable maxlength="20" :placeholder="t('cards.numberHint')" style="width: 200px" /></el-form-item>
      <el-form-item><el-button type="primary" native-type="submit">{{ t('cards.search') }}</el-button></el-form-item>
      <el-form-item><el-button :loading="busy.export" @click="exportXlsx" data-test="cards-export">{{ t('cards.export') }}</el-button></el-form-item>
      <el-form-item><el-button :disabled="!filters.community_id" :loading="busy.print" @click="printSheet" :title="t('cards.printHint')"
                               data-test="cards-print">{{ t('cards.print') }}</el-button></el-form-item>
    </el-form>
    <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="page-error" />
    <div class="count" style="margin: 0 0 8px; color: #5b6270">{{ t('cards.total', { n: total }) }}</div>
    <el-table :data="rows" v-loading="loading" stripe border :empty-text="t('cards.empty')" data-table="cards">
      <el-table-column prop="number" :label="t('cards.number')" width="140" />
      <el-table-column :label="t('cards.kind')" width="130"><template #default="{ row }">{{ t('cards.kind.' + row.kind) }}</template></el-table-column>
      <el-table-column prop="holder_name" :label="t('cards.holder')" min-width="130" />
      <el-table-column :label="t('cards.village')" min-width="150"><template #default="{ row }">{{ villageName[row.community_id] || '—' }}</template></el-table-column>
      <el-table-column :label="t('cards.state')" width="90"><template #default="{ row }">
        <el-tag :type="row.status === 'active' ? 'success' : 'info'" effect="plain">{{ t('cards.' + row.status) }}</el-tag></template></el-table-column>
      <el-table-column :label="t('cards.issued')" width="140"><template #default="{ row }">{{ localTime(row.issued_at) }}</template></el-table-column>
      <el-table-column :label="t('cards.revokedAt')" width="140"><template #default="{ row }">{{ localTime(row.revoked_at) || '—' }}</template></el-table-column>
      <el-table-column prop="revoke_reason" :label="t('cards.reason')" min-width="120" />
      <el-table-column width="110"><template #default="{ row }">
        <el-button v-if="canRevoke(row)" size="small" type="danger" plain @click="openRevoke(row)" :data-revoke="row.number">{{ t('cards.revoke') }}</el-button>
      </template></el-table-column>
    </el-table>
    <el-pagination v-if="total > 20" layout="prev, pager, next" :total="total" :page-size="20" :current-page="page"
                   @current-change="load" class="pager" />
    <el-dialog v-model="revoking.open" width="480px"
               :title="revoking.card ? t('cards.revokeTitle', { number: revoking.card.number, holder: revoking.card.holder_name }) : ''">
      <el-form label-position="top" @submit.prevent="revoke">
        <el-form-item :label="t('cards.reason')" for="cards-reason">
          <el-input id="cards-reason" v-model="revoking.reason" maxlength="200" :placeholder="t('cards.reasonHint')"
                    @input="revoking.error = ''" data-test="cards-reason" /></el-form-item>
      </el-form>
      <p v-if="revoking.error" class="form-error" role="alert" data-test="cards-error">{{ revoking.error }}</p>
      <template #footer>
        <el-button @click="revoking.open = false">{{ t('cards.cancel') }}</el-button>
        <el-button type="danger" :loading="revoking.busy" @click="revoke" data-test="cards-revoke-confirm">{{ t('cards.revoke') }}</el-button>
      </template>
    </el-dialog>
  </section>`,
};
