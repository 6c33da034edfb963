/* Credit supermarkets (信用超市): a shop's items with their photos and stock, donors' intake, corrections with a
 * reason, what runs low, redemption orders (cancel one not yet collected) and every stock movement; opening and
 * changing a shop, adding and changing items with their photos (the forms: supermarket-forms.js). */
import { newIdempotencyKey } from "/webcommon/api.js";
import { addTexts, localName, localTime, messageOf, prefs, t } from "../i18n.js";
import { exportList, formErrors } from "../forms.js";
import { api, hasRole } from "../session.js";
import { computed, ElMessage, ElMessageBox, onMounted, reactive, ref, watch } from "../vue.js";
import { CATEGORIES, ITEM_DIALOG, PERIODS, SHOP_DIALOG, useItemForm, useShopForm } from "./supermarket-forms.js";

addTexts({
  "zh-CN": {
    "menu.supermarkets": "信用超市", "shop.choose": "选择超市", "shop.none": "还没有信用超市", "shop.items": "物品库存",
    "shop.orders": "兑换订单", "shop.movements": "库存变动", "shop.photo": "照片", "shop.item": "物品", "shop.category": "类别",
    "shop.price": "兑换积分", "shop.stock": "库存", "shop.limit": "限兑", "shop.noLimit": "不限", "shop.offered": "上架",
    "shop.intake": "入库", "shop.adjust": "调整", "shop.low": "库存不足：{names}", "shop.lowTag": "库存不足",
    "shop.quantity": "数量", "shop.donor": "捐赠方", "shop.donorKind": "捐赠方类型", "shop.note": "备注", "shop.reason": "原因",
    "shop.adjustHelp": "减少填负数（如损坏 -3），增加填正数", "shop.intakeOf": "入库 · {name}", "shop.adjustOf": "调整库存 · {name}",
    "shop.intakeDone": "已入库 {n} 件，库存 {stock}", "shop.adjustDone": "已调整，库存 {stock}",
    "shop.donor.government": "镇街政府", "shop.donor.school": "学校", "shop.donor.company": "企业", "shop.donor.individual": "个人",
    "shop.kind.intake": "入库", "shop.kind.adjustment": "调整", "shop.kind.redemption": "兑换", "shop.kind.cancellation": "取消退回",
    "shop.status.placed": "待领取", "shop.status.collected": "已领取", "shop.status.cancelled": "已取消",
    "shop.receipt": "小票号", "shop.placedAt": "下单时间", "shop.lines": "物品", "shop.points": "积分", "shop.status": "状态",
    "shop.cancel": "取消订单", "shop.cancelAsk": "取消订单 {receipt}？积分和库存都会退回。请填写原因。", "shop.cancelled": "订单已取消，积分和库存已退回",
    "shop.time": "时间", "shop.kind": "类型", "shop.after": "变动后库存", "shop.by": "操作人", "shop.emptyItems": "没有物品",
    "shop.emptyOrders": "没有订单", "shop.emptyMovements": "没有库存变动", "shop.per": "每{period} {n} 件",
    "shop.period.day": "天", "shop.period.week": "周", "shop.period.month": "月", "shop.period.quarter": "季度", "shop.period.year": "年",
    "shop.cat.grain_oil": "粮油", "shop.cat.food": "食品", "shop.cat.daily": "日用品", "shop.cat.cleaning": "清洁用品",
    "shop.cat.textiles": "床品毛巾", "shop.cat.stationery": "文具", "shop.cat.other": "其他", "shop.resident": "居民", "shop.off": "已下架",
  },
  en: {
    "menu.supermarkets": "Supermarkets", "shop.choose": "Supermarket", "shop.none": "No credit supermarket yet", "shop.items": "Items & stock",
    "shop.orders": "Orders", "shop.movements": "Stock movements", "shop.photo": "Photo", "shop.item": "Item", "shop.category": "Category",
    "shop.price": "Points", "shop.stock": "Stock", "shop.limit": "Limit", "shop.noLimit": "None", "shop.offered": "On sale",
    "shop.intake": "Intake", "shop.adjust": "Adjust", "shop.low": "Running low: {names}", "shop.lowTag": "Low",
    "shop.quantity": "Quantity", "shop.donor": "Donor", "shop.donorKind": "Donor kind", "shop.note": "Note", "shop.reason": "Reason",
    "shop.adjustHelp": "Negative to take away (e.g. -3 damaged), positive to add", "shop.intakeOf": "Intake · {name}", "shop.adjustOf": "Adjust stock · {name}",
    "shop.intakeDone": "{n} taken in; stock {stock}", "shop.adjustDone": "Adjusted; stock {stock}",
    "shop.donor.government": "Town government", "shop.donor.school": "School", "shop.donor.company": "Company", "shop.donor.individual": "Individual",
    "shop.kind.intake": "Intake", "shop.kind.adjustment": "Adjustment", "shop.kind.redemption": "Redemption", "shop.kind.cancellation": "Cancellation",
    "shop.status.placed": "Placed", "shop.status.collected": "Collected", "shop.status.cancelled": "Cancelled",
    "shop.receipt": "Receipt", "shop.placedAt": "Placed at", "shop.lines": "Items", "shop.points": "Points", "shop.status": "Status",
    "shop.cancel": "Cancel order", "shop.cancelAsk": "Cancel order {receipt}? Points and stock come back. Say why.", "shop.cancelled": "Order cancelled; points and stock returned",
    "shop.time": "Time", "shop.kind": "Kind", "shop.after": "Stock after", "shop.by": "By", "shop.emptyItems": "No item",
    "shop.emptyOrders": "No order", "shop.emptyMovements": "No stock movement", "shop.per": "{n} a {period}",
    "shop.period.day": "day", "shop.period.week": "week", "shop.period.month": "month", "shop.period.quarter": "quarter", "shop.period.year": "year",
    "shop.cat.grain_oil": "Rice & oil", "shop.cat.food": "Food", "shop.cat.daily": "Daily goods", "shop.cat.cleaning": "Cleaning",
    "shop.cat.textiles": "Towels & bedding", "shop.cat.stationery": "Stationery", "shop.cat.other": "Other", "shop.resident": "Resident", "shop.off": "Off sale",
  },
});

