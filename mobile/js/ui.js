/* Small pieces every screen uses: the error text, the error box, money input. */
import { errorMessage } from "/webcommon/errors.js";
import { prefs, t } from "./i18n.js";

/* Chinese texts for the refusals these screens meet most, used only while the API answers in
 * English (its detail then has no Chinese character); the API's own Chinese text always wins. */
const LOCAL_ZH = {
  invalid_credentials: "手机号（账号）或密码不对。",
  account_disabled: "此账号已停用，请联系信用中心。",
  invalid_activation: "手机号、激活码或身份证后4位不对。",
  activation_locked: "输错次数太多，激活已暂时锁定，请15分钟后再试，或找工作人员领取新的激活码。",
  activation_code_expired: "激活码已过期，请找社区工作人员领取新的激活码。",
  rate_limited: "操作太频繁，请稍后再试。",
  code_already_used: "这个码已经用过了，请顾客换一个新码。",
  code_expired: "这个码已过期，请顾客刷新后再扫。",
  invalid_code: "无法识别这个码，请重新扫描。",
  wrong_code_kind: "这是打印的诚信卡，这里需要顾客手机上的动态码。",
  other_district: "这个码属于其他区县的居民。",
  other_community: "这位居民属于其他村（社区），只有该村的工作人员可以查看档案。",
  resident_not_found: "找不到这位居民。",
  no_discount_for_stars: "该星级在本店没有优惠。",
  merchant_not_active: "本店目前不能记录优惠交易，请联系信用中心。",
  phone_missing: "请先登记居民的手机号，居民用它登录。",
  validation_failed: "填写有误，请检查后再试。",
};

const HAN = /[\u4e00-\u9fff]/;

export function message(err) {
  if (prefs.lang !== "en" && err && !err.offline && LOCAL_ZH[err.code] && !HAN.test(err.detail || "")) {
    let text = LOCAL_ZH[err.code];
    const left = err.errors && err.errors.tries_left;
    if (left && left.length) text += `还可以再试 ${left[0]} 次。`;
    return text;
  }
  return errorMessage(err, prefs.lang);
}

/* The first message for ``field`` of an ApiError, in the reader's language when we can. */
export function fieldError(err, field) {
  if (!err || !err.errors || !err.errors[field]) return "";
  if (prefs.lang !== "en") return LOCAL_ZH.validation_failed;
  const value = err.errors[field];
  return Array.isArray(value) ? String(value[0]) : String(value);
}

/* "88", "88.5", "88.50" → 8850 fen; anything else → null. */
export function parseYuan(text) {
  const value = String(text || "").trim();
  if (!/^\d{1,9}(\.\d{1,2})?$/.test(value)) return null;
  const [whole, part = ""] = value.split(".");
  return Number(whole) * 100 + Number((part + "00").slice(0, 2));
}

/* The discount the server will compute: percent of the bill, rounded half up to the fen. */
export function discountOf(fen, percent) {
  return Math.floor((fen * percent + 50) / 100);
}

export const ErrorBox = {
  props: { error: Object },
  setup() { return { message }; },
  template: `<div v-if="error" class="error-box" role="alert">{{ message(error) }}</div>`,
};

export const Stars = {
  props: { n: Number, max: { type: Number, default: 5 } },
  setup() { return { t }; },
  template: `<span class="stars" role="img" :aria-label="t('home.starsN', { n })"><span v-for="i in max" :key="i"
    :class="i <= n ? 'on' : 'off'" aria-hidden="true">★</span></span>`,
};
