/* The credit supermarket's counter, for the community worker who runs it: scan the pickup code on the
 * resident's receipt (phone camera, keyboard-wedge scanner, or typed), see the order (masked name,
 * goods, quantities), hand the goods over; and record stock given by a donor.
 *
 * A handover and an intake each keep one Idempotency-Key until they succeed: a retry on a poor signal
 * gets the first answer again and never hands over or counts stock twice. */
import { newIdempotencyKey } from "/webcommon/api.js";
import { listenWedge, startCamera } from "/webcommon/scanner.js";
import { addTexts, localDateTime, prefs, t } from "../i18n.js";
import { api, session } from "../session.js";
import { ErrorBox } from "../ui.js";
import { nextTick, onBeforeUnmount, onMounted, reactive, ref } from "../vue.js";

addTexts({
  "zh-CN": {
    "tab.counter": "超市",
    "counter.title": "信用超市柜台",
    "counter.intro": "扫居民小票上的取货码，核对商品后交付。",
    "counter.shop": "本超市",
    "counter.none": "您没有负责的信用超市。",
    "counter.scan": "扫取货码",
    "counter.stop": "关闭摄像头",
    "counter.camera.fail": "无法打开摄像头，请允许使用摄像头，或输入取货码。",
    "counter.code": "取货码",
    "counter.code.ph": "10位字母数字",
    "counter.code.empty": "请输入或扫描取货码。",
    "counter.find": "查找订单",
    "counter.wedge": "也可以用扫码枪直接扫小票上的二维码。",
    "counter.order": "订单",
    "counter.resident": "居民",
    "counter.receipt": "小票号",
    "counter.placed": "下单时间",
    "counter.total": "共 {n} 积分",
    "counter.qty": "× {n}",
    "counter.handover": "确认交付商品",
    "counter.handing": "正在交付……",
    "counter.done": "已交付，商品已交给居民。",
    "counter.already": "这张取货码已经用过：商品已于 {when} 交付，不能再次交付。",
    "counter.cancelled": "这个订单已取消，不能交付。",
    "counter.retry": "网络不好？再点一次“确认交付”不会重复交付。",
    "counter.next": "扫下一张",
    "counter.intake": "捐赠入库",
    "intake.title": "捐赠入库",
    "intake.intro": "记录捐赠人送来的商品，库存随即增加。",
    "intake.item": "商品",
    "intake.choice": "{name}（现有库存 {n}）",
    "intake.quantity": "数量",
    "intake.quantity.ph": "件数",
    "intake.quantity.bad": "数量须为 1 到 100000 之间的整数。",
    "intake.donor": "捐赠人",
    "intake.donor.ph": "如：米山镇政府",
    "intake.donor.empty": "请填写捐赠人。",
    "intake.kind": "捐赠人类型",
    "intake.kind.government": "政府",
    "intake.kind.school": "学校",
    "intake.kind.company": "企业",
    "intake.kind.individual": "个人",
    "intake.note": "备注",
    "intake.pick": "请先选择商品。",
    "intake.submit": "确认入库",
    "intake.done": "已入库 {qty} 件 {name}，现有库存 {stock}。",
    "intake.noItems": "本超市还没有商品。",
  },
  en: {
    "tab.counter": "Shop",
    "counter.title": "Credit supermarket counter",
    "counter.intro": "Scan the pickup code on the resident's receipt, check the goods, hand them over.",
    "counter.shop": "This shop",
    "counter.none": "You do not run a credit supermarket.",
    "counter.scan": "Scan a pickup code",
    "counter.stop": "Close the camera",
    "counter.camera.fail": "The camera could not be opened. Allow it, or type the pickup code.",
    "counter.code": "Pickup code",
    "counter.code.ph": "10 letters and digits",
    "counter.code.empty": "Type or scan the pickup code.",
    "counter.find": "Find the order",
    "counter.wedge": "A handheld scanner works too: scan the QR code on the receipt.",
    "counter.order": "Order",
    "counter.resident": "Resident",
    "counter.receipt": "Receipt",
    "counter.placed": "Ordered",
    "counter.total": "{n} points in all",
    "counter.qty": "× {n}",
    "counter.handover": "Hand the goods over",
    "counter.handing": "Handing over…",
    "counter.done": "Handed over: the resident has the goods.",
    "counter.already": "This pickup code was already used: the goods were handed over on {when}. Not again.",
    "counter.cancelled": "This order was cancelled: nothing to hand over.",
    "counter.retry": "Poor signal? Pressing \"Hand the goods over\" again never hands over twice.",
    "counter.next": "Scan the next one",
    "counter.intake": "Goods from a donor",
    "intake.title": "Goods from a donor",
    "intake.intro": "Record goods a donor brought; the stock goes up at once.",
    "intake.item": "Item",
    "intake.choice": "{name} ({n} in stock)",
    "intake.quantity": "Quantity",
    "intake.quantity.ph": "pieces",
    "intake.quantity.bad": "The quantity is a whole number from 1 to 100000.",
    "intake.donor": "Donor",
    "intake.donor.ph": "e.g. Mishan Town government",
    "intake.donor.empty": "Name the donor.",
    "intake.kind": "Kind of donor",
    "intake.kind.government": "Government",
    "intake.kind.school": "School",
    "intake.kind.company": "Company",
    "intake.kind.individual": "Individual",
    "intake.note": "Note",
    "intake.pick": "Pick an item first.",
    "intake.submit": "Record the intake",
    "intake.done": "{qty} × {name} taken in; {stock} in stock now.",
    "intake.noItems": "This shop has no items yet.",
  },
});

