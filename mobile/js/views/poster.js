/* The shop's door QR as a printable poster: customers scan it to see the shop's credit and rate a visit. */
import { renderSVG } from "/m/vendor/uqr.mjs";
import { t } from "../i18n.js";
import { api } from "../session.js";
import { ErrorBox } from "../ui.js";
import { onMounted, ref } from "../vue.js";

export const DoorPoster = {
  components: { ErrorBox },
  setup() {
    const card = ref(null);
    const shop = ref("");
    const svg = ref("");
    const error = ref(null);
    onMounted(async () => {
      try {
        const [door, summary] = await Promise.all([api.get("/merchant/card"), api.get("/merchant/summary")]);
        card.value = door;
        shop.value = summary.merchant.name;
        svg.value = door.url ? renderSVG(door.url, { ecc: "M", border: 4 }) : "";
      } catch (err) {
        error.value = err;
      }
    });
    return { t, card, shop, svg, error, print: () => window.print() };
  },
  template: `
  <section class="screen door-poster">
    <error-box :error="error"></error-box>
    <div v-if="card" class="poster" data-test="poster">
      <p class="poster-alliance">{{ t('poster.alliance') }}</p>
      <h1 class="poster-shop">{{ shop }}</h1>
      <div v-if="svg" class="qr poster-qr" role="img" :aria-label="t('poster.scan')" v-html="svg"></div>
      <p class="poster-scan">{{ t('poster.scan') }}</p>
      <p class="poster-number">{{ t('poster.number', { n: card.number }) }}</p>
    </div>
    <div class="actions no-print"><van-button block type="primary" size="large" icon="printer" @click="print">{{ t('poster.print') }}</van-button>
      <van-button block plain size="large" @click="$router('/me')">{{ t('common.back') }}</van-button></div>
  </section>`,
};
