/* The audit log (操作日志) for the district admin: every staff write, who, what, on what, before and after;
 * filtered by who, which action, local calendar days and the community the entry is about; downloadable as
 * Excel with the same filters. A range that does not end after it starts gets the API's own zh/en answer. */
import { addTexts, localTime, messageOf, prefs, t } from "../i18n.js";
import { api } from "../session.js";
import { onMounted, reactive, ref } from "../vue.js";
import { cleanQuery, exportList, localDayUtc, useVillages } from "./oversight.js";

/* Names of the actions a reader meets most; any other shows its code. */
const ACTIONS = {
  "credit_record.create": ["登记记录", "Record logged"], "credit_record.approve": ["审核通过", "Record approved"],
  "credit_record.reject": ["驳回记录", "Record rejected"], "credit_record.void": ["撤销记录", "Record voided"],
  "objection.create": ["提出异议", "Objection raised"], "objection.uphold": ["异议成立", "Objection upheld"],
  "objection.dismiss": ["驳回异议", "Objection dismissed"], "repair.create": ["申请修复", "Repair requested"],
  "repair.approve": ["批准修复", "Repair approved"], "repair.reject": ["驳回修复", "Repair rejected"],
  "resident.create": ["登记居民", "Resident registered"], "resident.update": ["修改居民", "Resident changed"],
  "resident.pin_set": ["设置 PIN", "PIN set"], "residents.import": ["名册导入", "Roster imported"],
  "card.revoke": ["吊销名片", "Card revoked"], "card.reissue": ["补发名片", "Card reissued"],
  "announcement.create": ["发布公告", "Notice published"], "announcement.update": ["修改公告", "Notice edited"],
  "announcement.withdraw": ["撤回公告", "Notice withdrawn"], "credit_policy.update": ["修改政策", "Policy changed"],
  "staff.create": ["新增工作人员", "Staff added"], "staff.update": ["修改工作人员", "Staff changed"],
  "reports.credit_report_issue": ["开具信用报告", "Credit report issued"],
};

addTexts({
  "zh-CN": {
    "audit.actor": "操作人", "audit.action": "操作", "audit.time": "时间", "audit.target": "对象", "audit.reason": "原因",
    "audit.change": "变更内容", "audit.empty": "没有符合条件的操作记录", "audit.anyone": "全部人员",
    "audit.anyAction": "全部操作", "audit.kind.resident": "居民", "audit.kind.device": "自助终端",
    "audit.kind.merchant": "商户", "audit.kind.system": "系统", "audit.kind.staff": "工作人员",
    "audit.help": "村社区：只看与该村社区的居民、记录、异议、修复申请有关的操作。",
  },
  en: {
    "audit.actor": "Who", "audit.action": "Action", "audit.time": "Time", "audit.target": "On", "audit.reason": "Reason",
    "audit.change": "Change", "audit.empty": "No entries match", "audit.anyone": "Anyone", "audit.anyAction": "Any action",
    "audit.kind.resident": "Resident", "audit.kind.device": "Kiosk", "audit.kind.merchant": "Merchant",
    "audit.kind.system": "System", "audit.kind.staff": "Staff",
    "audit.help": "Village: only entries about that village's residents, records, objections and repair requests.",
  },
});

export function useStaffNames() {
  const staff = ref([]);
  /* "staff:4" → the staff member's name; residents, kiosks and merchants by kind and number; "system". */
  const nameOfActor = (actor) => {
    const found = staff.value.find((s) => `staff:${s.id}` === actor);
    if (found) return `${found.display_name}（${found.username}）`;
    const [kind, id] = String(actor).split(":");
    const key = `audit.kind.${kind}`;
    return t(key) === key ? actor : (id ? `${t(key)} #${id}` : t(key));
  };
  onMounted(async () => {
    try { staff.value = (await api.get("/staff", { query: { per_page: 100 } })).items; } catch (err) { /* admin only */ }
  });
  return { staff, nameOfActor };
}

