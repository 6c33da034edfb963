/* Texts of the phone app: Chinese first, English second. {name} placeholders are filled by t(). */
import { reactive } from "./vue.js";

const TEXTS = {
  "zh-CN": {
    "app.name": "诚信",
    "lang.switch": "English",
    "large.on": "大字",
    "common.back": "返回",
    "common.retry": "重试",
    "common.loading": "正在加载……",
    "common.cancel": "取消",
    "common.ok": "知道了",
    "common.signout": "退出登录",
    "common.yuan": "¥{amount}",
    "login.title": "登录诚信",
    "login.resident": "居民",
    "login.staff": "工作人员 / 商户",
    "login.phone": "手机号",
    "login.phone.ph": "请输入手机号",
    "login.password": "密码",
    "login.password.ph": "请输入密码",
    "login.username": "账号",
    "login.username.ph": "请输入账号",
    "login.submit": "登录",
    "login.activate": "第一次使用或忘记密码？用激活码设置密码",
    "login.expired": "登录已过期，请重新登录。",
    "activate.title": "激活 / 重设密码",
    "activate.intro": "激活码由社区工作人员发给您（8位数字）。忘记密码时，请找社区工作人员领取新的激活码。",
    "activate.code": "激活码",
    "activate.code.ph": "8位数字",
    "activate.last4": "身份证后4位",
    "activate.last4.ph": "如 123X",
    "activate.password": "新密码",
    "activate.password.ph": "至少8位",
    "activate.password2": "再输一次",
    "activate.password2.ph": "再次输入新密码",
    "activate.mismatch": "两次输入的密码不一样。",
    "activate.short": "密码至少需要8位。",
    "activate.badcode": "激活码是8位数字。",
    "activate.submit": "设置密码并登录",
    "activate.done": "密码已设置，欢迎使用！",
    "home.hello": "{name}，您好",
    "home.score": "信用分",
    "home.stars": "信用星级",
    "home.starsN": "{n} 星",
    "home.next": "再得 {n} 分升为 {star} 星",
    "home.top": "已是最高星级",
    "home.points": "可用积分",
    "home.showcode": "出示我的码",
    "home.records": "最近记录",
    "home.norecords": "还没有记录",
    "status.pending": "待审核",
    "status.in_notice": "公示中，至 {date}",
    "status.disputed": "异议处理中",
    "status.final": "已生效",
    "status.rejected": "未通过",
    "status.voided": "已撤销",
    "status.repaired": "已修复",
    "code.title": "我的码",
    "code.hint": "请把此码给商家或自助终端扫描。每个码只能用一次。",
    "code.refresh": "{n} 秒后自动换新码",
    "code.new": "换一个新码",
    "code.used": "此码已使用",
    "code.used.discount": "商家已用此码给您打折。",
    "code.used.redemption": "此码已在信用超市使用。",
    "code.expired": "此码已过期",
    "tab.home": "首页",
    "tab.code": "我的码",
    "tab.me": "我的",
    "tab.scan": "收款扫码",
    "tab.sales": "今日交易",
    "tab.find": "查找居民",
    "me.title": "我的",
    "me.role.resident": "居民",
    "me.role.merchant": "商户",
    "me.role.worker": "信用采集员",
    "me.role.reviewer": "社区书记（审核）",
    "me.role.district_admin": "信用中心管理员",
    "me.language": "语言",
    "me.large": "大字模式",
    "scan.title": "顾客优惠扫码",
    "scan.camera": "用摄像头扫顾客的码",
    "scan.camera.stop": "关闭摄像头",
    "scan.camera.fail": "无法打开摄像头，请允许使用摄像头，或在下面输入顾客的码。",
    "scan.typed": "或输入 / 粘贴顾客的码",
    "scan.typed.ph": "扫码枪也可以直接扫",
    "scan.lookup": "查询",
    "scan.customer": "顾客",
    "scan.stars": "信用星级",
    "scan.discount": "本店优惠",
    "scan.discountN": "{n}%",
    "scan.noDiscount": "该星级在本店没有优惠，无需记录。",
    "scan.bill": "消费金额（元）",
    "scan.bill.ph": "例如 88.00",
    "scan.bill.bad": "请输入 0.01 到 100000 元之间的金额。",
    "scan.preview": "优惠 {discount}，实收 {final}",
    "scan.confirm": "确认收款",
    "scan.other": "换一位顾客",
    "sale.done": "交易已记录",
    "sale.bill": "消费金额",
    "sale.discount": "优惠金额（{n}%）",
    "sale.final": "实收金额",
    "sale.customer": "顾客",
    "sale.next": "下一位顾客",
    "sale.credit": "本店信用",
    "sale.creditN": "+{n} 分",
    "sale.credit.daily_cap": "今日加分已达上限，此单不加分",
    "sale.credit.not_in_use": "本区暂不为优惠交易加信用分",
    "sales.title": "今日交易",
    "sales.count": "{n} 笔",
    "sales.total": "共优惠 {amount}",
    "sales.none": "今天还没有交易",
    "sales.voided": "已作废",
    "find.title": "查找居民",
    "find.q": "姓名或手机号",
    "find.search": "查找",
    "find.none": "没有找到",
    "resident.title": "居民档案",
    "resident.logged": "您的查看已登记，居民本人可以看到。",
    "resident.phone": "手机号",
    "resident.born": "出生年份",
    "resident.activation": "发放激活码",
    "resident.activation.text": "激活码只显示这一次，请交给居民本人。旧的激活码将失效。",
    "resident.activation.title": "激活码（只显示一次）",
    "resident.activation.until": "有效期至 {date}",
    "resident.activation.confirm": "给 {name} 发放新的激活码？旧的激活码将失效。",
    "staff.home": "工作台",
  },
  en: {
    "app.name": "Chengxin",
    "lang.switch": "中文",
    "large.on": "Large text",
    "common.back": "Back",
    "common.retry": "Try again",
    "common.loading": "Loading…",
    "common.cancel": "Cancel",
    "common.ok": "OK",
    "common.signout": "Sign out",
    "common.yuan": "¥{amount}",
    "login.title": "Sign in to Chengxin",
    "login.resident": "Resident",
    "login.staff": "Staff / merchant",
    "login.phone": "Phone",
    "login.phone.ph": "Your phone number",
    "login.password": "Password",
    "login.password.ph": "Your password",
    "login.username": "Account",
    "login.username.ph": "Your account name",
    "login.submit": "Sign in",
    "login.activate": "First time, or forgot your password? Use an activation code",
    "login.expired": "Your session has ended; please sign in again.",
    "activate.title": "Activate / reset password",
    "activate.intro": "Your community worker gives you the activation code (8 digits). Forgot your password? Ask the worker for a new code.",
    "activate.code": "Activation code",
    "activate.code.ph": "8 digits",
    "activate.last4": "ID last 4",
    "activate.last4.ph": "e.g. 123X",
    "activate.password": "New password",
    "activate.password.ph": "At least 8 characters",
    "activate.password2": "Repeat",
    "activate.password2.ph": "The new password again",
    "activate.mismatch": "The two passwords differ.",
    "activate.short": "The password needs at least 8 characters.",
    "activate.badcode": "The activation code has 8 digits.",
    "activate.submit": "Set password and sign in",
    "activate.done": "Your password is set. Welcome!",
    "home.hello": "Hello, {name}",
    "home.score": "Credit score",
    "home.stars": "Stars",
    "home.starsN": "{n} stars",
    "home.next": "{n} more points to {star} stars",
    "home.top": "Highest star level",
    "home.points": "Points to spend",
    "home.showcode": "Show my code",
    "home.records": "Recent records",
    "home.norecords": "No records yet",
    "status.pending": "Awaiting review",
    "status.in_notice": "In notice until {date}",
    "status.disputed": "Objection pending",
    "status.final": "Final",
    "status.rejected": "Rejected",
    "status.voided": "Voided",
    "status.repaired": "Repaired",
    "code.title": "My code",
    "code.hint": "Let the merchant or the kiosk scan this code. Each code works once.",
    "code.refresh": "New code in {n} s",
    "code.new": "Get a new code",
    "code.used": "This code has been used",
    "code.used.discount": "A merchant used it for your discount.",
    "code.used.redemption": "It was used at the credit supermarket.",
    "code.expired": "This code has expired",
    "tab.home": "Home",
    "tab.code": "My code",
    "tab.me": "Me",
    "tab.scan": "Scan",
    "tab.sales": "Today",
    "tab.find": "Residents",
    "me.title": "Me",
    "me.role.resident": "Resident",
    "me.role.merchant": "Merchant",
    "me.role.worker": "Community worker",
    "me.role.reviewer": "Reviewer",
    "me.role.district_admin": "District admin",
    "me.language": "Language",
    "me.large": "Large text",
    "scan.title": "Customer discount",
    "scan.camera": "Scan the customer's code",
    "scan.camera.stop": "Close the camera",
    "scan.camera.fail": "The camera could not be opened. Allow it, or type the customer's code below.",
    "scan.typed": "Or type / paste the customer's code",
    "scan.typed.ph": "A USB scanner works too",
    "scan.lookup": "Look up",
    "scan.customer": "Customer",
    "scan.stars": "Stars",
    "scan.discount": "Discount here",
    "scan.discountN": "{n}%",
    "scan.noDiscount": "This star level gets no discount here; nothing to record.",
    "scan.bill": "Bill (yuan)",
    "scan.bill.ph": "e.g. 88.00",
    "scan.bill.bad": "Enter an amount from 0.01 to 100,000 yuan.",
    "scan.preview": "Discount {discount}, customer pays {final}",
    "scan.confirm": "Confirm sale",
    "scan.other": "Another customer",
    "sale.done": "Sale recorded",
    "sale.bill": "Bill",
    "sale.discount": "Discount ({n}%)",
    "sale.final": "Customer paid",
    "sale.customer": "Customer",
    "sale.next": "Next customer",
    "sale.credit": "Shop's credit",
    "sale.creditN": "+{n} points",
    "sale.credit.daily_cap": "Today's cap is reached: no credit for this sale",
    "sale.credit.not_in_use": "The district gives no credit for discounts now",
    "sales.title": "Today's sales",
    "sales.count": "{n} sales",
    "sales.total": "{amount} discount in all",
    "sales.none": "No sales today yet",
    "sales.voided": "Voided",
    "find.title": "Find a resident",
    "find.q": "Name or phone",
    "find.search": "Search",
    "find.none": "Nobody found",
    "resident.title": "Resident",
    "resident.logged": "Your look-up is logged; the resident can see it.",
    "resident.phone": "Phone",
    "resident.born": "Born",
    "resident.activation": "Give an activation code",
    "resident.activation.text": "The code is shown only now: hand it to the resident. Any older code stops working.",
    "resident.activation.title": "Activation code (shown once)",
    "resident.activation.until": "Valid until {date}",
    "resident.activation.confirm": "Give {name} a new activation code? Any older code stops working.",
    "staff.home": "Desk",
  },
};

