/* Credit repair (信用修复): the repair requests of my communities; open one to read the resident's written
 * commitment next to the volunteer hours they report and the hours volunteering has actually settled
 * since the deed, then approve it (the deduction is given back) or reject it with a reason. */
import { addTexts, localTime, messageOf, prefs, t } from "../i18n.js";
import { api } from "../session.js";
import { ElMessage, onMounted, reactive, ref } from "../vue.js";
import { newIdempotencyKey } from "/webcommon/api.js";
import { cleanQuery, exportList, openEvidence, useVillages } from "./oversight.js";

addTexts({
  "zh-CN": {
    "rep.status": "处理状态", "rep.pending": "待审核", "rep.approved": "已批准", "rep.rejected": "已驳回",
    "rep.resident": "申请人", "rep.item": "被修复的记录", "rep.points": "扣分", "rep.commitment": "修复承诺",
    "rep.reported": "申报志愿时长", "rep.verified": "核实志愿时长", "rep.hours": "{n} 小时", "rep.applied": "申请时间",
    "rep.empty": "没有符合条件的修复申请", "rep.title": "审核修复申请 #{id}", "rep.short": "核实时长少于申报时长",
    "rep.hoursHelp": "核实时长：该居民自记录发生以来，志愿活动实际结算的服务时长。",
    "rep.note": "审核意见（批准可不填，驳回必填，居民可见）", "rep.reasonRequired": "驳回修复申请须填写理由。",
    "rep.approve": "批准修复", "rep.reject": "驳回申请", "rep.approvedDone": "已批准，扣分已返还",
    "rep.rejectedDone": "已驳回修复申请", "rep.decision": "处理结果", "rep.occurred": "记录发生时间",
    "rep.evidence": "记录佐证",
  },
  en: {
    "rep.status": "Status", "rep.pending": "Pending", "rep.approved": "Approved", "rep.rejected": "Rejected",
    "rep.resident": "Resident", "rep.item": "Record to repair", "rep.points": "Points", "rep.commitment": "Commitment",
    "rep.reported": "Reported hours", "rep.verified": "Verified hours", "rep.hours": "{n} h", "rep.applied": "Applied",
    "rep.empty": "No repair requests match", "rep.title": "Repair request #{id}", "rep.short": "Fewer verified hours than reported",
    "rep.hoursHelp": "Verified hours: volunteer service settled by activities since the record's deed.",
    "rep.note": "Decision note (optional to approve, needed to reject; the resident reads it)",
    "rep.reasonRequired": "Give a reason to reject a repair request.",
    "rep.approve": "Approve repair", "rep.reject": "Reject", "rep.approvedDone": "Approved: the deduction is given back",
    "rep.rejectedDone": "Repair request rejected", "rep.decision": "Decision", "rep.occurred": "Record happened",
    "rep.evidence": "Record evidence",
  },
});

