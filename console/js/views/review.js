/* The review queue: pending records of my communities with their evidence; approve, reject with a
 * reason, or approve the selected rows in one bulk review (each refused row's own reason is shown). */
import { localName, localTime, messageOf, prefs, t } from "../i18n.js";
import { api, session } from "../session.js";
import { computed, ElMessage, onMounted, reactive, ref } from "../vue.js";
import { newIdempotencyKey } from "/webcommon/api.js";
import { exportList } from "../forms.js";

export const ReviewView = {
  setup() {
    const rows = ref([]);
    const total = ref(0);
    const paging = reactive({ page: 1, per_page: 20 });
    const filters = reactive({ community_id: null });
    const villages = ref([]);
    const selected = ref([]);
    const loading = ref(false);
    const error = ref("");
    const outcomes = ref([]); //: [{id, ok, message}] of the last bulk approval
    const busy = reactive({});
    const keys = {}; //: one Idempotency-Key per record, so a repeated click approves once
    const rejecting = reactive({ open: false, row: null, reason: "", error: "", busy: false });
    const villageName = computed(() => Object.fromEntries(villages.value.map((v) => [v.id, localName(v, "name")])));

    async function load() {
      loading.value = true;
      error.value = "";
      try {
        const query = { status: "pending", page: paging.page, per_page: paging.per_page };
        if (filters.community_id) query.community_id = filters.community_id;
        const page = await api.get("/records", { query });
        rows.value = page.items;
        total.value = page.total;
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

    /* One approval; the key makes a retried click approve once. */
    async function approveOne(row) {
      keys[row.id] = keys[row.id] || newIdempotencyKey();
      return api.post(`/records/${row.id}/approve`, {}, { idempotencyKey: keys[row.id] });
    }
    async function approve(row) {
      busy[row.id] = true;
      try {
        await approveOne(row);
        ElMessage.success(t("review.approved"));
        await load();
      } catch (err) {
        ElMessage.error({ message: messageOf(err), duration: 6000 });
      } finally {
        busy[row.id] = false;
      }
    }
    /* The selected rows in one request (POST /records/bulk-review): each row is approved or refused by
     * the rules of one at a time, and the answer names every refused row's reason. */
    let bulkKey = null; //: kept while the same selection is retried, so a repeated click approves once
    let bulkIds = "";
    async function approveSelected() {
      outcomes.value = [];
      const ids = selected.value.map((row) => row.id);
      if (!ids.length) return;
      if (ids.join(",") !== bulkIds) { bulkIds = ids.join(","); bulkKey = newIdempotencyKey(); }
      ids.forEach((id) => { busy[id] = true; });
      try {
        const answer = await api.post("/records/bulk-review", { ids, decision: "approve" }, { idempotencyKey: bulkKey });
        outcomes.value = answer.results.map((r) => ({ id: r.id, ok: r.ok, message: r.message || r.title || r.code }));
        const message = t("review.bulkDone", { ok: answer.done, failed: answer.refused });
        (answer.refused ? ElMessage.warning : ElMessage.success)(message);
        bulkIds = "";
        await load();
      } catch (err) {
        ElMessage.error({ message: messageOf(err), duration: 6000 });
      } finally {
        ids.forEach((id) => { busy[id] = false; });
      }
    }
    function openReject(row) {
      Object.assign(rejecting, { open: true, row, reason: "", error: "", busy: false });
    }
    async function confirmReject() {
      if (!rejecting.reason.trim()) {
        rejecting.error = t("review.reasonRequired");
        return;
      }
      rejecting.busy = true;
      try {
        await api.post(`/records/${rejecting.row.id}/reject`, { reason: rejecting.reason.trim() });
        rejecting.open = false;
        ElMessage.success(t("review.rejected"));
        await load();
      } catch (err) {
        rejecting.error = messageOf(err);
      } finally {
        rejecting.busy = false;
      }
    }
    /* Evidence needs the session: fetched as a blob and opened in a new tab (no token in a URL). */
    async function openEvidence(file) {
      const tab = window.open("", "_blank");
      try {
        const blob = await api.blob(file.url.replace(/^\/api\/v1/, ""));
        const url = URL.createObjectURL(blob);
        if (tab) tab.location = url; else window.location.assign(url);
      } catch (err) {
        if (tab) tab.close();
        ElMessage.error(messageOf(err));
      }
    }
    const title = (row) => (prefs.lang === "en" ? row.title_en || row.title_zh : row.title_zh);
    const mine = (row) => session.me && row.logged_by_user_id === session.me.id;
    const changePage = (page) => { paging.page = page; load(); };

    return {
      rows, total, paging, filters, villages, villageName, selected, loading, error, outcomes, busy, rejecting,
      load, approve, approveSelected, openReject, confirmReject, openEvidence, title, mine, changePage, t,
      localName, localTime,
      exportXlsx: () => exportList("/records", { status: "pending", community_id: filters.community_id }, "records.xlsx"),
    };
  },
  template: `
  <section class="review">
    <div class="toolbar">
      <el-select v-model="filters.community_id" clearable :placeholder="t('review.village')" style="width: 200px"
                 @change="changePage(1)" :aria-label="t('review.village')">
        <el-option v-for="v in villages" :key="v.id" :value="v.id" :label="localName(v, 'name')" />
      </el-select>
      <el-button @click="load" data-test="refresh">{{ t('review.refresh') }}</el-button>
      <el-button type="primary" :disabled="!selected.length" @click="approveSelected" data-test="bulk-approve">
        {{ t('review.bulkApprove', { n: selected.length }) }}</el-button>
      <el-button @click="exportXlsx" data-test="export">{{ t('common.export') }}</el-button>
      <span class="count">{{ t('review.total', { n: total }) }}</span>
    </div>
    <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="page-error" data-test="error" />
    <ul v-if="outcomes.some(o => !o.ok)" class="outcomes" data-test="outcomes">
      <li v-for="o in outcomes.filter(o => !o.ok)" :key="o.id">{{ t('review.rowError', { id: o.id, message: o.message }) }}</li>
    </ul>
    <el-table :data="rows" v-loading="loading" stripe border row-key="id" @selection-change="selected = $event"
              :empty-text="t('review.empty')" data-table="queue">
      <el-table-column type="selection" width="44" />
      <el-table-column prop="id" label="#" width="70" />
      <el-table-column :label="t('review.resident')" min-width="110">
        <template #default="{ row }">{{ row.resident_name || '—' }}<el-tag v-if="mine(row)" size="small" type="warning" class="mine">{{ t('review.mine') }}</el-tag></template></el-table-column>
      <el-table-column :label="t('review.village')" min-width="100">
        <template #default="{ row }">{{ villageName[row.community_id] || row.community_id }}</template></el-table-column>
      <el-table-column :label="t('review.item')" min-width="220">
        <template #default="{ row }">{{ title(row) }}<small class="item-code">{{ row.item_code }}</small></template></el-table-column>
      <el-table-column :label="t('review.points')" width="80" align="right">
        <template #default="{ row }"><span :class="row.points > 0 ? 'plus' : 'minus'">{{ row.points > 0 ? '+' : '' }}{{ row.points }}</span></template></el-table-column>
      <el-table-column :label="t('review.occurred')" width="150">
        <template #default="{ row }">{{ localTime(row.occurred_at) }}</template></el-table-column>
      <el-table-column :label="t('review.note')" min-width="120" show-overflow-tooltip>
        <template #default="{ row }">{{ row.note || '' }}</template></el-table-column>
      <el-table-column :label="t('review.evidence')" min-width="120">
        <template #default="{ row }">
          <span v-if="!row.evidence.length" class="muted">{{ t('review.noEvidence') }}</span>
          <el-button v-for="file in row.evidence" :key="file.id" link type="primary" @click="openEvidence(file)">{{ file.filename }}</el-button>
        </template></el-table-column>
      <el-table-column width="170" fixed="right" :label="''">
        <template #default="{ row }">
          <el-button size="small" type="primary" :loading="busy[row.id]" @click="approve(row)" :data-approve="row.id">{{ t('review.approve') }}</el-button>
          <el-button size="small" type="danger" plain @click="openReject(row)" :data-reject="row.id">{{ t('review.reject') }}</el-button>
        </template></el-table-column>
    </el-table>
    <el-pagination v-if="total > paging.per_page" layout="prev, pager, next" :total="total" :page-size="paging.per_page"
                   :current-page="paging.page" @current-change="changePage" class="pager" />
    <el-dialog v-model="rejecting.open" :title="t('review.rejectTitle')" width="480px">
      <p v-if="rejecting.row">#{{ rejecting.row.id }} · {{ rejecting.row.resident_name }} · {{ title(rejecting.row) }}</p>
      <el-input v-model="rejecting.reason" @input="rejecting.error = ''" type="textarea" :rows="3" :aria-label="t('review.reason')"
                :placeholder="t('review.reason')" data-test="reject-reason" maxlength="500" show-word-limit />
      <p v-if="rejecting.error" class="form-error" role="alert" data-test="reject-error">{{ rejecting.error }}</p>
      <template #footer>
        <el-button @click="rejecting.open = false">{{ t('review.cancel') }}</el-button>
        <el-button type="danger" :loading="rejecting.busy" @click="confirmReject" data-test="reject-confirm">{{ t('review.confirm') }}</el-button>
      </template>
    </el-dialog>
  </section>`,
};
