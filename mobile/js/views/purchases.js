/* My discounted purchases at alliance shops; each may be rated once, within the policy's days. */
import { localDateTime, t, yuan } from "../i18n.js";
import { api, flash } from "../session.js";
import { ErrorBox, message } from "../ui.js";
import { onMounted, ref, watch } from "../vue.js";

export const MyPurchases = {
  components: { ErrorBox },
  setup() {
    const sales = ref(null);
    const error = ref(null);
    const rating = ref(null); //: the sale being rated
    const stars = ref(5);
    const comment = ref("");
    const rateError = ref("");
    async function load() {
      error.value = null;
      try { sales.value = (await api.get("/me/sales", { query: { per_page: 50 } })).items; } catch (err) { error.value = err; }
    }
    function ask(sale) { rating.value = sale; stars.value = 5; comment.value = ""; rateError.value = ""; }
    async function send() {
      try {
        await api.post(`/me/sales/${rating.value.id}/rating`, { stars: stars.value, comment: comment.value.trim() || null });
        rating.value = null;
        flash(t("purchases.rated"));
        await load();
      } catch (err) {
        rateError.value = message(err);
      }
    }
    watch(comment, () => { rateError.value = ""; });
    onMounted(load);
    return { t, yuan, sales, error, rating, stars, comment, rateError, ask, send, localDateTime };
  },
  template: `
  <section class="screen purchases">
    <h1>{{ t('purchases.title') }}</h1>
    <error-box :error="error"></error-box>
    <van-empty v-if="sales && !sales.length" :description="t('purchases.none')"></van-empty>
    <ul class="records">
      <li v-for="s in sales || []" :key="s.id" class="record" :data-test="'purchase-' + s.id">
        <div class="record-main"><span>{{ s.merchant_name }}</span><span class="record-points plus">−{{ yuan(s.discount_amount) }}</span></div>
        <div class="record-sub"><span>{{ localDateTime(s.created_at) }} · {{ t('purchases.bill', { bill: yuan(s.bill_amount), n: s.discount_percent }) }}</span>
          <van-button v-if="s.rateable" plain type="primary" size="normal" @click="ask(s)" data-test="rate">{{ t('purchases.rate') }}</van-button>
          <van-tag v-else-if="s.rated" type="success" size="large">{{ t('purchases.done') }}</van-tag>
        </div>
      </li>
    </ul>
    <van-dialog :show="Boolean(rating)" :title="t('purchases.rate')" :aria-label="t('purchases.rate')" show-cancel-button
      :before-close="() => false" @confirm="send" @cancel="rating = null" :confirm-button-text="t('notice.send')">
      <p v-if="rating" class="dialog-text">{{ rating.merchant_name }}</p>
      <div class="rate-line"><van-rate v-model="stars" :size="34" :gutter="8" color="#f5a623" :aria-label="t('purchases.stars')"></van-rate></div>
      <van-field v-model="comment" name="comment" type="textarea" rows="2" autosize maxlength="200" label-align="top"
        :label="t('purchases.comment')" :placeholder="t('purchases.comment.ph')" :error-message="rateError"></van-field>
    </van-dialog>
  </section>`,
};