const shopName = (shop) => (shop ? (prefs.lang === "en" ? shop.name_en : shop.name_zh) : "");
const itemName = (item) => (prefs.lang === "en" ? item.name_en : item.name_zh);

/* The supermarkets I run: those of my worker communities (a district admin runs them all). */
async function myShops() {
  const page = await api.get("/supermarkets", { query: { per_page: 100 } });
  const roles = (session.me && session.me.roles) || {};
  if (roles.district_admin !== undefined) return page.items.filter((s) => s.active);
  const mine = roles.worker || [];
  return page.items.filter((s) => s.active && mine.includes(s.community_id));
}

/* The pickup code of a scan: the receipt's QR holds the code itself; a URL keeps it as its last part. */
function pickupCode(text) {
  const value = String(text || "").trim();
  return (value.includes("/") ? value.replace(/\/+$/, "").split("/").pop() : value).toUpperCase();
}

const ShopPicker = {
  props: { shops: Array, modelValue: Number },
  emits: ["update:modelValue"],
  setup() { return { t, shopName }; },
  template: `
  <template v-if="shops.length > 1">
    <h2 id="shop-pick">{{ t('counter.shop') }}</h2>
    <van-radio-group :model-value="modelValue" @update:model-value="$emit('update:modelValue', $event)" aria-labelledby="shop-pick">
      <van-cell-group inset>
        <van-cell v-for="s in shops" :key="s.id">
          <van-radio :name="s.id" label-position="left" class="item-radio">{{ shopName(s) }}</van-radio>
        </van-cell>
      </van-cell-group>
    </van-radio-group>
  </template>
  <p v-else-if="shops.length" class="hint shop-name" data-test="shop">{{ shopName(shops[0]) }}</p>`,
};

