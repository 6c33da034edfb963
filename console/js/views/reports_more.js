/* The reports on objections, repairs, volunteering, credit supermarkets and merchants: one component,
 * <MoreReport :name="tab" :data="data[tab]" />, drawn inside the reports screen (reports.js), which keeps
 * the filters, the tabs and the Excel export. */
import { Chart } from "../chart.js";
import { addTexts, localName, prefs, t } from "../i18n.js";
import { computed } from "../vue.js";

export const MORE_REPORTS = ["objections", "repairs", "volunteering", "supermarkets", "merchants"];

addTexts({
  "zh-CN": {
    "reports.objections": "异议处理", "reports.repairs": "信用修复", "reports.volunteering": "志愿服务",
    "reports.supermarkets": "信用超市", "reports.merchants": "商家联盟",
    "chart.objections": "每月异议及处理结果（件，按提出月份）", "chart.repairs": "每月信用修复申请及结果（件）",
    "chart.volunteerMonths": "每月志愿服务时长（小时）与志愿者（人）", "chart.volunteerVillages": "各村志愿服务时长（小时）",
    "chart.redemptions": "每月兑换订单（笔）与净兑换积分", "chart.stockValue": "各超市库存积分价值",
    "chart.donors": "捐赠入库积分价值（按捐赠方类别）",
    "chart.discounts": "每月商家优惠金额（元）与笔数", "chart.levels": "联盟商家信用等级分布（家）",
    "more.filed": "提出", "more.upheld": "成立", "more.dismissed": "驳回", "more.open": "未处理",
    "more.overdue": "已超期", "more.decidedLate": "超期后处理",
    "more.applied": "申请", "more.approved": "批准", "more.rejected": "驳回", "more.pendingRepair": "待审核",
    "more.pointsRestored": "恢复信用分",
    "more.volunteers": "志愿者（人）", "more.activities": "活动（场）", "more.hours": "时长（小时）",
    "more.points": "积分",
    "more.orders": "兑换订单", "more.pointsSpent": "兑换积分", "more.cancelled": "取消订单",
    "more.pointsRefunded": "退回积分", "more.pointsNet": "净兑换积分", "more.shop": "超市", "more.items": "商品",
    "more.activeItems": "在售", "more.stock": "库存（件）", "more.stockPoints": "库存积分价值", "more.lowStock": "库存不足",
    "more.donorKind": "捐赠方类别", "more.donor": "捐赠方", "more.intakes": "入库次数", "more.quantity": "件数",
    "more.pointsValue": "积分价值", "more.donatedPoints": "捐赠入库积分价值",
    "donor.government": "政府", "donor.school": "学校", "donor.company": "企业", "donor.individual": "个人",
    "more.merchant": "商家", "more.sales": "优惠笔数", "more.bills": "消费金额（元）", "more.discount": "优惠金额（元）",
    "more.voided": "作废", "more.ratings": "评价数", "more.averageRating": "平均评分", "more.score": "信用分",
    "more.level": "信用等级", "more.status": "状态", "more.level.n": "{level}级",
    "merchant.pending": "待审核", "merchant.approved": "已加入", "merchant.suspended": "已暂停", "merchant.expelled": "已除名",
    "more.byMonth": "按月明细", "more.byVillage": "按村社区", "more.donorsTitle": "捐赠入库", "more.shopsTitle": "库存",
  },
  en: {
    "reports.objections": "Objections", "reports.repairs": "Credit repair", "reports.volunteering": "Volunteering",
    "reports.supermarkets": "Supermarkets", "reports.merchants": "Merchants",
    "chart.objections": "Objections and outcomes per month (by month filed)",
    "chart.repairs": "Repair requests and decisions per month",
    "chart.volunteerMonths": "Volunteer hours and volunteers per month", "chart.volunteerVillages": "Volunteer hours per village",
    "chart.redemptions": "Redemption orders and net points per month", "chart.stockValue": "Stock value in points per supermarket",
    "chart.donors": "Donated stock by kind of donor (points)",
    "chart.discounts": "Merchant discounts per month (yuan) and count", "chart.levels": "Alliance merchants by credit level",
    "more.filed": "Filed", "more.upheld": "Upheld", "more.dismissed": "Dismissed", "more.open": "Open",
    "more.overdue": "Overdue", "more.decidedLate": "Decided late",
    "more.applied": "Applied", "more.approved": "Approved", "more.rejected": "Rejected", "more.pendingRepair": "Pending",
    "more.pointsRestored": "Score restored",
    "more.volunteers": "Volunteers", "more.activities": "Activities", "more.hours": "Hours", "more.points": "Points",
    "more.orders": "Orders", "more.pointsSpent": "Points spent", "more.cancelled": "Cancelled",
    "more.pointsRefunded": "Points refunded", "more.pointsNet": "Net points", "more.shop": "Supermarket",
    "more.items": "Items", "more.activeItems": "On sale", "more.stock": "Units in stock",
    "more.stockPoints": "Stock value (points)", "more.lowStock": "Low stock",
    "more.donorKind": "Donor kind", "more.donor": "Donor", "more.intakes": "Intakes", "more.quantity": "Units",
    "more.pointsValue": "Value (points)", "more.donatedPoints": "Donated (points)",
    "donor.government": "Government", "donor.school": "School", "donor.company": "Company", "donor.individual": "Individual",
    "more.merchant": "Merchant", "more.sales": "Discounts given", "more.bills": "Bills (yuan)",
    "more.discount": "Discount (yuan)", "more.voided": "Voided", "more.ratings": "Ratings",
    "more.averageRating": "Average rating", "more.score": "Credit score", "more.level": "Level", "more.status": "Status",
    "more.level.n": "Level {level}",
    "merchant.pending": "Pending", "merchant.approved": "Approved", "merchant.suspended": "Suspended",
    "merchant.expelled": "Expelled",
    "more.byMonth": "By month", "more.byVillage": "By village", "more.donorsTitle": "Donors' intake",
    "more.shopsTitle": "Stock on hand",
  },
});

