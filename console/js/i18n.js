/* The console's texts in zh-CN (first) and English; the choice is kept in localStorage. */
import { errorMessage } from "/webcommon/errors.js";
import { reactive } from "./vue.js";

const LANG_KEY = "chengxin.console.lang";

function storedLang() {
  try { return localStorage.getItem(LANG_KEY) === "en" ? "en" : "zh-CN"; } catch (error) { return "zh-CN"; }
}

export const prefs = reactive({ lang: storedLang() });

export function setLang(lang) {
  prefs.lang = lang === "en" ? "en" : "zh-CN";
  document.documentElement.lang = prefs.lang;
  try { localStorage.setItem(LANG_KEY, prefs.lang); } catch (error) { /* private mode */ }
}

const TEXTS = {
  "zh-CN": {
    "app.title": "诚信工作台", "app.subtitle": "信用中心 · 工作人员", "lang.switch": "English",
    "login.title": "工作人员登录", "login.username": "用户名", "login.password": "密码", "login.submit": "登录",
    "login.expired": "登录已过期，请重新登录；登录后回到刚才的页面。", "login.required": "请填写用户名和密码",
    "login.notStaff": "此账号不是信用中心工作人员账号", "login.hint": "仅限区信用中心、社区书记和信用采集员使用",
    "menu.import": "名册导入", "menu.announcements": "公告",
    "import.help": "先下载模板，按“填写说明”填好后上传：系统先预览并列出每一行的问题，没有问题时才能导入；导入时全部写入或全部不写。",
    "import.template": "下载名册模板", "import.choose": "选择 XLSX 文件", "import.rows": "行数", "import.created": "新增",
    "import.updated": "更新", "import.unchanged": "不变", "import.problems": "问题",
    "import.fix": "有 {n} 个问题：请在文件中改正后重新上传，改正前不能导入。", "import.ready": "没有问题，可以导入。",
    "import.row": "行号", "import.column": "列", "import.problem": "问题", "import.code": "代码",
    "import.commit": "确认导入", "import.done": "导入完成",
    "import.committed": "共 {rows} 行：新增 {created}，更新 {updated}，不变 {unchanged}",
    "ann.current": "展示中", "ann.scheduled": "待发布", "ann.expired": "已过期", "ann.withdrawnState": "已撤回",
    "ann.state": "公告状态", "ann.new": "发布公告", "ann.empty": "没有公告", "ann.title": "标题", "ann.where": "范围",
    "ann.publishAt": "发布时间", "ann.expireAt": "截止时间", "ann.withdraw": "撤回", "ann.pinned": "置顶",
    "ann.community": "本村社区", "ann.district": "全区", "ann.titleZh": "标题（中文）", "ann.bodyZh": "正文（中文）",
    "ann.titleEn": "标题（英文，可不填）", "ann.bodyEn": "正文（英文，可不填）", "ann.publish": "发布",
    "ann.required": "请填写中文标题和正文，并选择村社区", "ann.published": "公告已发布",
    "ann.withdrawAsk": "撤回公告“{title}”？撤回后居民端和自助机上立即不再显示。", "ann.withdrawn": "公告已撤回",
    "print.cards": "打印名片", "print.villageCards": "打印本村名片", "print.villageHint": "先选择村社区",
    "report.open": "信用报告", "report.title": "开具信用报告", "report.purpose": "用途",
    "report.purposeHint": "例如：本人申请，用于贷款", "report.purposeRequired": "请填写用途（至少两个字）",
    "report.requestedBy": "申请人（代办时填写，可不填）", "report.issue": "开具并打开 PDF",
    "report.logged": "开具信用报告会编号并记入查询记录，居民本人可以看到。", "report.issued": "已开具信用报告 {number}",
    "group.work": "日常工作", "group.people": "居民与户", "group.rules": "规则与伙伴", "group.open": "公开与监督",
    "group.district": "区域与人员",
    "menu.reports": "统计报表", "menu.review": "记录审核", "menu.residents": "居民查询",
    "nav.signOut": "退出登录", "nav.label": "主菜单",
    "role.district_admin": "信用中心管理员", "role.reviewer": "审核员", "role.worker": "采集员",
    "filter.town": "镇街", "filter.village": "村社区", "filter.all": "全部", "filter.from": "起始月份",
    "filter.to": "截止月份", "filter.apply": "查询", "filter.reset": "重置",
    "reports.villages": "村社区排名", "reports.points": "积分收支", "reports.records": "记录分类",
    "reports.backlog": "待办积压", "reports.households": "信用户排名", "reports.export": "导出 Excel",
    "reports.exported": "已下载", "reports.empty": "所选范围内没有数据",
    "chart.ranking": "村社区平均信用分排名", "chart.stars": "各村居民星级分布（人）",
    "chart.points": "每月积分发放、兑换与过期", "chart.records": "各类别加分与扣分记录（条）",
    "chart.backlog": "各村待办记录（条）",
    "col.rank": "排名", "col.town": "镇街", "col.village": "村社区", "col.residents": "居民",
    "col.stars": "{n}星", "col.average": "平均分", "col.participants": "参与人数", "col.participation": "参与率",
    "col.month": "月份", "col.opening": "期初", "col.issued": "发放", "col.refunded": "退回", "col.spent": "兑换",
    "col.expired": "过期", "col.penalties": "扣减", "col.inflow": "流入合计", "col.outflow": "流出合计",
    "col.closing": "期末", "col.category": "类别", "col.good": "加分记录", "col.bad": "扣分记录",
    "col.goodPoints": "加分", "col.badPoints": "扣分", "col.pending": "待审核", "col.inNotice": "公示中",
    "col.disputed": "有异议", "col.oldest": "最早待审", "col.household": "户号", "col.householdName": "户名",
    "col.members": "人数", "col.lowest": "最低分", "col.starLevel": "星级",
    "points.outstanding": "居民持有积分（期末）", "points.communities": "覆盖村社区",
    "review.title": "待审核记录", "review.refresh": "刷新", "review.approve": "通过", "review.reject": "驳回",
    "review.bulkApprove": "批量通过所选（{n}）", "review.resident": "居民", "review.item": "事项",
    "review.points": "分值", "review.occurred": "发生时间", "review.loggedBy": "登记人", "review.note": "说明",
    "review.evidence": "佐证", "review.noEvidence": "无", "review.village": "村社区",
    "review.rejectTitle": "驳回记录", "review.reason": "驳回理由", "review.reasonRequired": "请填写驳回理由",
    "review.cancel": "取消", "review.confirm": "确定", "review.approved": "已通过，进入公示",
    "review.rejected": "已驳回", "review.bulkDone": "通过 {ok} 条，未通过 {failed} 条",
    "review.rowError": "记录 {id}：{message}", "review.empty": "没有待审核的记录", "review.total": "共 {n} 条",
    "review.mine": "本人登记", "review.open": "查看",
    "residents.title": "居民查询", "residents.query": "姓名、手机号、卡号或身份证后四位",
    "residents.search": "搜索", "residents.name": "姓名", "residents.phone": "手机", "residents.empty": "没有找到居民",
    "archive.title": "居民信用档案", "archive.open": "档案", "archive.logged": "查看档案会记入查询登记，居民本人可以看到。",
    "archive.score": "信用分", "archive.stars": "星级", "archive.points": "可用积分", "archive.records": "信用记录",
    "archive.status": "状态", "archive.village": "村社区", "archive.idLast4": "身份证后四位", "archive.born": "出生年份",
    "status.pending": "待审核", "status.in_notice": "公示中", "status.disputed": "有异议", "status.final": "已生效",
    "status.rejected": "已驳回", "status.voided": "已撤销", "status.repaired": "已修复",
    "common.loading": "正在加载……", "common.yes": "是", "common.no": "否",
    "severity.minor": "轻微", "severity.serious": "严重",
  },
  en: {
    "app.title": "Chengxin Console", "app.subtitle": "Credit centre · staff", "lang.switch": "中文",
    "login.title": "Staff sign-in", "login.username": "Username", "login.password": "Password", "login.submit": "Sign in",
    "login.expired": "Your session has ended. Sign in again to return to the page you were on.",
    "login.required": "Enter your username and password", "login.notStaff": "This is not a credit centre staff account",
    "login.hint": "For the district credit centre, reviewers and community workers",
    "menu.import": "Roster import", "menu.announcements": "Announcements",
    "import.help": "Download the template, fill it in as its instructions sheet says and upload it: the preview names every row's problem, and the import is possible only when there is none; it writes all rows or none.",
    "import.template": "Download the roster template", "import.choose": "Choose an XLSX file", "import.rows": "Rows",
    "import.created": "New", "import.updated": "Updated", "import.unchanged": "Unchanged", "import.problems": "Problems",
    "import.fix": "{n} problems: correct them in the file and upload it again; it cannot be imported before.",
    "import.ready": "No problem: ready to import.", "import.row": "Row", "import.column": "Column",
    "import.problem": "Problem", "import.code": "Code", "import.commit": "Import", "import.done": "Imported",
    "import.committed": "{rows} rows: {created} new, {updated} updated, {unchanged} unchanged",
    "ann.current": "Showing", "ann.scheduled": "Scheduled", "ann.expired": "Expired", "ann.withdrawnState": "Withdrawn",
    "ann.state": "State", "ann.new": "New announcement", "ann.empty": "No announcement", "ann.title": "Title",
    "ann.where": "For", "ann.publishAt": "Published", "ann.expireAt": "Until", "ann.withdraw": "Withdraw",
    "ann.pinned": "Pinned", "ann.community": "A village", "ann.district": "Whole district",
    "ann.titleZh": "Title (Chinese)", "ann.bodyZh": "Text (Chinese)", "ann.titleEn": "Title (English, optional)",
    "ann.bodyEn": "Text (English, optional)", "ann.publish": "Publish",
    "ann.required": "Give the Chinese title and text, and choose the village", "ann.published": "Announcement published",
    "ann.withdrawAsk": "Withdraw \"{title}\"? It disappears from the phone app and the kiosks at once.",
    "ann.withdrawn": "Announcement withdrawn",
    "print.cards": "Print cards", "print.villageCards": "Print the village's cards", "print.villageHint": "Choose a village first",
    "report.open": "Credit report", "report.title": "Issue a credit report", "report.purpose": "Purpose",
    "report.purposeHint": "e.g. asked by the resident, for a loan", "report.purposeRequired": "Give the purpose (2 characters or more)",
    "report.requestedBy": "Asked by (if someone else came; optional)", "report.issue": "Issue and open the PDF",
    "report.logged": "A credit report is numbered and logged as a look-up, which the resident can see.",
    "report.issued": "Credit report {number} issued",
    "group.work": "Daily work", "group.people": "Residents", "group.rules": "Rules & partners",
    "group.open": "Openness & oversight", "group.district": "Places & staff",
    "menu.reports": "Reports", "menu.review": "Review queue", "menu.residents": "Residents",
    "nav.signOut": "Sign out", "nav.label": "Main menu",
    "role.district_admin": "District admin", "role.reviewer": "Reviewer", "role.worker": "Worker",
    "filter.town": "Town", "filter.village": "Village", "filter.all": "All", "filter.from": "From month",
    "filter.to": "To month", "filter.apply": "Apply", "filter.reset": "Reset",
    "reports.villages": "Village ranking", "reports.points": "Points", "reports.records": "Records by category",
    "reports.backlog": "Backlog", "reports.households": "Household ranking", "reports.export": "Export Excel",
    "reports.exported": "Downloaded", "reports.empty": "No data in this range",
    "chart.ranking": "Villages by average credit score", "chart.stars": "Residents by star level (people)",
    "chart.points": "Points issued, spent and expired per month", "chart.records": "Good and bad records by category",
    "chart.backlog": "Records waiting per village",
    "col.rank": "Rank", "col.town": "Town", "col.village": "Village", "col.residents": "Residents",
    "col.stars": "{n} stars", "col.average": "Average score", "col.participants": "Participants",
    "col.participation": "Participation", "col.month": "Month", "col.opening": "Opening", "col.issued": "Issued",
    "col.refunded": "Refunded", "col.spent": "Spent", "col.expired": "Expired", "col.penalties": "Penalties",
    "col.inflow": "Inflow", "col.outflow": "Outflow", "col.closing": "Closing", "col.category": "Category",
    "col.good": "Good records", "col.bad": "Bad records", "col.goodPoints": "Points added",
    "col.badPoints": "Points deducted", "col.pending": "Pending", "col.inNotice": "In notice",
    "col.disputed": "Disputed", "col.oldest": "Oldest pending since", "col.household": "Household",
    "col.householdName": "Name", "col.members": "Members", "col.lowest": "Lowest score", "col.starLevel": "Stars",
    "points.outstanding": "Points residents hold (closing)", "points.communities": "Villages covered",
    "review.title": "Records waiting for review", "review.refresh": "Refresh", "review.approve": "Approve",
    "review.reject": "Reject", "review.bulkApprove": "Approve selected ({n})", "review.resident": "Resident",
    "review.item": "Item", "review.points": "Points", "review.occurred": "Happened", "review.loggedBy": "Logged by",
    "review.note": "Note", "review.evidence": "Evidence", "review.noEvidence": "None", "review.village": "Village",
    "review.rejectTitle": "Reject the record", "review.reason": "Reason", "review.reasonRequired": "Give a reason",
    "review.cancel": "Cancel", "review.confirm": "OK", "review.approved": "Approved: now on public notice",
    "review.rejected": "Rejected", "review.bulkDone": "{ok} approved, {failed} not approved",
    "review.rowError": "Record {id}: {message}", "review.empty": "No records waiting for review",
    "review.total": "{n} in all", "review.mine": "Logged by me", "review.open": "Open",
    "residents.title": "Residents", "residents.query": "Name, phone, card number or last 4 of ID",
    "residents.search": "Search", "residents.name": "Name", "residents.phone": "Phone",
    "residents.empty": "No resident found",
    "archive.title": "Resident's credit archive", "archive.open": "Archive",
    "archive.logged": "Opening an archive is logged as a look-up, which the resident can see.",
    "archive.score": "Credit score", "archive.stars": "Stars", "archive.points": "Points", "archive.records": "Records",
    "archive.status": "Status", "archive.village": "Village", "archive.idLast4": "ID last 4", "archive.born": "Born",
    "status.pending": "Pending", "status.in_notice": "In notice", "status.disputed": "Disputed", "status.final": "Final",
    "status.rejected": "Rejected", "status.voided": "Voided", "status.repaired": "Repaired",
    "common.loading": "Loading…", "common.yes": "Yes", "common.no": "No",
    "severity.minor": "minor", "severity.serious": "serious",
  },
};

/* A screen brings its own texts: addTexts({"zh-CN": {...}, en: {...}}) at the top of its module, so
 * screens added side by side do not all edit this file. */
export function addTexts(more) {
  for (const lang of Object.keys(TEXTS)) Object.assign(TEXTS[lang], more[lang] || {});
}

/* t("review.bulkDone", {ok: 2, failed: 1}) in the chosen language. */
export function t(key, values = {}) {
  const text = TEXTS[prefs.lang][key] ?? TEXTS["zh-CN"][key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_m, name) => (values[name] ?? ""));
}

/* A zh or en field of an API row: name("community", row) → row.community_zh or row.community_en. */
export function localName(row, field) {
  return prefs.lang === "en" ? row[`${field}_en`] || row[`${field}_zh`] : row[`${field}_zh`];
}

export function messageOf(error) {
  return errorMessage(error, prefs.lang);
}

/* An ISO UTC time shown in the district's local time (UTC+8). */
export function localTime(iso) {
  if (!iso) return "";
  const date = new Date(new Date(iso).getTime() + 8 * 3600 * 1000);
  return date.toISOString().slice(0, 16).replace("T", " ");
}
