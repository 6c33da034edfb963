/* My archive: download everything the centre holds about me (XLSX), and issue my own credit report
 * (信用报告, e.g. for a loan) as a PDF. Files come from the API with the bearer token, as blobs. */
import { addTexts, localDate, t } from "../i18n.js";
import { api } from "../session.js";
import { ErrorBox, fieldError } from "../ui.js";
import { onBeforeUnmount, onMounted, ref } from "../vue.js";

addTexts({
  "zh-CN": { "archive.data.both": "信用中心保存的关于您的全部信息（信用记录、积分、谁查看过您的档案等）：Excel 表格方便自己看，JSON 文件方便交给其他机构或程序读取。",
    "archive.json.get": "下载我的数据（JSON）", "archive.json.file": "我的数据 my-data.json" },
  en: { "archive.data.both": "Everything the credit centre holds about you (records, points, who looked at your archive …): the Excel workbook to read yourself, the JSON file for another office or a program.",
    "archive.json.get": "Download my data (JSON)", "archive.json.file": "My data my-data.json" },
});

export const MyArchive = {
  components: { ErrorBox },
  setup() {
    const error = ref(null);
    const busy = ref("");
    const purpose = ref("");
    const reports = ref([]);
    const files = ref([]); // [{ key, href, name, label }]
    const urls = [];

    async function loadReports() {
      try { reports.value = (await api.get("/me/credit-reports", { query: { per_page: 20 } })).items; } catch (err) { error.value = err; }
    }
    function keep(key, blob, name, label) {
      const href = URL.createObjectURL(blob);
      urls.push(href);
      files.value = [{ key, href, name, label }, ...files.value.filter((f) => f.key !== key)];
      const link = document.createElement("a"); // save it at once; the link stays for a second try
      link.href = href;
      link.download = name;
      document.body.appendChild(link);
      link.click();
      link.remove();
    }
    async function myData(kind = "xlsx") {
      const key = kind === "json" ? "data-json" : "data"; //: the workbook keeps its first name
      busy.value = key;
      error.value = null;
      try {
        keep(key, await api.blobOf(`/me/export.${kind}`), `my-data.${kind}`,
          t(kind === "json" ? "archive.json.file" : "archive.data.file"));
      } catch (err) {
        error.value = err;
      } finally {
        busy.value = "";
      }
    }
    async function report() {
      busy.value = "report";
      error.value = null;
      try {
        const issued = await api.post("/me/credit-reports", { purpose: purpose.value.trim() });
        await openReport(issued);
        purpose.value = "";
        await loadReports();
      } catch (err) {
        error.value = err;
      } finally {
        busy.value = "";
      }
    }
    async function openReport(r) {
      keep("report-" + r.id, await api.blobOf(`/credit-reports/${r.id}.pdf`), `credit-report-${r.number}.pdf`,
        t("archive.report.file", { number: r.number }));
    }
    async function reopen(r) {
      error.value = null;
      try { await openReport(r); } catch (err) { error.value = err; }
    }
    onMounted(loadReports);
    onBeforeUnmount(() => urls.forEach((u) => URL.revokeObjectURL(u)));
    return { t, error, busy, purpose, reports, files, myData, report, reopen, fieldError, localDate };
  },
  template: `
  <section class="screen archive">
    <h1>{{ t('archive.title') }}</h1>
    <error-box :error="error"></error-box>
    <van-cell-group inset :title="t('archive.data')">
      <p class="empty-line">{{ t('archive.data.both') }}</p>
    </van-cell-group>
    <div class="actions">
      <van-button block type="primary" size="large" icon="down" :loading="busy === 'data'" @click="myData('xlsx')" data-test="my-data">{{ t('archive.data.get') }}</van-button>
      <van-button block plain type="primary" size="large" icon="down" :loading="busy === 'data-json'" @click="myData('json')" data-test="my-data-json">{{ t('archive.json.get') }}</van-button>
    </div>
    <van-form @submit="report">
      <van-cell-group inset :title="t('archive.report')">
        <p class="empty-line">{{ t('archive.report.intro') }}</p>
        <van-field v-model="purpose" name="purpose" :label="t('archive.report.purpose')" :placeholder="t('archive.report.purpose.ph')"
          :error-message="fieldError(error, 'purpose')" autocomplete="off"></van-field>
      </van-cell-group>
      <div class="actions">
        <van-button block type="primary" size="large" native-type="submit" icon="description" :loading="busy === 'report'" data-test="credit-report">{{ t('archive.report.get') }}</van-button>
      </div>
    </van-form>
    <van-cell-group v-if="files.length" inset :title="t('archive.files')">
      <a v-for="f in files" :key="f.key" class="file-link" :href="f.href" :download="f.name" :data-test="'file-' + f.key">{{ f.label }}</a>
    </van-cell-group>
    <van-cell-group v-if="reports.length" inset :title="t('archive.reports')">
      <van-cell v-for="r in reports" :key="r.id" :title="r.number" :label="localDate(r.issued_at) + ' · ' + r.purpose" is-link
        @click="reopen(r)" :data-test="'report-' + r.id"></van-cell>
    </van-cell-group>
  </section>`,
};