const GRID = { left: 24, right: 24, top: 56, bottom: 40, containLabel: true };
const LABELS = { interval: 0, width: 96, overflow: "break" };
const GREEN = "#3a8a1f";
const RED = "#c8102e";
const AMBER = "#d48806";
const GREY = "#8a9099";
const BLUE = "#2f6fd6";

function title(key) {
  return { text: t(key), textStyle: { fontSize: 15 }, left: 8, top: 4 };
}

/* a month-by-month chart: bars (stacked or not) and lines on the same months */
function monthly(key, months, bars, { stack = null, lines = [], rightAxis = false } = {}) {
  return {
    title: title(key), tooltip: { trigger: "axis" }, legend: { bottom: 0 }, grid: GRID,
    xAxis: { type: "category", data: months.map((m) => m.month) },
    yAxis: rightAxis ? [{ type: "value", minInterval: 1 }, { type: "value", minInterval: 1, splitLine: { show: false } }]
      : { type: "value", minInterval: 1 },
    series: [
      ...bars.map(([field, label, color]) => ({ name: t(label), type: "bar", stack, barMaxWidth: 36,
        data: months.map((m) => m[field]), itemStyle: { color } })),
      ...lines.map(([field, label, color]) => ({ name: t(label), type: "line", yAxisIndex: rightAxis ? 1 : 0,
        data: months.map((m) => m[field]), itemStyle: { color }, lineStyle: { color } })),
    ],
  };
}

function horizontal(key, names, values, color) {
  return {
    title: title(key), tooltip: { trigger: "axis" }, grid: { ...GRID, bottom: 16 },
    xAxis: { type: "value" }, yAxis: { type: "category", data: names.slice().reverse() },
    series: [{ type: "bar", barMaxWidth: 28, data: values.slice().reverse(), itemStyle: { color },
      label: { show: true, position: "right" } }],
  };
}

export const yuan = (fen) => (fen / 100).toFixed(2);

