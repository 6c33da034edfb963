/* Reports: filters by town, village and month range; a chart and a table per report; Excel export. */
import { Chart } from "../chart.js";
import { localName, localTime, messageOf, prefs, t } from "../i18n.js";
import { api, download, go, route } from "../session.js";
import { computed, ElMessage, onMounted, reactive, ref, watch } from "../vue.js";
import { MORE_REPORTS, MoreReport } from "./reports_more.js";

const REPORTS = ["villages", "points", "records", "backlog", "households", ...MORE_REPORTS];
//: every village or category named under its bar (long English names wrap instead of being skipped)
const LABELS = { interval: 0, width: 96, overflow: "break" };

function defaultMonths() {
  const now = new Date(Date.now() + 8 * 3600 * 1000); // the district's month (UTC+8)
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11, 1));
  return { from: `${first.getUTCFullYear()}-${String(first.getUTCMonth() + 1).padStart(2, "0")}`,
    to: `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, "0")}` };
}

export const ReportsView = {
  components: { Chart, MoreReport },
  setup() {
    const filters = reactive({ town_id: null, community_id: null, ...defaultMonths() });
    const towns = ref([]);
    const villages = ref([]);
    const tab = ref(REPORTS.includes(route.query.tab) ? route.query.tab : "villages");
    const data = reactive({});
    const loading = ref(false);
    const exporting = ref(false);
    const error = ref("");

    const query = () => {
      const q = { from: filters.from, to: filters.to };
      if (filters.town_id) q.town_id = filters.town_id;
      if (filters.community_id) q.community_id = filters.community_id;
      return q;
    };
    const queryString = () => new URLSearchParams(query()).toString();

    async function loadPlaces() {
      try {
        towns.value = (await api.get("/towns", { query: { per_page: 100 } })).items;
        await loadVillages();
      } catch (err) {
        error.value = messageOf(err);
      }
    }
    async function loadVillages() {
      const q = { per_page: 100 };
      if (filters.town_id) q.town_id = filters.town_id;
      villages.value = (await api.get("/communities", { query: q })).items;
    }

    async function load() {
      loading.value = true;
      error.value = "";
      const name = tab.value;
      try {
        data[name] = await api.get(`/reports/${name}`, { query: query() });
      } catch (err) {
        data[name] = null;
        error.value = messageOf(err);
      } finally {
        loading.value = false;
      }
    }
    function apply() {
      for (const name of REPORTS) if (name !== tab.value) delete data[name];
      load();
    }
    function reset() {
      Object.assign(filters, { town_id: null, community_id: null, ...defaultMonths() });
      loadVillages();
      apply();
    }
    async function exportXlsx() {
      exporting.value = true;
      try {
        await download(`/reports/${tab.value}.xlsx?${queryString()}`, `${tab.value}-${filters.from}-${filters.to}.xlsx`);
        ElMessage.success(t("reports.exported"));
      } catch (err) {
        ElMessage.error(messageOf(err));
      } finally {
        exporting.value = false;
      }
    }

    watch(() => filters.town_id, () => { filters.community_id = null; loadVillages().catch(() => {}); });
    watch(() => route.query.tab, (name) => { if (REPORTS.includes(name)) tab.value = name; });
    watch(tab, (name) => {
      go(`/reports?tab=${name}`, { replace: true }); // a sign-in after an ended session comes back to this tab
      if (!data[name]) load();
    });
    onMounted(() => { loadPlaces(); load(); });

    // --- charts ----------------------------------------------------------------------------
    const grid = { left: 56, right: 24, top: 48, bottom: 40, containLabel: true };
    const villageRows = computed(() => (data.villages ? data.villages.villages : []));
    const rankingOption = computed(() => {
      const rows = villageRows.value.filter((row) => row.average_score !== null).slice().reverse();
      return {
        title: { text: t("chart.ranking"), textStyle: { fontSize: 15 }, left: 8, top: 4 },
        tooltip: { trigger: "axis" }, grid: { ...grid, left: 24 },
        xAxis: { type: "value" },
        yAxis: { type: "category", data: rows.map((row) => localName(row, "community")) },
        series: [{ type: "bar", barMaxWidth: 32, data: rows.map((row) => row.average_score), label: { show: true, position: "right" },
          itemStyle: { color: "#c8102e" } }],
      };
    });
    const starsOption = computed(() => {
      const rows = villageRows.value;
      const levels = data.villages ? data.villages.star_thresholds.length + 1 : 0;
      return {
        title: { text: t("chart.stars"), textStyle: { fontSize: 15 }, left: 8, top: 4 },
        tooltip: { trigger: "axis" }, legend: { bottom: 0 }, grid: { ...grid, top: 48, bottom: 40 },
        xAxis: { type: "category", data: rows.map((row) => localName(row, "community")), axisLabel: LABELS },
        yAxis: { type: "value" },
        series: Array.from({ length: levels }, (_x, n) => ({
          name: t("col.stars", { n }), type: "bar", stack: "stars", barMaxWidth: 56, data: rows.map((row) => row.stars[n]),
        })),
      };
    });
    const pointsOption = computed(() => {
      const months = data.points ? data.points.months : [];
      const line = (key) => ({ name: t("col." + key), type: "line", smooth: false, data: months.map((m) => m[key]) });
      return {
        title: { text: t("chart.points"), textStyle: { fontSize: 15 }, left: 8, top: 4 },
        tooltip: { trigger: "axis" }, legend: { bottom: 0 }, grid: { ...grid, top: 48, bottom: 40 },
        xAxis: { type: "category", data: months.map((m) => m.month) }, yAxis: { type: "value" },
        series: [line("issued"), line("spent"), line("expired")],
      };
    });
    const recordSums = computed(() => {
      const sums = {};
      for (const row of data.records ? data.records.rows : []) {
        const entry = sums[row.category] || (sums[row.category] = { category: row.category, good: 0, bad: 0 });
        entry.good += row.good;
        entry.bad += row.bad;
      }
      return Object.values(sums);
    });
    const recordsOption = computed(() => ({
      title: { text: t("chart.records"), textStyle: { fontSize: 15 }, left: 8, top: 4 },
      tooltip: { trigger: "axis" }, legend: { bottom: 0 }, grid: { ...grid, top: 48, bottom: 40 },
      xAxis: { type: "category", data: recordSums.value.map((row) => categoryName(row.category)), axisLabel: LABELS },
      yAxis: { type: "value" },
      series: [
        { name: t("col.good"), type: "bar", data: recordSums.value.map((row) => row.good), itemStyle: { color: "#67c23a" } },
        { name: t("col.bad"), type: "bar", data: recordSums.value.map((row) => row.bad), itemStyle: { color: "#c8102e" } },
      ],
    }));
    const backlogOption = computed(() => {
      const rows = data.backlog ? data.backlog.villages : [];
      const bar = (key, label) => ({ name: t(label), type: "bar", stack: "backlog", data: rows.map((row) => row[key]) });
      return {
        title: { text: t("chart.backlog"), textStyle: { fontSize: 15 }, left: 8, top: 4 },
        tooltip: { trigger: "axis" }, legend: { bottom: 0 }, grid: { ...grid, top: 48, bottom: 40 },
        xAxis: { type: "category", data: rows.map((row) => localName(row, "community")), axisLabel: LABELS }, yAxis: { type: "value" },
        series: [bar("pending", "col.pending"), bar("in_notice", "col.inNotice"), bar("disputed", "col.disputed")],
      };
    });

    const categories = ref({});
    api.get("/catalogue/categories").then((rows) => {
      categories.value = Object.fromEntries(rows.map((row) => [row.code, row]));
    }).catch(() => {});
    function categoryName(code) {
      const row = categories.value[code];
      return row ? (prefs.lang === "en" ? row.name_en : row.name_zh) : code;
    }
    const percent = (value) => (value === null || value === undefined ? "—" : `${(value * 100).toFixed(1)}%`);

    return {
      filters, towns, villages, tab, data, loading, exporting, error, apply, reset, exportXlsx, t, localName,
      localTime, prefs, rankingOption, starsOption, pointsOption, recordsOption, backlogOption, villageRows,
      categoryName, percent, REPORTS, MORE_REPORTS,
    };
  },
  template: `
  <section class="reports">
    <el-form :inline="true" class="filters" @submit.prevent="apply" aria-label="filters">
      <el-form-item :label="t('filter.town')" for="f-town">
        <el-select id="f-town" v-model="filters.town_id" clearable :placeholder="t('filter.all')" style="width: 150px"
                   data-test="filter-town">
          <el-option v-for="town in towns" :key="town.id" :value="town.id" :label="localName(town, 'name')" />
        </el-select>
      </el-form-item>
      <el-form-item :label="t('filter.village')" for="f-village">
        <el-select id="f-village" v-model="filters.community_id" clearable filterable :placeholder="t('filter.all')"
                   style="width: 170px" data-test="filter-village">
          <el-option v-for="v in villages" :key="v.id" :value="v.id" :label="localName(v, 'name')" />
        </el-select>
      </el-form-item>
      <el-form-item :label="t('filter.from')" for="f-from">
        <el-date-picker id="f-from" v-model="filters.from" type="month" value-format="YYYY-MM" :clearable="false"
                        style="width: 124px" data-test="filter-from" />
      </el-form-item>
      <el-form-item :label="t('filter.to')" for="f-to">
        <el-date-picker id="f-to" v-model="filters.to" type="month" value-format="YYYY-MM" :clearable="false"
                        style="width: 124px" data-test="filter-to" />
      </el-form-item>
      <el-form-item>
        <el-button type="primary" native-type="submit" data-test="apply">{{ t('filter.apply') }}</el-button>
        <el-button @click="reset">{{ t('filter.reset') }}</el-button>
      </el-form-item>
    </el-form>
    <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="page-error" data-test="error" />
    <div class="tabs-row">
      <el-tabs v-model="tab" class="report-tabs">
        <el-tab-pane v-for="name in REPORTS" :key="name" :name="name" :label="t('reports.' + name)" />
      </el-tabs>
      <el-button type="primary" plain :loading="exporting" @click="exportXlsx" data-test="export" class="export">
        {{ t('reports.export') }}</el-button>
    </div>
    <div v-loading="loading" class="report-body" :data-report="tab">
      <template v-if="tab === 'villages' && data.villages">
        <div class="charts two">
          <el-card shadow="never"><Chart :option="rankingOption" :label="t('chart.ranking')"
            :height="Math.max(280, villageRows.length * 28 + 80)" data-chart="ranking" /></el-card>
          <el-card shadow="never"><Chart :option="starsOption" :label="t('chart.stars')"
            :height="Math.max(280, villageRows.length * 28 + 80)" data-chart="stars" /></el-card>
        </div>
        <el-table :data="villageRows" stripe border data-table="villages" :empty-text="t('reports.empty')">
          <el-table-column prop="rank" :label="t('col.rank')" width="62" align="center" />
          <el-table-column :label="t('col.town')" min-width="110"><template #default="{ row }">{{ localName(row, 'town') }}</template></el-table-column>
          <el-table-column :label="t('col.village')" min-width="130"><template #default="{ row }">{{ localName(row, 'community') }}</template></el-table-column>
          <el-table-column prop="residents" :label="t('col.residents')" align="right" min-width="96" />
          <el-table-column v-for="(n, i) in data.villages.star_thresholds.length + 1" :key="i" :label="t('col.stars', { n: i })" align="right" min-width="64">
            <template #default="{ row }">{{ row.stars[i] }}</template></el-table-column>
          <el-table-column :label="t('col.average')" align="right" min-width="96"><template #default="{ row }">{{ row.average_score ?? '—' }}</template></el-table-column>
          <el-table-column prop="participants" :label="t('col.participants')" align="right" min-width="118" />
          <el-table-column :label="t('col.participation')" align="right" min-width="116"><template #default="{ row }">{{ percent(row.participation) }}</template></el-table-column>
        </el-table>
      </template>
      <template v-if="tab === 'points' && data.points">
        <div class="kpis">
          <el-statistic :title="t('points.outstanding')" :value="data.points.outstanding" data-test="outstanding" />
          <el-statistic :title="t('points.communities')" :value="data.points.communities" />
        </div>
        <el-card shadow="never"><Chart :option="pointsOption" :label="t('chart.points')" data-chart="points" /></el-card>
        <el-table :data="data.points.months" stripe border data-table="points">
          <el-table-column v-for="key in ['month', 'opening', 'issued', 'refunded', 'spent', 'expired', 'penalties', 'inflow', 'outflow', 'closing']"
                           :key="key" :prop="key" :label="t('col.' + key)" :align="key === 'month' ? 'left' : 'right'" />
        </el-table>
      </template>
      <template v-if="tab === 'records' && data.records">
        <el-card shadow="never"><Chart :option="recordsOption" :label="t('chart.records')" data-chart="records" /></el-card>
        <el-table :data="data.records.rows" stripe border data-table="records" :empty-text="t('reports.empty')">
          <el-table-column prop="month" :label="t('col.month')" />
          <el-table-column :label="t('col.category')"><template #default="{ row }">{{ categoryName(row.category) }}</template></el-table-column>
          <el-table-column prop="good" :label="t('col.good')" align="right" />
          <el-table-column prop="bad" :label="t('col.bad')" align="right" />
          <el-table-column prop="good_points" :label="t('col.goodPoints')" align="right" />
          <el-table-column prop="bad_points" :label="t('col.badPoints')" align="right" />
        </el-table>
      </template>
      <template v-if="tab === 'backlog' && data.backlog">
        <el-card shadow="never"><Chart :option="backlogOption" :label="t('chart.backlog')" data-chart="backlog" /></el-card>
        <el-table :data="data.backlog.villages" stripe border data-table="backlog">
          <el-table-column :label="t('col.town')"><template #default="{ row }">{{ localName(row, 'town') }}</template></el-table-column>
          <el-table-column :label="t('col.village')"><template #default="{ row }">{{ localName(row, 'community') }}</template></el-table-column>
          <el-table-column prop="pending" :label="t('col.pending')" align="right" />
          <el-table-column prop="in_notice" :label="t('col.inNotice')" align="right" />
          <el-table-column prop="disputed" :label="t('col.disputed')" align="right" />
          <el-table-column :label="t('col.oldest')"><template #default="{ row }">{{ localTime(row.oldest_pending_at) }}</template></el-table-column>
        </el-table>
      </template>
      <template v-if="tab === 'households' && data.households">
        <el-table :data="data.households.households" stripe border data-table="households" :empty-text="t('reports.empty')">
          <el-table-column prop="rank" :label="t('col.rank')" width="70" align="center" />
          <el-table-column prop="household_code" :label="t('col.household')" />
          <el-table-column prop="household_name" :label="t('col.householdName')" />
          <el-table-column :label="t('col.village')"><template #default="{ row }">{{ localName(row, 'community') }}</template></el-table-column>
          <el-table-column prop="members" :label="t('col.members')" align="right" />
          <el-table-column prop="average_score" :label="t('col.average')" align="right" />
          <el-table-column prop="lowest_score" :label="t('col.lowest')" align="right" />
          <el-table-column prop="stars" :label="t('col.starLevel')" align="right" />
        </el-table>
      </template>
      <MoreReport v-if="MORE_REPORTS.includes(tab) && data[tab]" :name="tab" :data="data[tab]" />
    </div>
  </section>`,
};
