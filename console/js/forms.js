/* Small pieces the district's keeping screens share: the API's per-field messages shown at their fields,
 * and the "导出 Excel" button's download of a list with the same filters as on screen. */
import { addTexts, messageOf, t } from "./i18n.js";
import { download } from "./session.js";
import { ElMessage, nextTick, reactive } from "./vue.js";

addTexts({
  "zh-CN": { "common.cancel": "取消", "common.export": "导出 Excel", "common.actions": "操作", "common.save": "保存" },
  en: { "common.cancel": "Cancel", "common.export": "Export Excel", "common.actions": "Actions", "common.save": "Save" },
});

/* A form's error state: the API's detail for the whole form and its messages per field.
 *   const errors = formErrors();  errors.show(err);  :error="errors.fields.points"  errors.clear() */
export function formErrors() {
  const state = reactive({ message: "", fields: {} });
  state.clear = () => { state.message = ""; state.fields = {}; };
  state.show = (err) => {
    state.message = messageOf(err);
    const fields = {};
    for (const [name, messages] of Object.entries((err && err.errors) || {})) {
      // the schema's nested messages ({json: {field: [...]}}) and flat ones ({field: [...]}) alike
      if (Array.isArray(messages)) fields[name] = messages.join(" ");
      else if (messages && typeof messages === "object") {
        for (const [inner, list] of Object.entries(messages)) fields[inner] = [].concat(list).join(" ");
      }
    }
    state.fields = fields;
    // a long form (the policy) may have its refused field scrolled out of sight: bring it into view
    nextTick(() => {
      const field = document.querySelector(".el-dialog .el-form-item.is-error, .el-drawer .el-form-item.is-error");
      if (field) field.scrollIntoView({ block: "center" });
    });
  };
  return state;
}

/* The query string of a list's filters (empty ones left out). */
export function queryOf(filters) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) {
    if (value !== null && value !== undefined && value !== "") params.set(name, String(value));
  }
  const text = params.toString();
  return text ? "?" + text : "";
}

/* Downloads `<list path>/export.xlsx` with the list's filters; tells the clerk when it is done or why not. */
export async function exportList(path, filters, filename) {
  try {
    await download(`${path}/export.xlsx${queryOf(filters)}`, filename);
    ElMessage.success(t("reports.exported"));
  } catch (err) {
    ElMessage.error({ message: messageOf(err), duration: 6000 });
  }
}
