/* The merchant's ratings: stars and comments from customers of real discounted sales; one reply each. */
import { localDateTime, t } from "../i18n.js";
import { api, flash } from "../session.js";
import { ErrorBox, Stars, message } from "../ui.js";
import { onMounted, ref, watch } from "../vue.js";

export const MerchantRatings = {
  components: { ErrorBox, Stars },
  setup() {
    const ratings = ref(null);
    const summary = ref(null);
    const error = ref(null);
    const replying = ref(null);
    const reply = ref("");
    const replyError = ref("");
    async function load() {
      error.value = null;
      try {
        const [page, totals] = await Promise.all([api.get("/merchant/ratings", { query: { per_page: 50 } }),
          api.get("/merchant/summary")]);
        ratings.value = page.items;
        summary.value = totals;
      } catch (err) {
        error.value = err;
      }
    }
    function ask(rating) { replying.value = rating; reply.value = ""; replyError.value = ""; }
    async function send() {
      if (!reply.value.trim()) { replyError.value = t("ratings.reply.missing"); return; }
      try {
        await api.post(`/merchant/ratings/${replying.value.id}/reply`, { reply: reply.value.trim() });
        replying.value = null;
        flash(t("ratings.reply.done"));
        await load();
      } catch (err) {
        replyError.value = message(err);
      }
    }
    watch(reply, () => { replyError.value = ""; });
    onMounted(load);
    return { t, ratings, summary, error, replying, reply, replyError, ask, send, localDateTime };
  },
  template: `
  <section class="screen merchant-ratings">
    <h1>{{ t('ratings.title') }}</h1>
    <error-box :error="error"></error-box>
    <p v-if="summary" class="summary" data-test="ratings-summary">{{ summary.ratings.count
      ? t('ratings.average', { avg: summary.ratings.average.toFixed(1), n: summary.ratings.count }) : t('ratings.none') }}
      · {{ t('ratings.level', { level: summary.credit.level }) }}</p>
    <ul class="records">
      <li v-for="r in ratings || []" :key="r.id" class="record" :data-test="'rating-' + r.id">
        <div class="record-main"><stars :n="r.stars"></stars><span class="record-date">{{ localDateTime(r.created_at) }}</span></div>
        <p class="rating-comment">{{ r.hidden ? t('ratings.hidden') : (r.comment || t('ratings.nocomment')) }}</p>
        <p v-if="r.reply" class="rating-reply">{{ t('ratings.yours') }}{{ r.reply }}</p>
        <van-button v-else plain type="primary" size="normal" @click="ask(r)" data-test="reply">{{ t('ratings.reply') }}</van-button>
      </li>
    </ul>
    <van-dialog :show="Boolean(replying)" :title="t('ratings.reply')" :aria-label="t('ratings.reply')" show-cancel-button
      :before-close="() => false" @confirm="send" @cancel="replying = null" :confirm-button-text="t('notice.send')">
      <van-field v-model="reply" name="reply" type="textarea" rows="3" autosize maxlength="200" label-align="top"
        :label="t('ratings.reply')" :placeholder="t('ratings.reply.ph')" :error-message="replyError"></van-field>
    </van-dialog>
  </section>`,
};