const LANG_KEY = "chengxin.m.lang";
const LARGE_KEY = "chengxin.m.largeText";

function stored(key) {
  try { return localStorage.getItem(key); } catch (error) { return null; }
}

function keep(key, value) {
  try { localStorage.setItem(key, value); } catch (error) { /* private mode: the choice lasts this visit */ }
}

export const prefs = reactive({
  lang: stored(LANG_KEY) === "en" ? "en" : "zh-CN",
  large: stored(LARGE_KEY) === "1",
});

export function t(key, params = {}) {
  const text = TEXTS[prefs.lang][key] ?? TEXTS["zh-CN"][key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (params[name] ?? ""));
}

export function setLang(lang) {
  prefs.lang = lang === "en" ? "en" : "zh-CN";
  keep(LANG_KEY, prefs.lang);
  document.documentElement.lang = prefs.lang;
  document.title = t("app.name");
}

export function setLarge(on) {
  prefs.large = Boolean(on);
  keep(LARGE_KEY, prefs.large ? "1" : "0");
  document.documentElement.classList.toggle("large", prefs.large);
}

/* Times are UTC in the API and the district's local time (UTC+8) on screen. */
const ZONE = "Asia/Shanghai";

export function localDate(iso) {
  if (!iso) return "";
  return new Date(iso).toLocaleDateString(prefs.lang === "en" ? "en-GB" : "zh-CN",
    { timeZone: ZONE, year: "numeric", month: "long", day: "numeric" });
}

