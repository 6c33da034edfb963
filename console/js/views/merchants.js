/* The merchant alliance (信用商家联盟): merchants by state; approve, suspend, reinstate, expel (with a reason);
 * a merchant's sales, credit level, discount table by star (inside the policy's bounds), ratings (hide abuse),
 * and its A4 door poster as a PDF. */
import { addTexts, localName, localTime, messageOf, t } from "../i18n.js";
import { exportList, formErrors } from "../forms.js";
import { api, openFile } from "../session.js";
import { ElMessage, ElMessageBox, onMounted, reactive, ref } from "../vue.js";

addTexts({
  "zh-CN": {
    "menu.merchants": "联盟商家", "mer.status": "状态", "mer.status.pending": "待审核", "mer.status.approved": "联盟商家",
    "mer.status.suspended": "暂停优惠", "mer.status.expelled": "已退出联盟", "mer.search": "商家名称",
    "mer.name": "商家", "mer.category": "类别", "mer.address": "地址", "mer.contact": "联系人", "mer.village": "村社区",
    "mer.approve": "批准入盟", "mer.suspend": "暂停", "mer.reinstate": "恢复", "mer.expel": "清退",
    "mer.details": "详情", "mer.empty": "没有符合条件的商家", "mer.reasonAsk": "{action}“{name}”：请填写原因（商家和居民会看到状态变化）。",
    "mer.reason": "原因", "mer.done": "已{action}", "mer.today": "今日", "mer.month": "本月", "mer.sales": "优惠笔数",
    "mer.bill": "消费金额", "mer.discount": "优惠金额", "mer.rating": "评价", "mer.ratingAvg": "平均 {avg} 星（{n} 条）",
    "mer.noRating": "暂无评价", "mer.level": "信用等级", "mer.score": "信用分", "mer.discounts": "各星级折扣",
    "mer.stars": "居民星级", "mer.percent": "折扣 %", "mer.bounds": "政策范围", "mer.setBy": "来源",
    "mer.setByMerchant": "商家设定", "mer.setByDefault": "政策最低值", "mer.saveDiscounts": "保存折扣",
    "mer.discountsSaved": "折扣已保存", "mer.ratings": "顾客评价", "mer.hide": "隐藏", "mer.hidden": "已隐藏",
    "mer.hideAsk": "隐藏这条评价的文字？星级仍计入评分。请填写原因。", "mer.poster": "打印门牌海报", "mer.comment": "评价内容",
    "mer.reply": "商家回复", "mer.at": "时间", "mer.yuan": "¥{v}", "mer.noDiscountLevels": "本区政策没有给任何星级设定折扣",
  },
  en: {
    "menu.merchants": "Merchants", "mer.status": "State", "mer.status.pending": "Pending", "mer.status.approved": "Alliance member",
    "mer.status.suspended": "Suspended", "mer.status.expelled": "Expelled", "mer.search": "Merchant name",
    "mer.name": "Merchant", "mer.category": "Category", "mer.address": "Address", "mer.contact": "Contact", "mer.village": "Village",
    "mer.approve": "Approve", "mer.suspend": "Suspend", "mer.reinstate": "Reinstate", "mer.expel": "Expel",
    "mer.details": "Details", "mer.empty": "No merchant matches", "mer.reasonAsk": "{action} “{name}”: say why (the shop and residents see the change).",
    "mer.reason": "Reason", "mer.done": "Done: {action}", "mer.today": "Today", "mer.month": "This month", "mer.sales": "Discounts",
    "mer.bill": "Bills", "mer.discount": "Discount given", "mer.rating": "Rating", "mer.ratingAvg": "{avg}★ on average ({n})",
    "mer.noRating": "No rating yet", "mer.level": "Credit level", "mer.score": "Credit score", "mer.discounts": "Discount by star level",
    "mer.stars": "Resident stars", "mer.percent": "Discount %", "mer.bounds": "Policy bounds", "mer.setBy": "Set by",
    "mer.setByMerchant": "The shop", "mer.setByDefault": "Policy minimum", "mer.saveDiscounts": "Save discounts",
    "mer.discountsSaved": "Discounts saved", "mer.ratings": "Ratings", "mer.hide": "Hide", "mer.hidden": "Hidden",
    "mer.hideAsk": "Hide this rating's text? Its stars still count. Say why.", "mer.poster": "Print door poster", "mer.comment": "Comment",
    "mer.reply": "Shop's reply", "mer.at": "When", "mer.yuan": "¥{v}", "mer.noDiscountLevels": "The district's policy gives no star level a discount",
  },
});

