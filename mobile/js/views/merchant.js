/* The merchant at the till: scan the customer's phone code (camera, USB scanner, or typing the number the
 * customer reads out from under their QR), see the
 * masked name, stars and discount, type the bill, confirm; today's sales.
 *
 * A confirmed sale is sent with an Idempotency-Key made for this code and this bill: a retry after a
 * lost answer sends the same key and gets the first sale back, never a second one. */
import { newIdempotencyKey } from "/webcommon/api.js";
import { listenWedge, startCamera, tokenFromScan } from "/webcommon/scanner.js";
import { addTexts, localDateTime, prefs, startOfLocalDay, t, yuan } from "../i18n.js";
import { api, flash } from "../session.js";
import { ErrorBox, Stars, discountOf, fieldError, message, parseYuan } from "../ui.js";
import { computed, nextTick, onBeforeUnmount, onMounted, reactive, ref, watch } from "../vue.js";

const MAX_BILL_FEN = 10_000_000;

addTexts({
  "zh-CN": {
    "scan.number": "或输入顾客报的数字码",
    "scan.number.ph": "例如 2834 5678 9012 3456 78",
    "scan.number.help": "顾客码下方的18位数字；扫码枪和粘贴也可以。",
  },
  en: {
    "scan.number": "Or type the code number the customer reads out",
    "scan.number.ph": "e.g. 2834 5678 9012 3456 78",
    "scan.number.help": "The 18 digits under the customer's QR; a USB scanner or pasting works too.",
  },
});

/* Digits typed into the code field are shown in fours, as the customer's phone shows them; anything else
 * (a pasted token or URL) is left alone. */
export function groupTyped(value) {
  if (!/^[\d\s-]*$/.test(value)) return value;
  const digits = value.replace(/\D/g, "");
  return (digits.match(/.{1,4}/g) || []).join(" ");
}