export function localDateTime(iso) {
  if (!iso) return "";
  return new Date(iso).toLocaleString(prefs.lang === "en" ? "en-GB" : "zh-CN",
    { timeZone: ZONE, month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

/* The start of today in the district's calendar, as an ISO UTC time (for "today's sales"). */
export function startOfLocalDay(now = new Date()) {
  const offsetMs = 8 * 3600 * 1000;
  const local = new Date(now.getTime() + offsetMs);
  local.setUTCHours(0, 0, 0, 0);
  return new Date(local.getTime() - offsetMs).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/* Fen (integer) → "88.00". */
export function yuan(fen) {
  return t("common.yuan", { amount: (fen / 100).toFixed(2) });
}

/* Vant's own texts (dialog buttons, loading) in English; zh-CN is its default. */
export const VANT_EN = {
  name: "Name", tel: "Phone", save: "Save", clear: "Clear", cancel: "Cancel", confirm: "Confirm",
  delete: "Delete", loading: "Loading...", noCoupon: "No coupons", nameEmpty: "Please fill in the name",
  addContact: "Add contact", telInvalid: "Malformed phone number", vanCalendar: {}, vanPicker: {},
  vanPagination: { prev: "Previous", next: "Next" }, vanPullRefresh: { pulling: "Pull to refresh...",
    loosing: "Loose to refresh..." }, vanSubmitBar: { label: "Total:" },
};
