/* Roster import: download the template, upload an XLSX for a preview that names every row's problem,
 * then commit the whole file (all rows or none; the button waits until the preview has no problem). */
import { messageOf, prefs, t } from "../i18n.js";
import { api, download } from "../session.js";
import { ElMessage, reactive, ref } from "../vue.js";

export const ImportView = {
  setup() {
    const file = ref(null); //: the chosen File
    const state = reactive({ busy: false, error: "", preview: null, committed: null });
    const input = ref(null);

    function choose(event) {
      file.value = event.target.files[0] || null;
      event.target.value = ""; // the same file chosen again (after fixing it) is sent again
      Object.assign(state, { error: "", preview: null, committed: null });
      if (file.value) send(false);
    }
    async function send(commit) {
      if (!file.value) return;
      const form = new FormData();
      form.append("file", file.value, file.value.name);
      state.busy = true;
      state.error = "";
      try {
        const answer = await api.upload(`/residents/imports?commit=${commit}`, form);
        if (commit) {
          state.committed = answer;
          state.preview = null;
          ElMessage.success(t("import.committed", answer));
        } else {
          state.preview = answer;
        }
      } catch (err) {
        state.error = messageOf(err);
        const detail = err.errors && err.errors.file;
        if (detail && detail.length && !state.error.includes(detail[0])) state.error += " " + detail[0];
      } finally {
        state.busy = false;
      }
    }
    async function template() {
      try {
        await download("/residents/import-template", "roster-template.xlsx");
      } catch (err) {
        ElMessage.error(messageOf(err));
      }
    }
    const message = (problem) => (prefs.lang === "en" ? problem.message_en : problem.message_zh);
    const pick = () => input.value && input.value.click();
    return { file, state, input, choose, send, template, message, pick, t };
  },
  template: `
  <section class="import">
    <el-alert :title="t('import.help')" type="info" :closable="false" show-icon class="page-error" />
    <div class="toolbar">
      <el-button @click="template" data-test="template">{{ t('import.template') }}</el-button>
      <input ref="input" id="import-file" class="visually-hidden" type="file" :aria-label="t('import.choose')"
             accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
             @change="choose" data-test="import-file" />
      <el-button type="primary" @click="pick" :loading="state.busy" data-test="import-pick">{{ t('import.choose') }}</el-button>
      <span v-if="file" class="muted" data-test="file-name">{{ file.name }}</span>
    </div>
    <el-alert v-if="state.error" :title="state.error" type="error" show-icon :closable="false" class="page-error"
              data-test="import-error" />
    <div v-loading="state.busy">
      <template v-if="state.preview">
        <div class="kpis" data-test="import-counts">
          <el-statistic :title="t('import.rows')" :value="state.preview.rows" />
          <el-statistic :title="t('import.created')" :value="state.preview.created" />
          <el-statistic :title="t('import.updated')" :value="state.preview.updated" />
          <el-statistic :title="t('import.unchanged')" :value="state.preview.unchanged" />
          <el-statistic :title="t('import.problems')" :value="state.preview.problems.length" />
        </div>
        <el-alert v-if="state.preview.problems.length" :title="t('import.fix', { n: state.preview.problems.length })"
                  type="warning" show-icon :closable="false" class="page-error" />
        <el-alert v-else :title="t('import.ready')" type="success" show-icon :closable="false" class="page-error" />
        <el-table v-if="state.preview.problems.length" :data="state.preview.problems" stripe border
                  data-table="import-problems">
          <el-table-column prop="row" :label="t('import.row')" width="90" />
          <el-table-column prop="column" :label="t('import.column')" width="140" />
          <el-table-column :label="t('import.problem')" min-width="320">
            <template #default="{ row }">{{ message(row) }}</template></el-table-column>
          <el-table-column prop="code" :label="t('import.code')" width="200" />
        </el-table>
        <div class="toolbar commit-bar">
          <el-button type="primary" :disabled="state.preview.problems.length > 0 || state.busy" :loading="state.busy"
                     @click="send(true)" data-test="import-commit">{{ t('import.commit') }}</el-button>
        </div>
      </template>
      <el-result v-if="state.committed" icon="success" :title="t('import.done')" data-test="import-done"
                 :sub-title="t('import.committed', state.committed)" />
    </div>
  </section>`,
};