export const AuditView = {
  setup() {
    const { villages, nameOf } = useVillages();
    const { staff, nameOfActor } = useStaffNames();
    const rows = ref([]);
    const total = ref(0);
    const paging = reactive({ page: 1, per_page: 20 });
    const blank = () => ({ actor: "", action: "", from: "", to: "", community_id: null });
    const filters = reactive(blank());
    const loading = ref(false);
    const exporting = ref(false);
    const error = ref("");

    const query = () => cleanQuery({ actor: filters.actor, action: filters.action, community_id: filters.community_id,
      since: localDayUtc(filters.from), until: localDayUtc(filters.to, true) });
    async function load(to = paging.page) {
      paging.page = to;
      loading.value = true;
      error.value = "";
      try {
        const answer = await api.get("/audit", { query: { ...query(), page: paging.page, per_page: paging.per_page } });
        rows.value = answer.items;
        total.value = answer.total;
      } catch (err) {
        error.value = messageOf(err);
        rows.value = [];
        total.value = 0;
      } finally {
        loading.value = false;
      }
    }
    onMounted(() => load(1));
    function reset() {
      Object.assign(filters, blank());
      load(1);
    }
    const actionName = (code) => (ACTIONS[code] ? ACTIONS[code][prefs.lang === "en" ? 1 : 0] : code);
    const change = (row) => [row.before, row.after].map((part) => (part ? JSON.stringify(part) : "—")).join(" → ");
    const exportXlsx = () => exportList("/audit", query(), "audit-log.xlsx", exporting);
    return { rows, total, paging, filters, villages, nameOf, staff, nameOfActor, loading, exporting, error, load, reset,
      actionName, change, exportXlsx, actions: Object.keys(ACTIONS), localTime, t };
  },
  template: `
  <section class="audit">
    <el-form :inline="true" class="filters" @submit.prevent="load(1)">
      <el-form-item :label="t('audit.actor')" for="a-actor">
        <el-select id="a-actor" v-model="filters.actor" clearable filterable :placeholder="t('audit.anyone')" style="width: 190px" data-test="actor">
          <el-option v-for="s in staff" :key="s.id" :value="'staff:' + s.id" :label="s.display_name + '（' + s.username + '）'" />
        </el-select>
      </el-form-item>
      <el-form-item :label="t('audit.action')" for="a-action">
        <el-select id="a-action" v-model="filters.action" clearable filterable allow-create :placeholder="t('audit.anyAction')"
                   style="width: 170px" data-test="action">
          <el-option v-for="code in actions" :key="code" :value="code" :label="actionName(code)" />
        </el-select>
      </el-form-item>
      <el-form-item :label="t('ov.village')" for="a-village">
        <el-select id="a-village" v-model="filters.community_id" clearable :placeholder="t('ov.all')" style="width: 150px" data-test="village">
          <el-option v-for="v in villages" :key="v.id" :value="v.id" :label="nameOf(v.id)" />
        </el-select>
      </el-form-item>
      <el-form-item :label="t('ov.from')" for="a-from">
        <el-date-picker id="a-from" v-model="filters.from" type="date" value-format="YYYY-MM-DD" style="width: 140px" data-test="from" />
      </el-form-item>
      <el-form-item :label="t('ov.to')" for="a-to">
        <el-date-picker id="a-to" v-model="filters.to" type="date" value-format="YYYY-MM-DD" style="width: 140px" data-test="to" />
      </el-form-item>
      <el-form-item>
        <el-button type="primary" native-type="submit" data-test="search">{{ t('ov.search') }}</el-button>
        <el-button @click="reset">{{ t('ov.reset') }}</el-button>
        <el-button :loading="exporting" @click="exportXlsx" data-test="export">{{ t('ov.export') }}</el-button>
      </el-form-item>
    </el-form>
    <p class="help">{{ t('audit.help') }} <span class="count">{{ t('ov.total', { n: total }) }}</span></p>
    <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="page-error" data-test="error" />
    <el-table :data="rows" v-loading="loading" stripe border row-key="id" :empty-text="t('audit.empty')" data-table="audit">
      <el-table-column prop="id" label="#" width="70" />
      <el-table-column :label="t('audit.time')" width="140"><template #default="{ row }">{{ localTime(row.created_at) }}</template></el-table-column>
      <el-table-column :label="t('audit.actor')" min-width="150"><template #default="{ row }">{{ nameOfActor(row.actor) }}</template></el-table-column>
      <el-table-column :label="t('audit.action')" min-width="140">
        <template #default="{ row }">{{ actionName(row.action) }}<small class="item-code">{{ row.action }}</small></template></el-table-column>
      <el-table-column :label="t('audit.target')" width="150"><template #default="{ row }">{{ row.target_type }} #{{ row.target_id || '—' }}</template></el-table-column>
      <el-table-column :label="t('audit.reason')" min-width="140" show-overflow-tooltip><template #default="{ row }">{{ row.reason || '' }}</template></el-table-column>
      <el-table-column :label="t('audit.change')" min-width="240" show-overflow-tooltip><template #default="{ row }">{{ change(row) }}</template></el-table-column>
    </el-table>
    <el-pagination v-if="total > paging.per_page" layout="prev, pager, next" :total="total" :page-size="paging.per_page"
                   :current-page="paging.page" @current-change="load" class="pager" />
  </section>`,
};