export const SupermarketCounter = {
  components: { ErrorBox, ShopPicker },
  setup() {
    const shops = ref(null);
    const shopId = ref(null);
    const code = ref("");
    const order = ref(null);
    const outcome = ref(null); // { tone, text }
    const error = ref(null);
    const busy = ref(false);
    const camera = ref(false);
    const video = ref(null);
    //: one key per pickup code until its handover succeeds: a retry never hands over twice
    const keys = reactive({});
    let stopCamera = null;
    let stopWedge = null;


    onMounted(async () => {
      try {
        shops.value = await myShops();
        shopId.value = shops.value.length ? shops.value[0].id : null;
      } catch (err) {
        error.value = err;
      }
      stopWedge = listenWedge((text) => find(text), { minLength: 4 });
    });
    onBeforeUnmount(() => { closeCamera(); if (stopWedge) stopWedge(); });

    function describe(found) {
      if (found.status === "collected") return { tone: "amber", text: t("counter.already", { when: localDateTime(found.collected_at) }) };
      if (found.status === "cancelled") return { tone: "red", text: t("counter.cancelled") };
      return null;
    }

    async function find(text) {
      const wanted = pickupCode(text === undefined ? code.value : text);
      error.value = null;
      outcome.value = null;
      order.value = null;
      if (!wanted) { error.value = { detail: t("counter.code.empty") }; return; }
      code.value = wanted;
      busy.value = true;
      try {
        // asked at this counter: the API refuses a receipt of another shop
        order.value = await api.get(`/supermarkets/pickups/${encodeURIComponent(wanted)}`, { query: { supermarket_id: shopId.value } });
        outcome.value = describe(order.value);
      } catch (err) {
        error.value = err;
      } finally {
        busy.value = false;
      }
    }

    async function handOver() {
      const wanted = order.value.pickup_code;
      keys[wanted] = keys[wanted] || newIdempotencyKey();
      error.value = null;
      busy.value = true;
      try {
        order.value = await api.post("/supermarkets/pickups", { code: wanted, supermarket_id: shopId.value },
          { idempotencyKey: keys[wanted] });
        outcome.value = { tone: "green", text: t("counter.done"), done: true };
      } catch (err) {
        error.value = err;
        if (err.code === "order_already_collected" || err.code === "order_cancelled") {
          try {
            order.value = await api.get(`/supermarkets/pickups/${encodeURIComponent(wanted)}`, { query: { supermarket_id: shopId.value } });
            outcome.value = describe(order.value);
          } catch (e) { /* the error says enough */ }
        }
      } finally {
        busy.value = false;
      }
    }

    function next() {
      order.value = null;
      outcome.value = null;
      error.value = null;
      code.value = "";
    }

    function closeCamera() {
      if (stopCamera) stopCamera();
      stopCamera = null;
      camera.value = false;
    }
    async function openCamera() {
      error.value = null;
      camera.value = true;
      await nextTick();
      try {
        const stop = await startCamera(video.value, (text) => { stopCamera = null; camera.value = false; find(text); });
        if (camera.value) stopCamera = stop;
        else stop();
      } catch (err) {
        camera.value = false;
        error.value = { detail: t("counter.camera.fail") };
      }
    }

    return { t, shops, shopId, code, order, outcome, error, busy, camera, video, find, handOver,
      next, openCamera, closeCamera, itemName, localDateTime };
  },
  template: `
  <section class="screen counter">
    <h1>{{ t('counter.title') }}</h1>
    <p class="intro">{{ t('counter.intro') }}</p>
    <van-empty v-if="shops && !shops.length" :description="t('counter.none')"></van-empty>
    <error-box :error="error"></error-box>
    <div v-if="outcome" :class="['scan-result', outcome.tone]" role="status" aria-live="assertive" :data-test="'pickup-' + outcome.tone">
      <p class="scan-text">{{ outcome.text }}</p>
    </div>
    <template v-if="order">
      <van-cell-group inset :title="t('counter.order')" data-test="order">
        <van-cell :title="t('counter.resident')" :value="order.masked_name" data-test="masked-name"></van-cell>
        <van-cell v-for="line in order.lines" :key="line.item_id" :title="itemName(line)" :value="t('counter.qty', { n: line.quantity })"
          class="order-line"></van-cell>
        <van-cell :title="t('counter.total', { n: order.total_points })"></van-cell>
        <van-cell :title="t('counter.receipt')" :value="order.receipt_no"></van-cell>
        <van-cell :title="t('counter.placed')" :value="localDateTime(order.created_at)"></van-cell>
      </van-cell-group>
      <div class="actions">
        <van-button v-if="order.status === 'placed'" block type="success" size="large" :loading="busy"
          :loading-text="t('counter.handing')" @click="handOver" data-test="hand-over">{{ t('counter.handover') }}</van-button>
        <p v-if="order.status === 'placed' && error && error.offline" class="hint">{{ t('counter.retry') }}</p>
        <van-button block plain type="primary" size="large" icon="scan" @click="next" data-test="next">{{ t('counter.next') }}</van-button>
      </div>
    </template>
    <template v-else-if="shops && shops.length">
      <shop-picker :shops="shops" v-model="shopId"></shop-picker>
      <div v-show="camera" class="camera"><video ref="video" playsinline muted aria-label="camera"></video><div class="camera-aim" aria-hidden="true"></div></div>
      <div class="actions">
        <van-button v-if="!camera" block type="primary" size="large" icon="scan" @click="openCamera" data-test="scan-pickup">{{ t('counter.scan') }}</van-button>
        <van-button v-else block size="large" @click="closeCamera">{{ t('counter.stop') }}</van-button>
      </div>
      <van-form @submit="find()">
        <van-cell-group inset>
          <van-field v-model="code" name="pickup_code" :label="t('counter.code')" :placeholder="t('counter.code.ph')"
            autocomplete="off" autocapitalize="characters" maxlength="40"></van-field>
        </van-cell-group>
        <div class="actions"><van-button block plain type="primary" size="large" native-type="submit" :loading="busy" data-test="find-pickup">{{ t('counter.find') }}</van-button></div>
      </van-form>
      <p class="hint wedge-hint">{{ t('counter.wedge') }}</p>
      <div class="actions">
        <van-button block plain size="large" icon="add-o" @click="$router('/w/intake')" data-test="to-intake">{{ t('counter.intake') }}</van-button>
      </div>
    </template>
  </section>`,
};

const DONOR_KINDS = ["government", "school", "company", "individual"];