export const MoreReport = {
  components: { Chart },
  props: { name: { type: String, required: true }, data: { type: Object, required: true } },
  setup(props) {
    const months = computed(() => props.data.months || []);
    const objectionsOption = computed(() => monthly("chart.objections", months.value, [
      ["upheld", "more.upheld", RED], ["dismissed", "more.dismissed", GREY], ["open", "more.open", AMBER],
    ], { stack: "outcome", lines: [["overdue", "more.overdue", "#7a1020"]] }));
    const repairsOption = computed(() => monthly("chart.repairs", months.value, [
      ["approved", "more.approved", GREEN], ["rejected", "more.rejected", RED], ["pending", "more.pendingRepair", AMBER],
    ], { stack: "decision" }));
    const volunteerOption = computed(() => monthly("chart.volunteerMonths", months.value,
      [["hours", "more.hours", GREEN]], { lines: [["volunteers", "more.volunteers", BLUE]], rightAxis: true }));
    const villages = computed(() => (props.data.villages || []).filter((row) => row.minutes > 0));
    const villageHoursOption = computed(() => horizontal("chart.volunteerVillages",
      villages.value.map((row) => localName(row, "community")), villages.value.map((row) => row.hours), GREEN));
    const redemptionsOption = computed(() => monthly("chart.redemptions", months.value,
      [["orders", "more.orders", BLUE]], { lines: [["points_net", "more.pointsNet", RED]], rightAxis: true }));
    const donorOption = computed(() => {
      const sums = {};
      for (const row of props.data.donors || []) sums[row.donor_kind] = (sums[row.donor_kind] || 0) + row.points_value;
      return {
        title: title("chart.donors"), tooltip: { trigger: "item" }, legend: { bottom: 0 },
        series: [{ type: "pie", radius: ["38%", "62%"], center: ["50%", "52%"],
          label: { formatter: "{b}\n{c}" },
          data: Object.entries(sums).map(([kind, value]) => ({ name: t("donor." + kind), value })) }],
      };
    });
    const stockOption = computed(() => {
      const shops = props.data.shops || [];
      return horizontal("chart.stockValue", shops.map((row) => localName(row, "name")),
        shops.map((row) => row.stock_points), BLUE);
    });
    const discountsOption = computed(() => {
      const option = monthly("chart.discounts", months.value.map((m) => ({ ...m, yuan: Number(yuan(m.discount_amount)) })),
        [["yuan", "more.discount", RED]], { lines: [["sales", "more.sales", BLUE]], rightAxis: true });
      return option;
    });
    const levelsOption = computed(() => {
      const levels = props.data.levels || [];
      return {
        title: title("chart.levels"), tooltip: { trigger: "axis" }, grid: GRID,
        xAxis: { type: "category", data: levels.map((row) => t("more.level.n", { level: row.level })) },
        yAxis: { type: "value", minInterval: 1 },
        series: [{ type: "bar", barMaxWidth: 48, data: levels.map((row) => row.merchants),
          label: { show: true, position: "top" }, itemStyle: { color: RED } }],
      };
    });
    const chartHeight = (rows) => Math.max(300, rows * 30 + 90);
    const rating = (value) => (value === null || value === undefined ? "—" : value.toFixed(1));
    return {
      t, prefs, localName, yuan, rating, chartHeight, villages, objectionsOption, repairsOption, volunteerOption,
      villageHoursOption, redemptionsOption, donorOption, stockOption, discountsOption, levelsOption,
    };
  },
  template: `
  <div class="more-report">
    <template v-if="name === 'objections'">
      <div class="kpis">
        <el-statistic :title="t('more.filed')" :value="data.totals.filed" data-test="kpi-filed" />
        <el-statistic :title="t('more.upheld')" :value="data.totals.upheld" />
        <el-statistic :title="t('more.dismissed')" :value="data.totals.dismissed" />
        <el-statistic :title="t('more.overdue')" :value="data.totals.overdue" data-test="kpi-overdue" />
      </div>
      <el-card shadow="never"><Chart :option="objectionsOption" :label="t('chart.objections')" data-chart="objections" /></el-card>
      <el-table :data="data.months" stripe border data-table="objections">
        <el-table-column prop="month" :label="t('col.month')" />
        <el-table-column v-for="[key, label] in [['filed', 'more.filed'], ['upheld', 'more.upheld'], ['dismissed', 'more.dismissed'], ['open', 'more.open'], ['overdue', 'more.overdue'], ['decided_late', 'more.decidedLate']]"
                         :key="key" :prop="key" :label="t(label)" align="right" />
      </el-table>
    </template>
    <template v-if="name === 'repairs'">
      <div class="kpis">
        <el-statistic :title="t('more.applied')" :value="data.totals.applied" data-test="kpi-applied" />
        <el-statistic :title="t('more.approved')" :value="data.totals.approved" />
        <el-statistic :title="t('more.rejected')" :value="data.totals.rejected" />
        <el-statistic :title="t('more.pointsRestored')" :value="data.totals.points_restored" />
      </div>
      <el-card shadow="never"><Chart :option="repairsOption" :label="t('chart.repairs')" data-chart="repairs" /></el-card>
      <el-table :data="data.months" stripe border data-table="repairs">
        <el-table-column prop="month" :label="t('col.month')" />
        <el-table-column v-for="[key, label] in [['applied', 'more.applied'], ['approved', 'more.approved'], ['rejected', 'more.rejected'], ['pending', 'more.pendingRepair'], ['points_restored', 'more.pointsRestored']]"
                         :key="key" :prop="key" :label="t(label)" align="right" />
      </el-table>
    </template>
    <template v-if="name === 'volunteering'">
      <div class="charts two">
        <el-card shadow="never"><Chart :option="volunteerOption" :label="t('chart.volunteerMonths')" data-chart="volunteer-months"
          :height="chartHeight(villages.length)" /></el-card>
        <el-card shadow="never"><Chart :option="villageHoursOption" :label="t('chart.volunteerVillages')" data-chart="volunteer-villages"
          :height="chartHeight(villages.length)" /></el-card>
      </div>
      <h2 class="table-title">{{ t('more.byVillage') }}</h2>
      <el-table :data="data.villages" stripe border data-table="volunteering" :empty-text="t('reports.empty')">
        <el-table-column :label="t('col.town')"><template #default="{ row }">{{ localName(row, 'town') }}</template></el-table-column>
        <el-table-column :label="t('col.village')"><template #default="{ row }">{{ localName(row, 'community') }}</template></el-table-column>
        <el-table-column prop="volunteers" :label="t('more.volunteers')" align="right" />
        <el-table-column prop="activities" :label="t('more.activities')" align="right" />
        <el-table-column prop="hours" :label="t('more.hours')" align="right" />
        <el-table-column prop="points" :label="t('more.points')" align="right" />
      </el-table>
      <h2 class="table-title">{{ t('more.byMonth') }}</h2>
      <el-table :data="data.rows" stripe border data-table="volunteering-months" :empty-text="t('reports.empty')">
        <el-table-column prop="month" :label="t('col.month')" />
        <el-table-column :label="t('col.village')"><template #default="{ row }">{{ localName(row, 'community') }}</template></el-table-column>
        <el-table-column prop="volunteers" :label="t('more.volunteers')" align="right" />
        <el-table-column prop="activities" :label="t('more.activities')" align="right" />
        <el-table-column prop="hours" :label="t('more.hours')" align="right" />
        <el-table-column prop="points" :label="t('more.points')" align="right" />
      </el-table>
    </template>
    <template v-if="name === 'supermarkets'">
      <div class="kpis">
        <el-statistic :title="t('more.orders')" :value="data.totals.orders" />
        <el-statistic :title="t('more.pointsNet')" :value="data.totals.points_net" data-test="kpi-points-net" />
        <el-statistic :title="t('more.stockPoints')" :value="data.totals.stock_points" data-test="kpi-stock-points" />
        <el-statistic :title="t('more.donatedPoints')" :value="data.totals.donated_points" />
      </div>
      <el-card shadow="never"><Chart :option="redemptionsOption" :label="t('chart.redemptions')" data-chart="redemptions" /></el-card>
      <div class="charts two">
        <el-card shadow="never"><Chart :option="stockOption" :label="t('chart.stockValue')" data-chart="stock"
          :height="chartHeight(data.shops.length)" /></el-card>
        <el-card shadow="never"><Chart :option="donorOption" :label="t('chart.donors')" data-chart="donors"
          :height="chartHeight(data.shops.length)" /></el-card>
      </div>
      <el-table :data="data.months" stripe border data-table="supermarket-months">
        <el-table-column prop="month" :label="t('col.month')" />
        <el-table-column v-for="[key, label] in [['orders', 'more.orders'], ['points_spent', 'more.pointsSpent'], ['cancelled', 'more.cancelled'], ['points_refunded', 'more.pointsRefunded'], ['points_net', 'more.pointsNet']]"
                         :key="key" :prop="key" :label="t(label)" align="right" />
      </el-table>
      <h2 class="table-title">{{ t('more.shopsTitle') }}</h2>
      <el-table :data="data.shops" stripe border data-table="supermarkets" :empty-text="t('reports.empty')">
        <el-table-column :label="t('more.shop')" min-width="150"><template #default="{ row }">{{ localName(row, 'name') }}</template></el-table-column>
        <el-table-column :label="t('col.village')"><template #default="{ row }">{{ localName(row, 'community') }}</template></el-table-column>
        <el-table-column v-for="[key, label] in [['items', 'more.items'], ['active_items', 'more.activeItems'], ['stock', 'more.stock'], ['stock_points', 'more.stockPoints'], ['low_stock', 'more.lowStock'], ['orders', 'more.orders'], ['points_net', 'more.pointsNet']]"
                         :key="key" :prop="key" :label="t(label)" align="right" />
      </el-table>
      <h2 class="table-title">{{ t('more.donorsTitle') }}</h2>
      <el-table :data="data.donors" stripe border data-table="donors" :empty-text="t('reports.empty')">
        <el-table-column prop="month" :label="t('col.month')" />
        <el-table-column :label="t('more.donorKind')"><template #default="{ row }">{{ t('donor.' + row.donor_kind) }}</template></el-table-column>
        <el-table-column prop="donor_name" :label="t('more.donor')" min-width="150" />
        <el-table-column v-for="[key, label] in [['intakes', 'more.intakes'], ['quantity', 'more.quantity'], ['points_value', 'more.pointsValue']]"
                         :key="key" :prop="key" :label="t(label)" align="right" />
      </el-table>
    </template>
    <template v-if="name === 'merchants'">
      <div class="kpis">
        <el-statistic :title="t('more.sales')" :value="data.totals.sales" data-test="kpi-sales" />
        <el-statistic :title="t('more.discount')" :value="Number(yuan(data.totals.discount_amount))" :precision="2" data-test="kpi-discount" />
        <el-statistic :title="t('more.ratings')" :value="data.totals.ratings" />
        <el-statistic :title="t('more.averageRating')" :value="data.totals.average_rating ?? 0"
          :formatter="(value) => (data.totals.average_rating === null ? '—' : value.toFixed(1))" />
      </div>
      <div class="charts two">
        <el-card shadow="never"><Chart :option="discountsOption" :label="t('chart.discounts')" data-chart="discounts" /></el-card>
        <el-card shadow="never"><Chart :option="levelsOption" :label="t('chart.levels')" data-chart="levels" /></el-card>
      </div>
      <el-table :data="data.merchants" stripe border data-table="merchants" :empty-text="t('reports.empty')">
        <el-table-column prop="name" :label="t('more.merchant')" min-width="150" />
        <el-table-column :label="t('col.village')"><template #default="{ row }">{{ row.community_zh ? localName(row, 'community') : '—' }}</template></el-table-column>
        <el-table-column :label="t('more.status')"><template #default="{ row }">{{ t('merchant.' + row.status) }}</template></el-table-column>
        <el-table-column prop="score" :label="t('more.score')" align="right" />
        <el-table-column prop="level" :label="t('more.level')" align="center" />
        <el-table-column prop="sales" :label="t('more.sales')" align="right" />
        <el-table-column :label="t('more.discount')" align="right"><template #default="{ row }">{{ yuan(row.discount_amount) }}</template></el-table-column>
        <el-table-column prop="ratings" :label="t('more.ratings')" align="right" />
        <el-table-column :label="t('more.averageRating')" align="right"><template #default="{ row }">{{ rating(row.average_rating) }}</template></el-table-column>
      </el-table>
    </template>
  </div>`,
};