export const MerchantScan = {
  components: { ErrorBox, Stars },
  setup() {
    const step = ref("scan"); //: scan → bill → done
    const typed = ref("");
    const camera = ref(false);
    const video = ref(null);
    const busy = ref(false);
    const error = ref(null);
    const cameraError = ref("");
    const preview = ref(null);
    const bill = ref("");
    const billError = ref("");
    const sale = ref(null);
    const pending = reactive({ code: null, fen: null, key: null });
    let stopCamera = null;
    let stopWedge = null;

    function closeCamera() {
      if (stopCamera) stopCamera();
      stopCamera = null;
      camera.value = false;
    }

    async function openCamera() {
      cameraError.value = "";
      error.value = null;
      camera.value = true;
      await nextTick();
      try {
        stopCamera = await startCamera(video.value, (text) => {
          camera.value = false;
          stopCamera = null;
          lookUp(text);
        });
      } catch (err) {
        camera.value = false;
        cameraError.value = t("scan.camera.fail");
      }
    }

    async function lookUp(text) {
      const code = tokenFromScan(text);
      if (!code || busy.value) return;
      busy.value = true;
      error.value = null;
      try {
        preview.value = await api.post("/merchant/scan", { code });
        pending.code = code;
        bill.value = "";
        step.value = "bill";
      } catch (err) {
        error.value = err;
      } finally {
        busy.value = false;
      }
    }

    const fen = computed(() => parseYuan(bill.value));
    const discount = computed(() => (fen.value && preview.value ? discountOf(fen.value, preview.value.discount_percent) : 0));

    async function confirm() {
      billError.value = "";
      error.value = null;
      if (!fen.value || fen.value < 1 || fen.value > MAX_BILL_FEN) {
        billError.value = t("scan.bill.bad");
        return;
      }
      if (pending.fen !== fen.value || !pending.key) {
        pending.fen = fen.value;
        pending.key = newIdempotencyKey();
      }
      busy.value = true;
      try {
        sale.value = await api.post("/merchant/sales", { code: pending.code, bill_amount: pending.fen },
          { idempotencyKey: pending.key });
        step.value = "done";
      } catch (err) {
        error.value = err; // offline: the same key goes with the retry
      } finally {
        busy.value = false;
      }
    }

    function restart() {
      closeCamera();
      step.value = "scan";
      preview.value = null;
      sale.value = null;
      error.value = null;
      typed.value = "";
      Object.assign(pending, { code: null, fen: null, key: null });
    }

    onMounted(() => {
      stopWedge = listenWedge((text) => { if (step.value === "scan") lookUp(text); }, { minLength: 20 });
    });
    onBeforeUnmount(() => {
      closeCamera();
      if (stopWedge) stopWedge();
    });
    watch(() => prefs.lang, () => { if (cameraError.value) cameraError.value = t("scan.camera.fail"); });

    const community = computed(() => (preview.value ? (prefs.lang === "en"
      ? preview.value.community_name_en : preview.value.community_name_zh) : ""));
    return { t, yuan, step, typed, camera, video, busy, error, cameraError, preview, bill, billError, sale, fen,
      discount, community, openCamera, closeCamera, lookUp, confirm, restart, fieldError, localDateTime, groupTyped };
  },
  template: `
  <section class="screen merchant-scan">
    <h1>{{ t('scan.title') }}</h1>
    <template v-if="step === 'scan'">
      <div v-show="camera" class="camera">
        <video ref="video" playsinline muted aria-label="camera"></video>
        <div class="camera-aim" aria-hidden="true"></div>
      </div>
      <div class="actions">
        <van-button v-if="!camera" block type="primary" size="large" icon="scan" :loading="busy" @click="openCamera"
          data-test="open-camera">{{ t('scan.camera') }}</van-button>
        <van-button v-else block size="large" @click="closeCamera">{{ t('scan.camera.stop') }}</van-button>
      </div>
      <div v-if="cameraError" class="error-box" role="alert">{{ cameraError }}</div>
      <van-form @submit="lookUp(typed)">
        <van-cell-group inset :title="t('scan.number')">
          <van-field v-model="typed" name="code" :placeholder="t('scan.number.ph')" :aria-label="t('scan.number')"
            inputmode="numeric" :formatter="groupTyped" class="code-number-field" data-test="code-number-field"
            autocomplete="off" autocapitalize="off" spellcheck="false"></van-field>
          <p class="field-help">{{ t('scan.number.help') }}</p>
        </van-cell-group>
        <div class="actions"><van-button block plain type="primary" size="large" native-type="submit" :loading="busy">{{ t('scan.lookup') }}</van-button></div>
      </van-form>
      <error-box :error="error"></error-box>
    </template>

    <template v-if="step === 'bill' && preview">
      <van-cell-group inset class="customer" data-test="preview">
        <van-cell :title="t('scan.customer')" :value="preview.masked_name" :label="community"></van-cell>
        <van-cell :title="t('scan.stars')"><template #value><stars :n="preview.stars"></stars></template></van-cell>
        <van-cell :title="t('scan.discount')" :value="t('scan.discountN', { n: preview.discount_percent })" class="discount-cell"></van-cell>
      </van-cell-group>
      <template v-if="preview.eligible">
        <van-form @submit="confirm">
          <van-cell-group inset>
            <van-field v-model="bill" name="bill" type="number" inputmode="decimal" :label="t('scan.bill')" label-width="7.5em"
              :placeholder="t('scan.bill.ph')" :error-message="billError || fieldError(error, 'bill_amount')"
              required></van-field>
          </van-cell-group>
          <p v-if="fen" class="bill-preview" aria-live="polite">{{ t('scan.preview', { discount: yuan(discount), final: yuan(fen - discount) }) }}</p>
          <error-box :error="error"></error-box>
          <div class="actions">
            <van-button block type="primary" size="large" native-type="submit" :loading="busy" data-test="confirm">{{ error && error.offline ? t('common.retry') : t('scan.confirm') }}</van-button>
            <van-button block plain size="large" @click="restart">{{ t('scan.other') }}</van-button>
          </div>
        </van-form>
      </template>
      <template v-else>
        <p class="notice" role="status">{{ t('scan.noDiscount') }}</p>
        <div class="actions"><van-button block size="large" @click="restart">{{ t('scan.other') }}</van-button></div>
      </template>
    </template>

    <template v-if="step === 'done' && sale">
      <div class="done" role="status" data-test="sale">
        <van-icon name="checked" size="56" color="#07c160"></van-icon>
        <h2>{{ t('sale.done') }}</h2>
      </div>
      <van-cell-group inset>
        <van-cell :title="t('sale.customer')" :value="sale.resident_masked_name"></van-cell>
        <van-cell :title="t('sale.bill')" :value="yuan(sale.bill_amount)"></van-cell>
        <van-cell :title="t('sale.discount', { n: sale.discount_percent })" :value="'−' + yuan(sale.discount_amount)"></van-cell>
        <van-cell :title="t('sale.final')" :value="yuan(sale.final_amount)" class="final"></van-cell>
        <van-cell :title="t('sale.credit')" data-test="shop-credit"
          :value="sale.merchant_credit ? sale.merchant_credit.reason : ''"></van-cell>
        <van-cell :title="localDateTime(sale.created_at)"></van-cell>
      </van-cell-group>
      <div class="actions"><van-button block type="primary" size="large" @click="restart">{{ t('sale.next') }}</van-button></div>
    </template>
  </section>`,
};

