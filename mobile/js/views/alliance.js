/* The merchant alliance (信用商家联盟) as a resident sees it: the shops, where they are, the discount my star
 * level earns at each and what the next star would; a shop's own page, where I rate my visit (the public
 * shop card's rating link leads here, through sign-in or activation). */
import { addTexts, prefs, t } from "../i18n.js";
import { api, flash } from "../session.js";
import { ErrorBox, Stars, message } from "../ui.js";
import { computed, onMounted, ref, watch } from "../vue.js";

addTexts({
  "zh-CN": {
    "alliance.menu": "联盟商家与我的优惠",
    "alliance.title": "联盟商家",
    "alliance.mine": "您现在是 {n} 星",
    "alliance.next": "升到 {star} 星还差 {n} 分",
    "alliance.top": "已是最高星级",
    "alliance.none": "本区还没有联盟商家",
    "alliance.all": "全区",
    "alliance.off": "{n}% 优惠",
    "alliance.nooff": "您的星级在本店暂无优惠",
    "alliance.nextoff": "升到 {star} 星可享 {n}% 优惠",
    "alliance.more": "查看更多商家",
    "alliance.rate.ready": "有一次消费可以评价",
    "shop.title": "商家",
    "shop.where": "地址",
    "shop.village": "所在村（社区）",
    "shop.category": "类别",
    "shop.table": "各星级优惠",
    "shop.yours": "↑ 这是您现在的星级",
    "shop.hint": "结账时出示“我的码”，商家扫码后自动打折。",
    "shop.showcode": "出示我的码",
    "shop.rate": "评价本次消费",
    "shop.rate.intro": "您在本店用诚信优惠消费过，可以评价一次。",
    "shop.rate.none": "在本店用诚信优惠消费后7天内，可以在这里评价一次。",
    "shop.rate.send": "提交评价",
    "shop.rated": "感谢您的评价！",
    "shop.ratings": "顾客评分 {avg} / 5（{n} 条）",
    "shop.noratings": "暂无评价",
    "shop.notfound": "找不到这家联盟商家（可能已退出联盟）。",
    "shop.purchases": "我的优惠消费",
  },
  en: {
    "alliance.menu": "Alliance shops and my discounts",
    "alliance.title": "Alliance shops",
    "alliance.mine": "You hold {n} stars",
    "alliance.next": "{n} more points to {star} stars",
    "alliance.top": "You are at the top star level",
    "alliance.none": "No alliance shops in the district yet",
    "alliance.all": "Whole district",
    "alliance.off": "{n}% off",
    "alliance.nooff": "No discount here at your star level",
    "alliance.nextoff": "{n}% off at {star} stars",
    "alliance.more": "Show more shops",
    "alliance.rate.ready": "A visit to rate",
    "shop.title": "Shop",
    "shop.where": "Address",
    "shop.village": "Village",
    "shop.category": "Kind",
    "shop.table": "Discount by star level",
    "shop.yours": "↑ your star level now",
    "shop.hint": "Show “My code” at the till; the shop scans it and the discount applies.",
    "shop.showcode": "Show my code",
    "shop.rate": "Rate your visit",
    "shop.rate.intro": "You had a discounted purchase here: you may rate it once.",
    "shop.rate.none": "After a discounted purchase here you can rate it here once, within 7 days.",
    "shop.rate.send": "Send rating",
    "shop.rated": "Thank you for your rating!",
    "shop.ratings": "Customers' rating {avg} / 5 ({n})",
    "shop.noratings": "No ratings yet",
    "shop.notfound": "This alliance shop was not found (it may have left the alliance).",
    "shop.purchases": "My discounted purchases",
  },
});

const PAGE = 20;

/* Vant's rate draws each star as a bare role=radio: give each its name ("4 星") for a screen reader */
const starNames = {
  mounted: (el) => nameStars(el),
  updated: (el) => nameStars(el),
};
function nameStars(el) {
  el.querySelectorAll("[role=radio]").forEach((node, i) => node.setAttribute("aria-label", t("home.starsN", { n: i + 1 })));
}

const village = (s) => (prefs.lang === "en" ? s.community_name_en || s.community_name_zh : s.community_name_zh)
  || t("alliance.all");
const category = (s) => (prefs.lang === "en" ? s.category_en : s.category_zh);