//: what each action needs and which states it applies to (the API refuses the rest with its own message)
const ACTIONS = { approve: ["pending"], suspend: ["approved"], reinstate: ["suspended"], expel: ["approved", "suspended", "pending"] };
const yuan = (fen) => (fen / 100).toFixed(2);

export const MerchantsView = {
  setup() {
    const rows = ref([]);
    const total = ref(0);
    const page = ref(1);
    const villages = ref({});
    const filters = reactive({ status: "", q: "" });
    const loading = ref(false);
    const error = ref("");
    const detail = reactive({ open: false, loading: false, merchant: null, summary: null, ratings: [], levels: [] });
    const errors = formErrors();

    const shownFilters = () => ({ status: filters.status, q: filters.q.trim() });
    async function load(to = 1) {
      page.value = to;
      loading.value = true;
      error.value = "";
      try {
        const query = { page: to, per_page: 20 };
        for (const [name, value] of Object.entries(shownFilters())) if (value) query[name] = value;
        const answer = await api.get("/merchants", { query });
        rows.value = answer.items;
        total.value = answer.total;
      } catch (err) {
        error.value = messageOf(err);
      } finally {
        loading.value = false;
      }
    }
    onMounted(async () => {
      load();
      try {
        const list = (await api.get("/communities", { query: { per_page: 100 } })).items;
        villages.value = Object.fromEntries(list.map((v) => [v.id, localName(v, "name")]));
      } catch (err) { /* names only */ }
    });

    async function change(row, action) {
      let reason = null;
      const label = t("mer." + action);
      try {
        const answer = await ElMessageBox.prompt(t("mer.reasonAsk", { action: label, name: row.name }), label, {
          confirmButtonText: label, cancelButtonText: t("common.cancel"), inputPlaceholder: t("mer.reason"),
          type: action === "expel" || action === "suspend" ? "warning" : "info",
          inputValidator: (value) => !["suspend", "expel"].includes(action) || Boolean(value && value.trim()) || t("mer.reason") });
        reason = (answer.value || "").trim() || null;
      } catch (cancelled) {
        return;
      }
      try {
        await api.post(`/merchants/${row.id}/${action}`, reason ? { reason } : {});
        ElMessage.success(t("mer.done", { action: label }));
        await load(page.value);
        if (detail.open && detail.merchant && detail.merchant.id === row.id) await openDetail(row);
      } catch (err) {
        ElMessage.error({ message: messageOf(err), duration: 6000 });
      }
    }

    async function loadRatings(id) {
      detail.ratings = (await api.get(`/merchants/${id}/ratings`, { query: { per_page: 50 } })).items;
    }
    async function openDetail(row) {
      errors.clear();
      Object.assign(detail, { open: true, loading: true, merchant: row, summary: null, ratings: [], levels: [] });
      try {
        const summary = await api.get(`/merchants/${row.id}/summary`);
        Object.assign(detail, { summary, merchant: summary.merchant, levels: summary.discounts.map((d) => ({ ...d })) });
        await loadRatings(row.id);
      } catch (err) {
        ElMessage.error({ message: messageOf(err), duration: 6000 });
      } finally {
        detail.loading = false;
      }
    }
    async function saveDiscounts() {
      errors.clear();
      try {
        const answer = await api.put(`/merchants/${detail.merchant.id}/discounts`,
          { levels: detail.levels.map((l) => ({ stars: l.stars, percent: l.percent })) });
        detail.levels = answer.levels.map((d) => ({ ...d }));
        ElMessage.success(t("mer.discountsSaved"));
      } catch (err) {
        errors.show(err);
      }
    }
    async function hide(rating) {
      let reason;
      try {
        reason = (await ElMessageBox.prompt(t("mer.hideAsk"), t("mer.hide"), {
          confirmButtonText: t("mer.hide"), cancelButtonText: t("common.cancel"), inputPlaceholder: t("mer.reason"),
          inputValidator: (value) => Boolean(value && value.trim()) || t("mer.reason"), type: "warning" })).value.trim();
      } catch (cancelled) {
        return;
      }
      try {
        await api.post(`/merchants/ratings/${rating.id}/hide`, { reason });
        await loadRatings(detail.merchant.id);
      } catch (err) {
        ElMessage.error({ message: messageOf(err), duration: 6000 });
      }
    }
    async function poster() {
      try {
        await openFile(`/merchants/${detail.merchant.id}/poster.pdf`);
      } catch (err) {
        ElMessage.error({ message: messageOf(err), duration: 6000 });
      }
    }
    const can = (row, action) => ACTIONS[action].includes(row.status);
    const statusType = (s) => ({ approved: "success", pending: "warning", suspended: "danger", expelled: "info" }[s]);
    const exportXlsx = () => exportList("/merchants", shownFilters(), "merchants.xlsx");
    return { rows, total, page, villages, filters, loading, error, detail, errors, load, change, openDetail,
      saveDiscounts, hide, poster, can, statusType, exportXlsx, yuan, t, localName, localTime };
  },
  template: `
  <section class="merchants">
    <div class="toolbar">
      <el-radio-group v-model="filters.status" @change="load(1)" :aria-label="t('mer.status')">
        <el-radio-button value="">{{ t('filter.all') }}</el-radio-button>
        <el-radio-button v-for="s in ['pending', 'approved', 'suspended', 'expelled']" :key="s" :value="s">{{ t('mer.status.' + s) }}</el-radio-button>
      </el-radio-group>
      <el-input v-model="filters.q" :placeholder="t('mer.search')" :aria-label="t('mer.search')" clearable style="width: 180px" @keyup.enter="load(1)" @clear="load(1)" data-test="mer-q" />
      <el-button @click="load(1)">{{ t('filter.apply') }}</el-button>
      <el-button @click="exportXlsx" data-test="export">{{ t('common.export') }}</el-button>
      <span class="count">{{ t('review.total', { n: total }) }}</span>
    </div>
    <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="page-error" />
    <el-table :data="rows" v-loading="loading" stripe border row-key="id" :empty-text="t('mer.empty')" data-table="merchants">
      <el-table-column :label="t('mer.name')" min-width="170"><template #default="{ row }">{{ row.name }}<span class="item-code">{{ row.address }}</span></template></el-table-column>
      <el-table-column :label="t('mer.category')" width="100"><template #default="{ row }">{{ localName(row, 'category') }}</template></el-table-column>
      <el-table-column :label="t('mer.village')" width="110"><template #default="{ row }">{{ villages[row.community_id] || '—' }}</template></el-table-column>
      <el-table-column :label="t('mer.contact')" width="150"><template #default="{ row }">{{ row.contact_name || '' }} {{ row.contact_phone || '' }}</template></el-table-column>
      <el-table-column :label="t('mer.status')" width="170"><template #default="{ row }">
        <el-tag :type="statusType(row.status)" effect="plain">{{ t('mer.status.' + row.status) }}</el-tag>
        <span v-if="row.status_reason" class="item-code">{{ row.status_reason }}</span></template></el-table-column>
      <el-table-column :label="t('common.actions')" width="260"><template #default="{ row }">
        <el-button size="small" @click="openDetail(row)" :data-detail="row.id">{{ t('mer.details') }}</el-button>
        <el-button v-if="can(row, 'approve')" size="small" type="primary" plain @click="change(row, 'approve')" :data-approve="row.id">{{ t('mer.approve') }}</el-button>
        <el-button v-if="can(row, 'suspend')" size="small" type="warning" plain @click="change(row, 'suspend')" :data-suspend="row.id">{{ t('mer.suspend') }}</el-button>
        <el-button v-if="can(row, 'reinstate')" size="small" type="success" plain @click="change(row, 'reinstate')" :data-reinstate="row.id">{{ t('mer.reinstate') }}</el-button>
        <el-button v-if="can(row, 'expel')" size="small" type="danger" plain @click="change(row, 'expel')" :data-expel="row.id">{{ t('mer.expel') }}</el-button>
      </template></el-table-column>
    </el-table>
    <el-pagination v-if="total > 20" layout="prev, pager, next" :total="total" :page-size="20" :current-page="page" @current-change="load" class="pager" />

    <el-drawer v-model="detail.open" size="820px" :title="detail.merchant ? detail.merchant.name : ''">
      <div v-loading="detail.loading" class="merchant-detail">
        <template v-if="detail.summary">
          <div class="detail-head">
            <el-tag :type="statusType(detail.merchant.status)" effect="plain">{{ t('mer.status.' + detail.merchant.status) }}</el-tag>
            <span>{{ t('mer.level') }} <strong data-test="mer-level">{{ detail.summary.credit.level }}</strong> · {{ t('mer.score') }} {{ detail.summary.credit.score }}</span>
            <span>{{ t('mer.rating') }}: {{ detail.summary.ratings.count ? t('mer.ratingAvg', { avg: detail.summary.ratings.average.toFixed(1), n: detail.summary.ratings.count }) : t('mer.noRating') }}</span>
            <el-button v-if="detail.merchant.status !== 'pending'" @click="poster" data-test="mer-poster">{{ t('mer.poster') }}</el-button>
          </div>
          <el-descriptions :column="3" border class="sums" data-test="mer-sums">
            <el-descriptions-item v-for="when in ['today', 'month']" :key="when" :label="t('mer.' + when)">
              {{ t('mer.sales') }} {{ detail.summary[when].sales }} · {{ t('mer.bill') }} {{ t('mer.yuan', { v: yuan(detail.summary[when].bill_amount) }) }} ·
              {{ t('mer.discount') }} {{ t('mer.yuan', { v: yuan(detail.summary[when].discount_amount) }) }}</el-descriptions-item>
          </el-descriptions>
          <h3 class="section-title">{{ t('mer.discounts') }}</h3>
          <p v-if="!detail.levels.length" class="muted">{{ t('mer.noDiscountLevels') }}</p>
          <el-table v-else :data="detail.levels" border data-table="discounts">
            <el-table-column :label="t('mer.stars')" width="110"><template #default="{ row }">{{ row.stars }}★</template></el-table-column>
            <el-table-column :label="t('mer.percent')" width="190"><template #default="{ row }">
              <el-input-number v-model="row.percent" :min="0" :max="100" size="small" :data-percent="row.stars" :aria-label="row.stars + '★ ' + t('mer.percent')" /></template></el-table-column>
            <el-table-column :label="t('mer.bounds')" width="130"><template #default="{ row }">{{ row.min_percent }}–{{ row.max_percent }}%</template></el-table-column>
            <el-table-column :label="t('mer.setBy')"><template #default="{ row }">{{ row.set_by_merchant ? t('mer.setByMerchant') : t('mer.setByDefault') }}</template></el-table-column>
          </el-table>
          <div v-if="errors.message" class="form-error" role="alert" data-test="discount-error">{{ errors.message }}
            <ul v-if="errors.fields.levels"><li>{{ errors.fields.levels }}</li></ul></div>
          <el-button v-if="detail.levels.length" type="primary" @click="saveDiscounts" data-test="save-discounts" class="after-table">{{ t('mer.saveDiscounts') }}</el-button>
          <h3 class="section-title">{{ t('mer.ratings') }}</h3>
          <el-table :data="detail.ratings" border :empty-text="t('mer.noRating')" data-table="ratings">
            <el-table-column :label="t('mer.at')" width="150"><template #default="{ row }">{{ localTime(row.created_at) }}</template></el-table-column>
            <el-table-column :label="t('mer.rating')" width="80"><template #default="{ row }">{{ row.stars }}★</template></el-table-column>
            <el-table-column :label="t('mer.comment')" min-width="200"><template #default="{ row }">{{ row.comment }}
              <el-tag v-if="row.hidden" size="small" type="info">{{ t('mer.hidden') }}</el-tag></template></el-table-column>
            <el-table-column :label="t('mer.reply')" min-width="140" prop="reply" />
            <el-table-column width="90"><template #default="{ row }">
              <el-button v-if="!row.hidden && row.comment" size="small" type="danger" plain @click="hide(row)" :data-hide="row.id">{{ t('mer.hide') }}</el-button></template></el-table-column>
          </el-table>
        </template>
      </div>
    </el-drawer>
  </section>`,
};