const PER_PAGE = 20;

function list() {
  return reactive({ rows: [], total: 0, page: 1, loading: false, error: "" });
}

export const SupermarketsView = {
  setup() {
    const shops = ref([]);
    const shopId = ref(null);
    const tab = ref("items");
    const items = list();
    const orders = list();
    const movements = list();
    const low = ref([]);
    const orderFilters = reactive({ status: "" });
    const movementFilters = reactive({ kind: "" });
    const names = computed(() => Object.fromEntries(items.rows.map((i) => [i.id, localName(i, "name")])));
    const stock = reactive({ open: false, busy: false, mode: "intake", item: null, key: "",
      form: { quantity: 1, donor_name: "", donor_kind: "government", note: "", reason: "" } });
    const errors = formErrors();
    watch(() => ({ ...stock.form }), () => errors.clear());

    async function fill(target, path, query, to) {
      target.page = to;
      target.loading = true;
      target.error = "";
      try {
        const answer = await api.get(path, { query: { ...query, page: to, per_page: PER_PAGE } });
        target.rows = answer.items;
        target.total = answer.total;
      } catch (err) {
        target.error = messageOf(err);
      } finally {
        target.loading = false;
      }
    }
    const base = () => `/supermarkets/${shopId.value}`;
    const loadItems = async (to = 1) => {
      await fill(items, base() + "/items", {}, to);
      try { low.value = await api.get(base() + "/low-stock"); } catch (err) { low.value = []; }
    };
    const loadOrders = (to = 1) => fill(orders, base() + "/orders", { status: orderFilters.status || undefined }, to);
    const loadMovements = (to = 1) => fill(movements, base() + "/stock-movements", { kind: movementFilters.kind || undefined }, to);
    function loadTab() {
      if (!shopId.value) return;
      if (tab.value === "items") loadItems(); else if (tab.value === "orders") loadOrders(); else loadMovements();
    }
    watch(shopId, () => { loadItems(); if (tab.value !== "items") loadTab(); });
    watch(tab, loadTab);
    async function loadShops(choose = null) {
      try {
        shops.value = (await api.get("/supermarkets", { query: { per_page: 100 } })).items;
        if (choose && shopId.value === choose) loadItems(items.page);
        else if (choose) shopId.value = choose;
        else if (shops.value.length) shopId.value = shops.value[0].id;
      } catch (err) {
        items.error = messageOf(err);
      }
    }
    onMounted(() => loadShops());
    const admin = computed(() => hasRole("district_admin"));
    const shopOnScreen = computed(() => shops.value.find((s) => s.id === shopId.value) || null);
    const shopForm = useShopForm((saved) => loadShops(saved.id));
    const itemForm = useItemForm(() => shopId.value, () => loadItems(items.page));

    function openStock(item, mode) {
      errors.clear();
      Object.assign(stock, { open: true, busy: false, mode, item, key: newIdempotencyKey(),
        form: { quantity: mode === "intake" ? 1 : -1, donor_name: "", donor_kind: "government", note: "", reason: "" } });
    }
    async function saveStock() {
      const form = stock.form;
      const body = stock.mode === "intake"
        ? { quantity: form.quantity, donor_name: form.donor_name.trim(), donor_kind: form.donor_kind, note: form.note.trim() || null }
        : { quantity: form.quantity, reason: form.reason.trim() };
      stock.busy = true;
      try {
        const moved = await api.post(`${base()}/items/${stock.item.id}/${stock.mode === "intake" ? "intakes" : "adjustments"}`,
          body, { idempotencyKey: stock.key });
        stock.open = false;
        ElMessage.success(t(stock.mode === "intake" ? "shop.intakeDone" : "shop.adjustDone", { n: moved.quantity, stock: moved.stock_after }));
        await loadItems(items.page);
      } catch (err) {
        errors.show(err);
        if (err.status && err.status < 500) stock.key = newIdempotencyKey(); // refused: the corrected form is a new write
      } finally {
        stock.busy = false;
      }
    }
    async function cancelOrder(order) {
      let reason;
      try {
        reason = (await ElMessageBox.prompt(t("shop.cancelAsk", { receipt: order.receipt_no }), t("shop.cancel"), {
          confirmButtonText: t("shop.cancel"), cancelButtonText: t("common.cancel"), inputPlaceholder: t("shop.reason"),
          inputValidator: (value) => Boolean(value && value.trim()) || t("shop.reason"), type: "warning" })).value.trim();
      } catch (cancelled) {
        return;
      }
      try {
        await api.post(`/supermarkets/orders/${order.id}/cancel`, { reason }, { idempotencyKey: newIdempotencyKey() });
        ElMessage.success(t("shop.cancelled"));
        await loadOrders(orders.page);
      } catch (err) {
        ElMessage.error({ message: messageOf(err), duration: 6000 });
      }
    }

    const lines = (order) => order.lines.map((l) => `${prefs.lang === "en" ? l.name_en : l.name_zh} × ${l.quantity}`).join("，");
    const limit = (item) => (item.limit_quantity ? t("shop.per", { n: item.limit_quantity, period: t("shop.period." + item.limit_period) }) : t("shop.noLimit"));
    const isLow = (item) => item.active && item.stock <= item.low_stock_at;
    const lowNames = computed(() => low.value.map((i) => `${localName(i, "name")}（${i.stock}）`).join("，"));
    const photoOk = (item) => item.photo && item.photo.startsWith("/");
    function exportXlsx() {
      const today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
      if (tab.value === "items") return exportList(base() + "/items", {}, `supermarket-items-${today}.xlsx`);
      if (tab.value === "orders") return exportList(base() + "/orders", { status: orderFilters.status }, `supermarket-orders-${today}.xlsx`);
      return exportList(base() + "/stock-movements", { kind: movementFilters.kind }, `stock-movements-${today}.xlsx`);
    }
    return { shops, shopId, tab, items, orders, movements, low, lowNames, orderFilters, movementFilters, names, stock,
      errors, loadItems, loadOrders, loadMovements, openStock, saveStock, cancelOrder, lines, limit, isLow, photoOk,
      exportXlsx, admin, shopOnScreen, ...shopForm, ...itemForm, CATEGORIES, PERIODS, PER_PAGE, t, localName, localTime };
  },
  template: `
  <section class="supermarkets">
    <div class="toolbar">
      <el-select v-model="shopId" :placeholder="t('shop.choose')" :aria-label="t('shop.choose')" style="width: 240px" data-test="shop-select">
        <el-option v-for="s in shops" :key="s.id" :value="s.id" :label="localName(s, 'name')" /></el-select>
      <el-button v-if="admin" :disabled="!shopOnScreen" @click="openShop(shopOnScreen)" data-test="shop-edit">{{ t('shop.edit') }}</el-button>
      <el-button :disabled="!shopId" type="primary" plain @click="openItem()" data-test="item-new">{{ t('shop.newItem') }}</el-button>
      <el-button :disabled="!shopId" @click="exportXlsx" data-test="export">{{ t('common.export') }}</el-button>
      <el-button v-if="admin" type="primary" class="toolbar-end" @click="openShop()" data-test="shop-new">{{ t('shop.new') }}</el-button>
    </div>
    <el-empty v-if="!shops.length && !items.loading" :description="t('shop.none')" />
    <template v-else>
      <el-alert v-if="low.length" :title="t('shop.low', { names: lowNames })" type="warning" show-icon :closable="false" class="page-error" data-test="low-stock" />
      <div class="tabs-row"><el-tabs v-model="tab" class="report-tabs">
        <el-tab-pane name="items" :label="t('shop.items')" /><el-tab-pane name="orders" :label="t('shop.orders')" />
        <el-tab-pane name="movements" :label="t('shop.movements')" /></el-tabs></div>
      <div class="report-body">
        <template v-if="tab === 'items'">
          <el-alert v-if="items.error" :title="items.error" type="error" show-icon :closable="false" class="page-error" />
          <el-table :data="items.rows" v-loading="items.loading" stripe border row-key="id" :empty-text="t('shop.emptyItems')" data-table="items">
            <el-table-column :label="t('shop.photo')" width="84"><template #default="{ row }">
              <img v-if="photoOk(row)" :src="row.photo" :alt="localName(row, 'name')" class="item-photo" /><span v-else>—</span></template></el-table-column>
            <el-table-column :label="t('shop.item')" min-width="170"><template #default="{ row }">{{ localName(row, 'name') }}
              <el-tag v-if="!row.active" size="small" type="info">{{ t('shop.off') }}</el-tag></template></el-table-column>
            <el-table-column :label="t('shop.category')" width="110"><template #default="{ row }">{{ t('shop.cat.' + row.category) }}</template></el-table-column>
            <el-table-column :label="t('shop.price')" width="100" align="right" prop="price_points" />
            <el-table-column :label="t('shop.stock')" width="120" align="right"><template #default="{ row }">
              <el-tag v-if="isLow(row)" size="small" type="danger" effect="plain">{{ t('shop.lowTag') }}</el-tag> <strong>{{ row.stock }}</strong></template></el-table-column>
            <el-table-column :label="t('shop.limit')" width="120"><template #default="{ row }">{{ limit(row) }}</template></el-table-column>
            <el-table-column :label="t('common.actions')" width="236"><template #default="{ row }">
              <el-button size="small" type="primary" plain @click="openStock(row, 'intake')" :data-intake="row.id">{{ t('shop.intake') }}</el-button>
              <el-button size="small" @click="openStock(row, 'adjustment')" :data-adjust="row.id">{{ t('shop.adjust') }}</el-button>
              <el-button size="small" @click="openItem(row)" :data-edit-item="row.id">{{ t('shop.edit.short') }}</el-button></template></el-table-column>
          </el-table>
          <el-pagination v-if="items.total > PER_PAGE" layout="prev, pager, next" :total="items.total" :page-size="PER_PAGE" :current-page="items.page" @current-change="loadItems" class="pager" />
        </template>
        <template v-else-if="tab === 'orders'">
          <div class="subbar"><el-radio-group v-model="orderFilters.status" @change="loadOrders(1)" :aria-label="t('shop.status')">
            <el-radio-button value="">{{ t('filter.all') }}</el-radio-button>
            <el-radio-button v-for="s in ['placed', 'collected', 'cancelled']" :key="s" :value="s">{{ t('shop.status.' + s) }}</el-radio-button></el-radio-group></div>
          <el-alert v-if="orders.error" :title="orders.error" type="error" show-icon :closable="false" class="page-error" />
          <el-table :data="orders.rows" v-loading="orders.loading" stripe border row-key="id" :empty-text="t('shop.emptyOrders')" data-table="orders">
            <el-table-column :label="t('shop.receipt')" width="190" prop="receipt_no" />
            <el-table-column :label="t('shop.placedAt')" width="150"><template #default="{ row }">{{ localTime(row.created_at) }}</template></el-table-column>
            <el-table-column :label="t('shop.resident')" width="110" prop="resident_name" />
            <el-table-column :label="t('shop.lines')" min-width="200"><template #default="{ row }">{{ lines(row) }}</template></el-table-column>
            <el-table-column :label="t('shop.points')" width="80" align="right" prop="total_points" />
            <el-table-column :label="t('shop.status')" width="170"><template #default="{ row }">{{ t('shop.status.' + row.status) }}
              <span v-if="row.cancel_reason" class="item-code">{{ row.cancel_reason }}</span></template></el-table-column>
            <el-table-column width="110"><template #default="{ row }">
              <el-button v-if="row.status === 'placed'" size="small" type="danger" plain @click="cancelOrder(row)" :data-cancel="row.id">{{ t('shop.cancel') }}</el-button></template></el-table-column>
          </el-table>
          <el-pagination v-if="orders.total > PER_PAGE" layout="prev, pager, next" :total="orders.total" :page-size="PER_PAGE" :current-page="orders.page" @current-change="loadOrders" class="pager" />
        </template>
        <template v-else>
          <div class="subbar"><el-radio-group v-model="movementFilters.kind" @change="loadMovements(1)" :aria-label="t('shop.kind')">
            <el-radio-button value="">{{ t('filter.all') }}</el-radio-button>
            <el-radio-button v-for="k in ['intake', 'adjustment', 'redemption', 'cancellation']" :key="k" :value="k">{{ t('shop.kind.' + k) }}</el-radio-button></el-radio-group></div>
          <el-alert v-if="movements.error" :title="movements.error" type="error" show-icon :closable="false" class="page-error" />
          <el-table :data="movements.rows" v-loading="movements.loading" stripe border row-key="id" :empty-text="t('shop.emptyMovements')" data-table="movements">
            <el-table-column :label="t('shop.time')" width="150"><template #default="{ row }">{{ localTime(row.created_at) }}</template></el-table-column>
            <el-table-column :label="t('shop.item')" min-width="140"><template #default="{ row }">{{ names[row.item_id] || row.item_id }}</template></el-table-column>
            <el-table-column :label="t('shop.kind')" width="100"><template #default="{ row }">{{ t('shop.kind.' + row.kind) }}</template></el-table-column>
            <el-table-column :label="t('shop.quantity')" width="80" align="right"><template #default="{ row }">
              <span :class="row.quantity > 0 ? 'plus' : 'minus'">{{ row.quantity > 0 ? '+' + row.quantity : row.quantity }}</span></template></el-table-column>
            <el-table-column :label="t('shop.after')" width="110" align="right" prop="stock_after" />
            <el-table-column :label="t('shop.donor')" min-width="150"><template #default="{ row }">{{ row.donor_name || '' }}
              <span v-if="row.donor_kind" class="item-code">{{ t('shop.donor.' + row.donor_kind) }}</span></template></el-table-column>
            <el-table-column :label="t('shop.reason')" min-width="140"><template #default="{ row }">{{ row.reason || row.note || '' }}</template></el-table-column>
            <el-table-column :label="t('shop.by')" width="140" prop="actor" />
          </el-table>
          <el-pagination v-if="movements.total > PER_PAGE" layout="prev, pager, next" :total="movements.total" :page-size="PER_PAGE" :current-page="movements.page" @current-change="loadMovements" class="pager" />
        </template>
      </div>
    </template>

    <el-dialog v-model="stock.open" :title="stock.item ? t(stock.mode === 'intake' ? 'shop.intakeOf' : 'shop.adjustOf', { name: localName(stock.item, 'name') }) : ''" width="560px">
      <el-form label-width="120px" @submit.prevent="saveStock">
        <el-form-item :label="t('shop.quantity')" for="stock-quantity" :error="errors.fields.quantity">
          <el-input-number id="stock-quantity" v-model="stock.form.quantity" :min="stock.mode === 'intake' ? 0 : -100000" :max="100000" data-test="stock-quantity" />
          <span v-if="stock.mode !== 'intake'" class="field-help">{{ t('shop.adjustHelp') }}</span></el-form-item>
        <template v-if="stock.mode === 'intake'">
          <el-form-item :label="t('shop.donor')" for="stock-donor" :error="errors.fields.donor_name">
            <el-input id="stock-donor" v-model="stock.form.donor_name" maxlength="100" data-test="stock-donor" /></el-form-item>
          <el-form-item :label="t('shop.donorKind')" :error="errors.fields.donor_kind">
            <el-radio-group v-model="stock.form.donor_kind" :aria-label="t('shop.donorKind')">
              <el-radio v-for="k in ['government', 'school', 'company', 'individual']" :key="k" :value="k">{{ t('shop.donor.' + k) }}</el-radio></el-radio-group></el-form-item>
          <el-form-item :label="t('shop.note')" for="stock-note" :error="errors.fields.note">
            <el-input id="stock-note" v-model="stock.form.note" maxlength="500" /></el-form-item>
        </template>
        <el-form-item v-else :label="t('shop.reason')" for="stock-reason" :error="errors.fields.reason">
          <el-input id="stock-reason" v-model="stock.form.reason" maxlength="500" data-test="stock-reason" /></el-form-item>
      </el-form>
      <p v-if="errors.message" class="form-error" role="alert" data-test="stock-error">{{ errors.message }}</p>
      <template #footer>
        <el-button @click="stock.open = false">{{ t('common.cancel') }}</el-button>
        <el-button type="primary" :loading="stock.busy" @click="saveStock" data-test="stock-save">{{ t('common.save') }}</el-button>
      </template>
    </el-dialog>
${SHOP_DIALOG}
${ITEM_DIALOG}
  </section>`,
};