export const StockIntake = {
  components: { ErrorBox, ShopPicker },
  setup() {
    const shops = ref(null);
    const shopId = ref(null);
    const items = ref(null);
    const itemId = ref(null);
    const quantity = ref("");
    const donor = ref("");
    const donorKind = ref("individual");
    const note = ref("");
    const error = ref(null);
    const local = ref("");
    const done = ref("");
    const busy = ref(false);
    const sent = { key: null, body: "" };

    async function loadItems() {
      items.value = null;
      itemId.value = null;
      if (!shopId.value) return;
      try {
        items.value = (await api.get(`/supermarkets/${shopId.value}/items`, { query: { per_page: 100 } })).items;
      } catch (err) {
        error.value = err;
      }
    }
    onMounted(async () => {
      try {
        shops.value = await myShops();
        shopId.value = shops.value.length ? shops.value[0].id : null;
        await loadItems();
      } catch (err) {
        error.value = err;
      }
    });
    function pickShop(id) { shopId.value = id; loadItems(); }

    async function submit() {
      error.value = null;
      local.value = "";
      done.value = "";
      const item = (items.value || []).find((i) => i.id === itemId.value);
      if (!item) { local.value = t("intake.pick"); return; }
      const text = String(quantity.value).trim();
      const qty = Number(text);
      if (!/^\d+$/.test(text) || qty < 1 || qty > 100000) { local.value = t("intake.quantity.bad"); return; }
      if (!donor.value.trim()) { local.value = t("intake.donor.empty"); return; }
      const body = { quantity: qty, donor_name: donor.value.trim(), donor_kind: donorKind.value, note: note.value.trim() || null };
      const path = `/supermarkets/${shopId.value}/items/${item.id}/intakes`;
      const fingerprint = path + JSON.stringify(body);
      // the same intake retried keeps its key; a changed one is a new intake
      if (sent.body !== fingerprint) { sent.body = fingerprint; sent.key = newIdempotencyKey(); }
      busy.value = true;
      try {
        const movement = await api.post(path, body, { idempotencyKey: sent.key });
        done.value = t("intake.done", { qty: movement.quantity, name: itemName(item), stock: movement.stock_after });
        item.stock = movement.stock_after;
        quantity.value = "";
        note.value = "";
        sent.body = "";
      } catch (err) {
        error.value = err;
      } finally {
        busy.value = false;
      }
    }
    return { t, shops, shopId, items, itemId, quantity, donor, donorKind, note, error, local, done, busy, submit,
      pickShop, itemName, DONOR_KINDS };
  },
  template: `
  <section class="screen intake">
    <h1>{{ t('intake.title') }}</h1>
    <p class="intro">{{ t('intake.intro') }}</p>
    <van-empty v-if="shops && !shops.length" :description="t('counter.none')"></van-empty>
    <shop-picker v-if="shops && shops.length" :shops="shops" :model-value="shopId" @update:model-value="pickShop"></shop-picker>
    <van-empty v-if="items && !items.length" :description="t('intake.noItems')"></van-empty>
    <van-form v-if="items && items.length" @submit="submit">
      <h2 id="intake-item">{{ t('intake.item') }}</h2>
      <van-radio-group v-model="itemId" aria-labelledby="intake-item">
        <van-cell-group inset>
          <van-cell v-for="item in items" :key="item.id" :data-test="'item-' + item.id">
            <van-radio :name="item.id" label-position="left" class="item-radio">{{ t('intake.choice', { name: itemName(item), n: item.stock }) }}</van-radio>
          </van-cell>
        </van-cell-group>
      </van-radio-group>
      <van-cell-group inset>
        <van-field v-model="quantity" name="quantity" type="number" inputmode="numeric" :label="t('intake.quantity')"
          :placeholder="t('intake.quantity.ph')" autocomplete="off"></van-field>
        <van-field v-model="donor" name="donor_name" :label="t('intake.donor')" :placeholder="t('intake.donor.ph')"
          maxlength="100" autocomplete="off"></van-field>
        <van-field v-model="note" name="note" :label="t('intake.note')" maxlength="500" autocomplete="off"></van-field>
      </van-cell-group>
      <h2 id="intake-kind">{{ t('intake.kind') }}</h2>
      <div class="chips" role="group" aria-labelledby="intake-kind">
        <button v-for="k in DONOR_KINDS" :key="k" type="button" class="chip" :aria-pressed="donorKind === k ? 'true' : 'false'"
          @click="donorKind = k" :data-test="'kind-' + k">{{ t('intake.kind.' + k) }}</button>
      </div>
      <div v-if="local" class="error-box" role="alert" data-test="local-error">{{ local }}</div>
      <error-box :error="error"></error-box>
      <div v-if="done" class="scan-result green" role="status" data-test="intake-done"><p class="scan-text">{{ done }}</p></div>
      <div class="actions">
        <van-button block type="primary" size="large" native-type="submit" :loading="busy" data-test="intake-submit">{{ t('intake.submit') }}</van-button>
        <van-button block plain size="large" @click="$router('/w/counter')">{{ t('common.back') }}</van-button>
      </div>
    </van-form>
    <error-box v-if="!items" :error="error"></error-box>
  </section>`,
};