export const RepairsView = {
  setup() {
    const { villages, nameOf } = useVillages();
    const rows = ref([]);
    const total = ref(0);
    const paging = reactive({ page: 1, per_page: 20 });
    const filters = reactive({ status: "pending", community_id: null });
    const loading = ref(false);
    const exporting = ref(false);
    const error = ref("");
    const deciding = reactive({ open: false, row: null, record: null, note: "", error: "", busy: "" });
    const keys = {}; //: one Idempotency-Key per approval, so a repeated click gives the deduction back once

    const query = () => cleanQuery({ status: filters.status, community_id: filters.community_id });
    async function load(to = paging.page) {
      paging.page = to;
      loading.value = true;
      error.value = "";
      try {
        const answer = await api.get("/repairs", { query: { ...query(), page: paging.page, per_page: paging.per_page } });
        rows.value = answer.items;
        total.value = answer.total;
      } catch (err) {
        error.value = messageOf(err);
      } finally {
        loading.value = false;
      }
    }
    onMounted(() => load(1));

    async function openDecision(row) {
      Object.assign(deciding, { open: true, row, record: null, note: "", error: "", busy: "" });
      try {
        deciding.record = await api.get(`/records/${row.record_id}`);
      } catch (err) {
        deciding.error = messageOf(err);
      }
    }
    async function decide(decision) {
      const note = deciding.note.trim();
      if (decision === "reject" && !note) {
        deciding.error = t("rep.reasonRequired");
        return;
      }
      const id = deciding.row.id;
      deciding.busy = decision;
      try {
        if (decision === "approve") {
          keys[id] = keys[id] || newIdempotencyKey();
          await api.post(`/repairs/${id}/approve`, note ? { note } : {}, { idempotencyKey: keys[id] });
        } else {
          await api.post(`/repairs/${id}/reject`, { reason: note });
        }
        deciding.open = false;
        ElMessage.success(t(decision === "approve" ? "rep.approvedDone" : "rep.rejectedDone"));
        await load();
      } catch (err) {
        deciding.error = messageOf(err);
        delete keys[id];
        if (err.status === 409) load(); // decided meanwhile on another desk: the list shows how
      } finally {
        deciding.busy = "";
      }
    }
    const exportXlsx = () => exportList("/repairs", query(), "repairs.xlsx", exporting);
    const title = (r) => (r ? (prefs.lang === "en" ? r.title_en || r.title_zh : r.title_zh) : "");
    const short = (row) => row.verified_volunteer_hours !== null && row.verified_volunteer_hours < row.volunteer_hours;
    const statusType = { pending: "warning", approved: "success", rejected: "info" };
    return { rows, total, paging, filters, villages, nameOf, loading, exporting, error, deciding, load, openDecision,
      decide, exportXlsx, title, short, statusType, openEvidence, localTime, t };
  },
  template: `
  <section class="repairs">
    <div class="toolbar">
      <el-radio-group v-model="filters.status" @change="load(1)" :aria-label="t('rep.status')">
        <el-radio-button value="pending">{{ t('rep.pending') }}</el-radio-button>
        <el-radio-button value="approved">{{ t('rep.approved') }}</el-radio-button>
        <el-radio-button value="rejected">{{ t('rep.rejected') }}</el-radio-button>
        <el-radio-button value="">{{ t('ov.all') }}</el-radio-button>
      </el-radio-group>
      <el-select v-model="filters.community_id" clearable :placeholder="t('ov.village')" style="width: 180px"
                 @change="load(1)" :aria-label="t('ov.village')">
        <el-option v-for="v in villages" :key="v.id" :value="v.id" :label="nameOf(v.id)" />
      </el-select>
      <el-button @click="load()">{{ t('ov.refresh') }}</el-button>
      <el-button :loading="exporting" @click="exportXlsx" data-test="export">{{ t('ov.export') }}</el-button>
      <span class="count">{{ t('ov.total', { n: total }) }}</span>
    </div>
    <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="page-error" />
    <el-table :data="rows" v-loading="loading" stripe border row-key="id" :empty-text="t('rep.empty')" data-table="repairs">
      <el-table-column prop="id" label="#" width="64" />
      <el-table-column :label="t('rep.resident')" min-width="90">
        <template #default="{ row }">{{ row.resident_name }}</template></el-table-column>
      <el-table-column :label="t('ov.village')" min-width="90">
        <template #default="{ row }">{{ nameOf(row.community_id) }}</template></el-table-column>
      <el-table-column :label="t('rep.item')" min-width="150">
        <template #default="{ row }">{{ title(row.record) }}<small class="item-code">{{ row.record.item_code }}</small></template></el-table-column>
      <el-table-column :label="t('rep.points')" width="90" align="right">
        <template #default="{ row }"><span class="minus">{{ row.record.points }}</span></template></el-table-column>
      <el-table-column :label="t('rep.commitment')" min-width="140" show-overflow-tooltip>
        <template #default="{ row }">{{ row.commitment }}</template></el-table-column>
      <el-table-column :label="t('rep.reported')" width="110" align="right">
        <template #default="{ row }">{{ t('rep.hours', { n: row.volunteer_hours }) }}</template></el-table-column>
      <el-table-column :label="t('rep.verified')" width="120" align="right">
        <template #default="{ row }"><span :class="{ minus: short(row) }" :data-verified="row.id">{{ row.verified_volunteer_hours === null ? '—' : t('rep.hours', { n: row.verified_volunteer_hours }) }}</span></template></el-table-column>
      <el-table-column :label="t('rep.applied')" width="140">
        <template #default="{ row }">{{ localTime(row.created_at) }}</template></el-table-column>
      <el-table-column :label="t('rep.status')" width="100">
        <template #default="{ row }"><el-tag :type="statusType[row.status]" size="small">{{ t('rep.' + row.status) }}</el-tag></template></el-table-column>
      <el-table-column width="88" fixed="right" :label="''">
        <template #default="{ row }">
          <el-button size="small" :type="row.status === 'pending' ? 'primary' : ''" @click="openDecision(row)" :data-open="row.id">{{ t('ov.view') }}</el-button>
        </template></el-table-column>
    </el-table>
    <el-pagination v-if="total > paging.per_page" layout="prev, pager, next" :total="total" :page-size="paging.per_page"
                   :current-page="paging.page" @current-change="load" class="pager" />
    <el-dialog v-model="deciding.open" :title="deciding.row ? t('rep.title', { id: deciding.row.id }) : ''" width="720px">
      <template v-if="deciding.row">
        <el-descriptions :column="2" border size="small" data-test="repair-facts">
          <el-descriptions-item :label="t('rep.resident')">{{ deciding.row.resident_name }}</el-descriptions-item>
          <el-descriptions-item :label="t('ov.village')">{{ nameOf(deciding.row.community_id) }}</el-descriptions-item>
          <el-descriptions-item :label="t('rep.item')">{{ title(deciding.row.record) }}</el-descriptions-item>
          <el-descriptions-item :label="t('rep.points')">{{ deciding.row.record.points }}</el-descriptions-item>
          <el-descriptions-item :label="t('rep.occurred')">{{ localTime(deciding.row.record.occurred_at) }}</el-descriptions-item>
          <el-descriptions-item :label="t('rep.applied')">{{ localTime(deciding.row.created_at) }}</el-descriptions-item>
          <el-descriptions-item :label="t('rep.commitment')" :span="2">{{ deciding.row.commitment }}</el-descriptions-item>
          <el-descriptions-item :label="t('rep.reported')">{{ t('rep.hours', { n: deciding.row.volunteer_hours }) }}</el-descriptions-item>
          <el-descriptions-item :label="t('rep.verified')">
            <span :class="{ minus: short(deciding.row) }" data-test="verified-hours">{{ deciding.row.verified_volunteer_hours === null ? '—' : t('rep.hours', { n: deciding.row.verified_volunteer_hours }) }}</span>
            <el-tag v-if="short(deciding.row)" type="danger" size="small" effect="dark" class="mine">{{ t('rep.short') }}</el-tag></el-descriptions-item>
          <el-descriptions-item v-if="deciding.record" :label="t('rep.evidence')" :span="2">
            <span v-if="!deciding.record.evidence.length" class="muted">{{ t('ov.none') }}</span>
            <el-button v-for="file in deciding.record.evidence" :key="file.id" link type="primary" @click="openEvidence(file)">{{ file.filename }}</el-button>
          </el-descriptions-item>
          <el-descriptions-item v-if="deciding.row.status !== 'pending'" :label="t('rep.decision')" :span="2">
            {{ t('rep.' + deciding.row.status) }} · {{ localTime(deciding.row.decided_at) }} · {{ deciding.row.decision_note || '' }}</el-descriptions-item>
        </el-descriptions>
        <p class="help">{{ t('rep.hoursHelp') }}</p>
        <template v-if="deciding.row.status === 'pending'">
          <label class="field-label" for="rep-note">{{ t('rep.note') }}</label>
          <el-input id="rep-note" v-model="deciding.note" @input="deciding.error = ''" type="textarea" :rows="3"
                    maxlength="500" show-word-limit data-test="decision-note" />
        </template>
      </template>
      <p v-if="deciding.error" class="form-error" role="alert" data-test="decision-error">{{ deciding.error }}</p>
      <template #footer>
        <el-button @click="deciding.open = false">{{ t('ov.cancel') }}</el-button>
        <template v-if="deciding.row && deciding.row.status === 'pending'">
          <el-button type="danger" plain :loading="deciding.busy === 'reject'" :disabled="!!deciding.busy" @click="decide('reject')"
                     data-test="reject">{{ t('rep.reject') }}</el-button>
          <el-button type="primary" :loading="deciding.busy === 'approve'" :disabled="!!deciding.busy" @click="decide('approve')"
                     data-test="approve">{{ t('rep.approve') }}</el-button>
        </template>
      </template>
    </el-dialog>
  </section>`,
};
