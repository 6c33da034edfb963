/* Pieces the oversight screens share (objections, repairs, red and black lists, audit and look-up logs):
 * the villages of my communities, local calendar days as the API's UTC range, and the Excel download of
 * a list with the list's own filters. */
import { addTexts, localName, messageOf, t } from "../i18n.js";
import { api, download } from "../session.js";
import { ElMessage, onMounted, ref } from "../vue.js";

addTexts({
  "zh-CN": {
    "menu.objections": "异议处理", "menu.repairs": "信用修复", "menu.lists": "红黑名单", "menu.audit": "操作日志",
    "menu.lookups": "查询登记",
    "ov.export": "导出 Excel", "ov.exported": "已下载 {file}", "ov.refresh": "刷新", "ov.village": "村社区",
    "ov.all": "全部", "ov.from": "起始日期", "ov.to": "截止日期", "ov.search": "查询", "ov.reset": "重置",
    "ov.total": "共 {n} 条", "ov.view": "查看", "ov.cancel": "取消", "ov.none": "无",
  },
  en: {
    "menu.objections": "Objections", "menu.repairs": "Credit repair", "menu.lists": "Red & black lists",
    "menu.audit": "Audit log", "menu.lookups": "Look-up log",
    "ov.export": "Export to Excel", "ov.exported": "Downloaded {file}", "ov.refresh": "Refresh", "ov.village": "Village",
    "ov.all": "All", "ov.from": "From", "ov.to": "To", "ov.search": "Search", "ov.reset": "Reset",
    "ov.total": "{n} in all", "ov.view": "Open", "ov.cancel": "Cancel", "ov.none": "None",
  },
});

/* The communities I may see, for the village filters and for names in the tables. */
export function useVillages() {
  const villages = ref([]);
  const nameOf = (id) => {
    const found = villages.value.find((v) => v.id === id);
    return found ? localName(found, "name") : (id ?? "");
  };
  onMounted(async () => {
    try { villages.value = (await api.get("/communities", { query: { per_page: 100 } })).items; } catch (err) { /* names only */ }
  });
  return { villages, nameOf };
}

/* "2026-11-30" (a day of the district's calendar, UTC+8) → the UTC moment it starts; `after` → the next day's. */
export function localDayUtc(day, after = false) {
  if (!day) return undefined;
  const start = new Date(`${day}T00:00:00+08:00`).getTime() + (after ? 86400000 : 0);
  return new Date(start).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/* The query without empty values (the API takes a missing filter as "all"). */
export function cleanQuery(query) {
  return Object.fromEntries(Object.entries(query).filter(([, value]) => value !== undefined && value !== null && value !== ""));
}

/* Downloads `<path>/export.xlsx` with the list's filters, through the session (no token in a URL). */
export async function exportList(path, query, filename, busy) {
  busy.value = true;
  try {
    const search = new URLSearchParams(cleanQuery(query)).toString();
    await download(`${path}/export.xlsx${search ? "?" + search : ""}`, filename);
    ElMessage.success(t("ov.exported", { file: filename }));
  } catch (err) {
    ElMessage.error({ message: messageOf(err), duration: 6000 });
  } finally {
    busy.value = false;
  }
}

/* Evidence needs the session: fetched as a blob and opened in a new tab. */
export async function openEvidence(file) {
  const tab = window.open("", "_blank");
  try {
    const blob = await api.blob(file.url.replace(/^\/api\/v1/, ""));
    const url = URL.createObjectURL(blob);
    if (tab) tab.location = url; else window.location.assign(url);
  } catch (err) {
    if (tab) tab.close();
    ElMessage.error(messageOf(err));
  }
}
