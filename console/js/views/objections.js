/* Objections (异议处理): the open objections of my communities, the oldest due first, with their due dates
 * in local time (late ones flagged); open one to see the record and its evidence, then uphold it (the
 * record is voided) or dismiss it (the record stands), always with a reason the resident will read. */
import { addTexts, localTime, messageOf, prefs, t } from "../i18n.js";
import { api } from "../session.js";
import { ElMessage, onMounted, reactive, ref } from "../vue.js";
import { newIdempotencyKey } from "/webcommon/api.js";
import { cleanQuery, exportList, openEvidence, useVillages } from "./oversight.js";

addTexts({
  "zh-CN": {
    "obj.status": "处理状态", "obj.open": "待处理", "obj.upheld": "异议成立", "obj.dismissed": "异议驳回",
    "obj.overdueOnly": "只看逾期", "obj.resident": "记录对象", "obj.item": "事项", "obj.points": "分值",
    "obj.objector": "异议人", "obj.reason": "异议理由", "obj.raised": "提出时间", "obj.due": "处理期限",
    "obj.overdue": "已逾期", "obj.decided": "处理时间", "obj.note": "处理意见", "obj.empty": "没有符合条件的异议",
    "obj.title": "处理异议 #{id}", "obj.record": "被异议的记录", "obj.recordStatus": "记录状态",
    "obj.occurred": "发生时间", "obj.loggedBy": "登记人", "obj.recordNote": "登记说明", "obj.evidence": "佐证材料",
    "obj.againstFinal": "针对已生效记录", "obj.decisionReason": "处理理由（居民可见）",
    "obj.reasonRequired": "请填写处理理由：异议成立或驳回都要说明理由。",
    "obj.uphold": "异议成立，撤销记录", "obj.dismiss": "驳回异议，记录生效",
    "obj.upheldDone": "异议成立，记录已撤销", "obj.dismissedDone": "已驳回异议，记录生效",
    "obj.decidedAlready": "该异议已处理：{status}，{note}",
    "rec.pending": "待审核", "rec.in_notice": "公示中", "rec.disputed": "异议中", "rec.final": "已生效",
    "rec.rejected": "已驳回", "rec.voided": "已撤销", "rec.repaired": "已修复",
  },
  en: {
    "obj.status": "Status", "obj.open": "Open", "obj.upheld": "Upheld", "obj.dismissed": "Dismissed",
    "obj.overdueOnly": "Overdue only", "obj.resident": "Resident", "obj.item": "Item", "obj.points": "Points",
    "obj.objector": "Objector", "obj.reason": "Objection", "obj.raised": "Raised", "obj.due": "Due",
    "obj.overdue": "Overdue", "obj.decided": "Decided", "obj.note": "Decision", "obj.empty": "No objections match",
    "obj.title": "Objection #{id}", "obj.record": "The record objected to", "obj.recordStatus": "Record status",
    "obj.occurred": "Happened", "obj.loggedBy": "Logged by", "obj.recordNote": "Note", "obj.evidence": "Evidence",
    "obj.againstFinal": "Against a final record", "obj.decisionReason": "Reason (the resident reads it)",
    "obj.reasonRequired": "Give a reason: upholding and dismissing both need one.",
    "obj.uphold": "Uphold: void the record", "obj.dismiss": "Dismiss: the record stands",
    "obj.upheldDone": "Objection upheld; the record is voided", "obj.dismissedDone": "Objection dismissed; the record is final",
    "obj.decidedAlready": "Already decided: {status}, {note}",
    "rec.pending": "pending", "rec.in_notice": "in public notice", "rec.disputed": "disputed", "rec.final": "final",
    "rec.rejected": "rejected", "rec.voided": "voided", "rec.repaired": "repaired",
  },
});

