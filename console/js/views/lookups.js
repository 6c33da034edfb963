/* The look-up log (查询登记): who on the staff opened which resident's archive, and what they opened; the
 * district admin sees the district, a reviewer their communities. Filtered by who, what, village and local
 * calendar days; downloadable as Excel with the same filters. Residents see their own lines in the app. */
import { addTexts, localTime, messageOf, t } from "../i18n.js";
import { api, hasRole } from "../session.js";
import { computed, onMounted, reactive, ref } from "../vue.js";
import { useStaffNames } from "./audit.js";
import { cleanQuery, exportList, localDayUtc, useVillages } from "./oversight.js";

const WHAT = ["profile", "standing", "record", "records", "ledger", "credit_report", "card_scan", "discount_scan",
  "volunteer_hours", "volunteer_certificate"];

addTexts({
  "zh-CN": {
    "look.who": "查询人", "look.what": "查询内容", "look.resident": "被查询居民", "look.time": "时间",
    "look.empty": "没有符合条件的查询记录", "look.anyone": "全部人员", "look.anything": "全部内容",
    "look.help": "每次工作人员打开居民的信用档案都会记录在这里，居民本人也能在手机上看到谁查询过自己。",
    "look.what.profile": "基本信息", "look.what.standing": "信用分与积分", "look.what.record": "单条信用记录", "look.what.records": "信用记录列表",
    "look.what.ledger": "积分明细", "look.what.credit_report": "开具信用报告", "look.what.card_scan": "扫描名片",
    "look.what.discount_scan": "商户扫码优惠", "look.what.volunteer_hours": "志愿时长",
    "look.what.volunteer_certificate": "志愿服务证明",
  },
  en: {
    "look.who": "Looked up by", "look.what": "What", "look.resident": "Resident", "look.time": "Time",
    "look.empty": "No look-ups match", "look.anyone": "Anyone", "look.anything": "Anything",
    "look.help": "Every time staff open a resident's credit archive it is logged here; residents see who looked in their app.",
    "look.what.profile": "Profile", "look.what.standing": "Score and points", "look.what.record": "A credit record", "look.what.records": "Credit records",
    "look.what.ledger": "Points history", "look.what.credit_report": "Credit report issued", "look.what.card_scan": "Card scanned",
    "look.what.discount_scan": "Shop discount scan", "look.what.volunteer_hours": "Volunteer hours",
    "look.what.volunteer_certificate": "Volunteer certificate",
  },
});

export const LookupsView = {
  setup() {
    const { villages, nameOf } = useVillages();
    const admin = hasRole("district_admin");
    const { staff } = admin ? useStaffNames() : { staff: ref([]) };
    const rows = ref([]);
    const total = ref(0);
    const paging = reactive({ page: 1, per_page: 20 });
    const blank = () => ({ actor: "", what: "", from: "", to: "", community_id: null });
    const filters = reactive(blank());
    const loading = ref(false);
    const exporting = ref(false);
    const error = ref("");
    const seen = reactive({}); //: actor → name, from the lines read so far (a reviewer cannot list staff)
    const actors = computed(() => (staff.value.length
      ? staff.value.map((s) => ({ value: `staff:${s.id}`, label: `${s.display_name}（${s.username}）` }))
      : Object.entries(seen).map(([value, label]) => ({ value, label }))));

    const query = () => cleanQuery({ actor: filters.actor, what: filters.what, community_id: filters.community_id,
      since: localDayUtc(filters.from), until: localDayUtc(filters.to, true) });
    async function load(to = paging.page) {
      paging.page = to;
      loading.value = true;
      error.value = "";
      try {
        const answer = await api.get("/residents/lookups", { query: { ...query(), page: paging.page, per_page: paging.per_page } });
        rows.value = answer.items;
        total.value = answer.total;
        answer.items.forEach((row) => { seen[row.actor] = row.actor_name; });
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
    const whatName = (what) => { const key = `look.what.${what}`; const text = t(key); return text === key ? what : text; };
    const exportXlsx = () => exportList("/residents/lookups", query(), "lookups.xlsx", exporting);
    return { rows, total, paging, filters, villages, nameOf, actors, loading, exporting, error, load, reset, whatName,
      exportXlsx, whats: WHAT, localTime, t };
  },
  template: `
  <section class="lookups">
    <el-form :inline="true" class="filters" @submit.prevent="load(1)">
      <el-form-item :label="t('look.who')" for="l-actor">
        <el-select id="l-actor" v-model="filters.actor" clearable filterable :placeholder="t('look.anyone')" style="width: 190px" data-test="actor">
          <el-option v-for="a in actors" :key="a.value" :value="a.value" :label="a.label" />
        </el-select>
      </el-form-item>
      <el-form-item :label="t('look.what')" for="l-what">
        <el-select id="l-what" v-model="filters.what" clearable :placeholder="t('look.anything')" style="width: 150px" data-test="what">
          <el-option v-for="w in whats" :key="w" :value="w" :label="whatName(w)" />
        </el-select>
      </el-form-item>
      <el-form-item :label="t('ov.village')" for="l-village">
        <el-select id="l-village" v-model="filters.community_id" clearable :placeholder="t('ov.all')" style="width: 150px" data-test="village">
          <el-option v-for="v in villages" :key="v.id" :value="v.id" :label="nameOf(v.id)" />
        </el-select>
      </el-form-item>
      <el-form-item :label="t('ov.from')" for="l-from">
        <el-date-picker id="l-from" v-model="filters.from" type="date" value-format="YYYY-MM-DD" style="width: 140px" data-test="from" />
      </el-form-item>
      <el-form-item :label="t('ov.to')" for="l-to">
        <el-date-picker id="l-to" v-model="filters.to" type="date" value-format="YYYY-MM-DD" style="width: 140px" data-test="to" />
      </el-form-item>
      <el-form-item>
        <el-button type="primary" native-type="submit" data-test="search">{{ t('ov.search') }}</el-button>
        <el-button @click="reset">{{ t('ov.reset') }}</el-button>
        <el-button :loading="exporting" @click="exportXlsx" data-test="export">{{ t('ov.export') }}</el-button>
      </el-form-item>
    </el-form>
    <p class="help">{{ t('look.help') }} <span class="count">{{ t('ov.total', { n: total }) }}</span></p>
    <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="page-error" data-test="error" />
    <el-table :data="rows" v-loading="loading" stripe border row-key="id" :empty-text="t('look.empty')" data-table="lookups">
      <el-table-column prop="id" label="#" width="70" />
      <el-table-column :label="t('look.time')" width="150"><template #default="{ row }">{{ localTime(row.created_at) }}</template></el-table-column>
      <el-table-column :label="t('look.who')" min-width="160">
        <template #default="{ row }">{{ row.actor_name }}<small class="item-code">{{ row.actor }}</small></template></el-table-column>
      <el-table-column :label="t('look.what')" min-width="140"><template #default="{ row }">{{ whatName(row.what) }}</template></el-table-column>
      <el-table-column :label="t('look.resident')" min-width="140">
        <template #default="{ row }">{{ row.resident_name }}<small class="item-code">#{{ row.resident_id }}</small></template></el-table-column>
      <el-table-column :label="t('ov.village')" min-width="120"><template #default="{ row }">{{ nameOf(row.community_id) }}</template></el-table-column>
    </el-table>
    <el-pagination v-if="total > paging.per_page" layout="prev, pager, next" :total="total" :page-size="paging.per_page"
                   :current-page="paging.page" @current-change="load" class="pager" />
  </section>`,
};