export const Alliance = {
  components: { ErrorBox, Stars },
  setup() {
    const shops = ref([]);
    const standing = ref(null);
    const total = ref(0);
    const page = ref(0);
    const busy = ref(false);
    const error = ref(null);
    async function more() {
      busy.value = true;
      error.value = null;
      try {
        const answer = await api.get("/me/alliance", { query: { page: page.value + 1, per_page: PAGE } });
        standing.value = answer;
        const seen = new Set(shops.value.map((s) => s.id));
        shops.value = [...shops.value, ...answer.items.filter((s) => !seen.has(s.id))];
        total.value = answer.total;
        page.value += 1;
      } catch (err) {
        error.value = err;
      } finally {
        busy.value = false;
      }
    }
    onMounted(more);
    return { t, shops, standing, total, busy, error, more, village, category };
  },
  template: `
  <section class="screen alliance">
    <h1>{{ t('alliance.title') }}</h1>
    <error-box :error="error"></error-box>
    <van-loading v-if="!standing && !error" class="loading" size="32">{{ t('common.loading') }}</van-loading>
    <div v-if="standing" class="my-level" data-test="my-level">
      <stars :n="standing.stars"></stars>
      <span>{{ t('alliance.mine', { n: standing.stars }) }}</span>
      <span class="next-line">{{ standing.next_star ? t('alliance.next', { n: standing.score_to_next_star, star: standing.next_star }) : t('alliance.top') }}</span>
    </div>
    <van-empty v-if="standing && !shops.length" :description="t('alliance.none')"></van-empty>
    <ul class="records">
      <li v-for="s in shops" :key="s.id" class="record shop-line" :data-test="'shop-' + s.id">
        <a class="shop-link" :href="'#/r/shop/' + s.id">
          <span class="record-main"><span class="record-title">{{ s.name }}</span>
            <span :class="s.my_percent ? 'pct' : 'no-pct'">{{ s.my_percent ? t('alliance.off', { n: s.my_percent }) : t('alliance.nooff') }}</span></span>
          <span class="shop-sub">{{ category(s) }} · {{ village(s) }}</span>
          <span class="shop-sub">{{ s.address }}</span>
          <span v-if="standing.next_star && s.next_star_percent > s.my_percent" class="shop-sub next-off">{{ t('alliance.nextoff', { n: s.next_star_percent, star: standing.next_star }) }}</span>
          <span v-if="s.rateable_sale_id" class="shop-sub rate-ready">★ {{ t('alliance.rate.ready') }}</span>
        </a>
      </li>
    </ul>
    <div v-if="shops.length < total" class="actions">
      <van-button block plain type="primary" size="large" :loading="busy" @click="more" data-test="more">{{ t('alliance.more') }}</van-button>
    </div>
  </section>`,
};

export const AllianceShop = {
  components: { ErrorBox, Stars },
  directives: { starNames },
  props: { id: String },
  setup(props) {
    const shop = ref(null);
    const standing = ref(null);
    const missing = ref(false);
    const error = ref(null);
    const stars = ref(5);
    const comment = ref("");
    const rateError = ref("");
    const busy = ref(false);
    const rated = ref(false);
    async function load() {
      error.value = null;
      try {
        const answer = await api.get("/me/alliance", { query: { merchant_id: props.id, per_page: 1 } });
        standing.value = answer;
        shop.value = answer.items[0] || null;
        missing.value = !shop.value;
      } catch (err) {
        error.value = err;
      }
    }
    async function rate() {
      busy.value = true;
      rateError.value = "";
      try {
        await api.post(`/me/sales/${shop.value.rateable_sale_id}/rating`,
          { stars: stars.value, comment: comment.value.trim() || null });
        rated.value = true;
        flash(t("shop.rated"));
        await load();
      } catch (err) {
        rateError.value = message(err);
      } finally {
        busy.value = false;
      }
    }
    watch(comment, () => { rateError.value = ""; });
    onMounted(load);
    const myStars = computed(() => (standing.value ? standing.value.stars : 0));
    return { t, shop, standing, missing, error, stars, comment, rateError, busy, rated, rate, myStars, village, category };
  },
  template: `
  <section class="screen shop">
    <error-box :error="error"></error-box>
    <p v-if="missing" class="notice" role="status">{{ t('shop.notfound') }}</p>
    <van-loading v-if="!shop && !missing && !error" class="loading" size="32">{{ t('common.loading') }}</van-loading>
    <template v-if="shop">
      <h1>{{ shop.name }}</h1>
      <van-cell-group inset>
        <van-cell :title="t('shop.category')" :value="category(shop)"></van-cell>
        <van-cell :title="t('shop.village')" :value="village(shop)"></van-cell>
        <van-cell :title="t('shop.where')" :label="shop.address"></van-cell>
        <van-cell :title="shop.ratings.count ? t('shop.ratings', { avg: shop.ratings.average, n: shop.ratings.count }) : t('shop.noratings')"></van-cell>
      </van-cell-group>
      <h2>{{ t('shop.table') }}</h2>
      <ul class="records">
        <li v-for="d in shop.discounts" :key="d.stars" class="record discount-row" :class="{ mine: d.stars === myStars }"
          :data-test="'discount-' + d.stars">
          <span class="record-main"><stars :n="d.stars"></stars><span class="pct">{{ t('alliance.off', { n: d.percent }) }}</span></span>
          <span v-if="d.stars === myStars" class="shop-sub yours">{{ t('shop.yours') }}</span>
        </li>
      </ul>
      <p class="hint">{{ shop.my_percent ? t('shop.hint') : t('alliance.nooff') }}</p>
      <div class="actions">
        <van-button block type="primary" size="large" icon="qr" @click="$router('/r/code')">{{ t('shop.showcode') }}</van-button>
      </div>
      <h2>{{ t('shop.rate') }}</h2>
      <div v-if="shop.rateable_sale_id" class="rate-box" data-test="rate-box">
        <p>{{ t('shop.rate.intro') }}</p>
        <div class="rate-line" v-star-names><van-rate v-model="stars" :size="38" :gutter="10" color="#f5a623" :aria-label="t('purchases.stars')"></van-rate></div>
        <van-field v-model="comment" name="comment" type="textarea" rows="2" autosize maxlength="200" label-align="top"
          :label="t('purchases.comment')" :placeholder="t('purchases.comment.ph')" :error-message="rateError"></van-field>
        <div class="actions">
          <van-button block type="primary" size="large" :loading="busy" @click="rate" data-test="send-rating">{{ t('shop.rate.send') }}</van-button>
        </div>
      </div>
      <p v-else-if="rated" class="notice" role="status" data-test="rated">{{ t('shop.rated') }}</p>
      <p v-else class="hint" data-test="nothing-to-rate">{{ t('shop.rate.none') }}</p>
      <div class="actions">
        <van-button block plain type="primary" size="large" @click="$router('/r/purchases')">{{ t('shop.purchases') }}</van-button>
      </div>
    </template>
  </section>`,
};