export const ObjectionsView = {
  setup() {
    const { villages, nameOf } = useVillages();
    const rows = ref([]);
    const total = ref(0);
    const paging = reactive({ page: 1, per_page: 20 });
    const filters = reactive({ status: "open", community_id: null, overdue: false });
    const loading = ref(false);
    const exporting = ref(false);
    const error = ref("");
    const deciding = reactive({ open: false, row: null, record: null, reason: "", error: "", busy: "" });
    const keys = {}; //: one Idempotency-Key per objection and decision, so a repeated click decides once

    const query = () => cleanQuery({ status: filters.status, community_id: filters.community_id,
      overdue: filters.overdue ? "true" : undefined });
    async function load(to = paging.page) {
      paging.page = to;
      loading.value = true;
      error.value = "";
      try {
        const answer = await api.get("/objections", { query: { ...query(), page: paging.page, per_page: paging.per_page } });
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
      Object.assign(deciding, { open: true, row, record: null, reason: "", error: "", busy: "" });
      try {
        deciding.record = await api.get(`/records/${row.record_id}`);
      } catch (err) {
        deciding.error = messageOf(err);
      }
    }
    async function decide(decision) {
      const reason = deciding.reason.trim();
      if (!reason) {
        deciding.error = t("obj.reasonRequired");
        return;
      }
      const id = deciding.row.id;
      const key = `${id}:${decision}`;
      keys[key] = keys[key] || newIdempotencyKey();
      deciding.busy = decision;
      try {
        await api.post(`/objections/${id}/${decision}`, { reason }, { idempotencyKey: keys[key] });
        deciding.open = false;
        ElMessage.success(t(decision === "uphold" ? "obj.upheldDone" : "obj.dismissedDone"));
        await load();
      } catch (err) {
        deciding.error = messageOf(err);
        delete keys[key]; // refused: a corrected retry is a new request
        if (err.status === 409) load(); // decided meanwhile on another desk: the list shows how
      } finally {
        deciding.busy = "";
      }
    }
    const exportXlsx = () => exportList("/objections", query(), "objections.xlsx", exporting);
    const title = (r) => (r ? (prefs.lang === "en" ? r.title_en || r.title_zh : r.title_zh) : "");
    const statusType = { open: "warning", upheld: "success", dismissed: "info" };
    return { rows, total, paging, filters, villages, nameOf, loading, exporting, error, deciding, load, openDecision,
      decide, exportXlsx, title, statusType, openEvidence, localTime, t };
  },
  template: `
  <section class="objections">
    <div class="toolbar">
      <el-radio-group v-model="filters.status" @change="load(1)" :aria-label="t('obj.status')">
        <el-radio-button value="open">{{ t('obj.open') }}</el-radio-button>
        <el-radio-button value="upheld">{{ t('obj.upheld') }}</el-radio-button>
        <el-radio-button value="dismissed">{{ t('obj.dismissed') }}</el-radio-button>
        <el-radio-button value="">{{ t('ov.all') }}</el-radio-button>
      </el-radio-group>
      <el-select v-model="filters.community_id" clearable :placeholder="t('ov.village')" style="width: 180px"
                 @change="load(1)" :aria-label="t('ov.village')" data-test="village">
        <el-option v-for="v in villages" :key="v.id" :value="v.id" :label="nameOf(v.id)" />
      </el-select>
      <el-checkbox v-model="filters.overdue" @change="load(1)" data-test="overdue-only">{{ t('obj.overdueOnly') }}</el-checkbox>
      <el-button @click="load()">{{ t('ov.refresh') }}</el-button>
      <el-button :loading="exporting" @click="exportXlsx" data-test="export">{{ t('ov.export') }}</el-button>
      <span class="count">{{ t('ov.total', { n: total }) }}</span>
    </div>
    <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="page-error" />
    <el-table :data="rows" v-loading="loading" stripe border row-key="id" :empty-text="t('obj.empty')" data-table="objections">
      <el-table-column prop="id" label="#" width="64" />
      <el-table-column :label="t('obj.resident')" min-width="90">
        <template #default="{ row }">{{ row.resident_name || '—' }}</template></el-table-column>
      <el-table-column :label="t('ov.village')" min-width="90">
        <template #default="{ row }">{{ nameOf(row.community_id) }}</template></el-table-column>
      <el-table-column :label="t('obj.item')" min-width="150">
        <template #default="{ row }">{{ title(row.record) }}<small class="item-code">{{ row.record.item_code }}</small></template></el-table-column>
      <el-table-column :label="t('obj.points')" width="70" align="right">
        <template #default="{ row }"><span :class="row.record.points > 0 ? 'plus' : 'minus'">{{ row.record.points > 0 ? '+' : '' }}{{ row.record.points }}</span></template></el-table-column>
      <el-table-column :label="t('obj.objector')" min-width="90">
        <template #default="{ row }">{{ row.objector_name }}</template></el-table-column>
      <el-table-column :label="t('obj.reason')" min-width="140" show-overflow-tooltip>
        <template #default="{ row }">{{ row.reason }}</template></el-table-column>
      <el-table-column :label="t('obj.raised')" width="136">
        <template #default="{ row }">{{ localTime(row.created_at) }}</template></el-table-column>
      <el-table-column :label="t('obj.due')" width="150">
        <template #default="{ row }"><span :class="{ minus: row.overdue }" :data-due="row.id">{{ localTime(row.due_at) }}</span>
          <el-tag v-if="row.overdue" type="danger" size="small" effect="dark" class="mine">{{ t('obj.overdue') }}</el-tag></template></el-table-column>
      <el-table-column :label="t('obj.status')" width="96">
        <template #default="{ row }"><el-tag :type="statusType[row.status]" size="small">{{ t('obj.' + row.status) }}</el-tag></template></el-table-column>
      <el-table-column width="88" fixed="right" :label="''">
        <template #default="{ row }">
          <el-button size="small" :type="row.status === 'open' ? 'primary' : ''" @click="openDecision(row)" :data-open="row.id">{{ t('ov.view') }}</el-button>
        </template></el-table-column>
    </el-table>
    <el-pagination v-if="total > paging.per_page" layout="prev, pager, next" :total="total" :page-size="paging.per_page"
                   :current-page="paging.page" @current-change="load" class="pager" />
    <el-dialog v-model="deciding.open" :title="deciding.row ? t('obj.title', { id: deciding.row.id }) : ''" width="720px">
      <template v-if="deciding.row">
        <el-descriptions :column="2" border size="small" :title="t('obj.record')" data-test="record">
          <el-descriptions-item :label="t('obj.resident')">{{ deciding.row.resident_name || '—' }}</el-descriptions-item>
          <el-descriptions-item :label="t('ov.village')">{{ nameOf(deciding.row.community_id) }}</el-descriptions-item>
          <el-descriptions-item :label="t('obj.item')">{{ title(deciding.row.record) }}</el-descriptions-item>
          <el-descriptions-item :label="t('obj.points')">{{ deciding.row.record.points > 0 ? '+' : '' }}{{ deciding.row.record.points }}</el-descriptions-item>
          <el-descriptions-item :label="t('obj.recordStatus')">{{ t('rec.' + deciding.row.record.status) }}</el-descriptions-item>
          <el-descriptions-item :label="t('obj.occurred')">{{ localTime(deciding.row.record.occurred_at) }}</el-descriptions-item>
          <template v-if="deciding.record">
            <el-descriptions-item :label="t('obj.loggedBy')">{{ deciding.record.logged_by_name || deciding.record.logged_by }}</el-descriptions-item>
            <el-descriptions-item :label="t('obj.recordNote')">{{ deciding.record.note || '—' }}</el-descriptions-item>
            <el-descriptions-item :label="t('obj.evidence')" :span="2">
              <span v-if="!deciding.record.evidence.length" class="muted">{{ t('ov.none') }}</span>
              <el-button v-for="file in deciding.record.evidence" :key="file.id" link type="primary" @click="openEvidence(file)"
                         data-test="evidence">{{ file.filename }}</el-button>
            </el-descriptions-item>
          </template>
        </el-descriptions>
        <el-descriptions :column="2" border size="small" class="objection-facts">
          <el-descriptions-item :label="t('obj.objector')">{{ deciding.row.objector_name }}</el-descriptions-item>
          <el-descriptions-item :label="t('obj.due')">{{ localTime(deciding.row.due_at) }}
            <el-tag v-if="deciding.row.overdue" type="danger" size="small" effect="dark">{{ t('obj.overdue') }}</el-tag></el-descriptions-item>
          <el-descriptions-item :label="t('obj.reason')" :span="2">{{ deciding.row.reason }}
            <el-tag v-if="deciding.row.against_final" size="small" type="warning">{{ t('obj.againstFinal') }}</el-tag></el-descriptions-item>
          <el-descriptions-item v-if="deciding.row.status !== 'open'" :label="t('obj.note')" :span="2">
            {{ t('obj.' + deciding.row.status) }} · {{ localTime(deciding.row.decided_at) }} · {{ deciding.row.decision_note }}</el-descriptions-item>
        </el-descriptions>
        <template v-if="deciding.row.status === 'open'">
          <label class="field-label" for="obj-reason">{{ t('obj.decisionReason') }}</label>
          <el-input id="obj-reason" v-model="deciding.reason" @input="deciding.error = ''" type="textarea" :rows="3"
                    maxlength="500" show-word-limit data-test="decision-reason" />
        </template>
      </template>
      <p v-if="deciding.error" class="form-error" role="alert" data-test="decision-error">{{ deciding.error }}</p>
      <template #footer>
        <el-button @click="deciding.open = false">{{ t('ov.cancel') }}</el-button>
        <template v-if="deciding.row && deciding.row.status === 'open'">
          <el-button :loading="deciding.busy === 'dismiss'" :disabled="!!deciding.busy" @click="decide('dismiss')"
                     data-test="dismiss">{{ t('obj.dismiss') }}</el-button>
          <el-button type="primary" :loading="deciding.busy === 'uphold'" :disabled="!!deciding.busy" @click="decide('uphold')"
                     data-test="uphold">{{ t('obj.uphold') }}</el-button>
        </template>
      </template>
    </el-dialog>
  </section>`,
};