export const MerchantSales = {
  components: { ErrorBox },
  setup() {
    const sales = ref(null);
    const summary = ref(null);
    const error = ref(null);
    const voiding = ref(null); //: the sale being voided
    const reason = ref("");
    const reasonError = ref("");
    async function load() {
      error.value = null;
      try {
        const [page, totals] = await Promise.all([
          api.get("/merchant/sales", { query: { since: startOfLocalDay(), per_page: 100 } }),
          api.get("/merchant/summary"),
        ]);
        sales.value = page.items;
        summary.value = totals;
      } catch (err) {
        error.value = err;
      }
    }
    function askVoid(sale) {
      voiding.value = sale;
      reason.value = "";
      reasonError.value = "";
    }
    async function voidSale() {
      if (!reason.value.trim()) { reasonError.value = t("sales.void.reason.missing"); return; }
      try {
        await api.post(`/merchant/sales/${voiding.value.id}/void`, { reason: reason.value.trim() });
        voiding.value = null;
        flash(t("sales.void.done"));
        await load();
      } catch (err) {
        reasonError.value = message(err);
      }
    }
    watch(reason, () => { reasonError.value = ""; });
    onMounted(load);
    return { t, yuan, sales, summary, error, load, localDateTime, voiding, reason, reasonError, askVoid, voidSale };
  },
  template: `
  <section class="screen merchant-sales">
    <h1>{{ t('sales.title') }}</h1>
    <error-box :error="error"></error-box>
    <van-loading v-if="!sales && !error" size="32">{{ t('common.loading') }}</van-loading>
    <template v-if="sales">
      <p v-if="summary" class="summary" data-test="summary">{{ summary.merchant.name }} · {{ t('sales.count', { n: summary.today.sales }) }} · {{ t('sales.total', { amount: yuan(summary.today.discount_amount) }) }}</p>
      <van-empty v-if="!sales.length" :description="t('sales.none')"></van-empty>
      <ul class="sales">
        <li v-for="s in sales" :key="s.id" class="sale" :class="{ voided: s.status === 'voided' }" :data-test="'sale-' + s.id">
          <div class="record-main"><span>{{ s.resident_masked_name }} · {{ yuan(s.bill_amount) }}</span><span>−{{ yuan(s.discount_amount) }}</span></div>
          <div class="record-sub"><span>{{ localDateTime(s.created_at) }}</span>
            <van-tag v-if="s.status === 'voided'" type="default" size="large">{{ t('sales.voided') }}</van-tag>
            <van-button v-else size="normal" plain type="danger" class="void-button" @click="askVoid(s)" data-test="void">{{ t('sales.void') }}</van-button>
          </div>
        </li>
      </ul>
    </template>
    <van-dialog :show="Boolean(voiding)" :title="t('sales.void')" :aria-label="t('sales.void')" show-cancel-button
      :before-close="() => false" @confirm="voidSale" @cancel="voiding = null" :confirm-button-text="t('sales.void')">
      <p v-if="voiding" class="dialog-text">{{ voiding.resident_masked_name }} · {{ yuan(voiding.bill_amount) }}</p>
      <van-field v-model="reason" name="reason" type="textarea" rows="2" autosize :label="t('sales.void.reason')"
        label-align="top" :placeholder="t('sales.void.reason.ph')" :error-message="reasonError"></van-field>
    </van-dialog>
  </section>`,
};
