/* Residents of my communities found by name, phone, the last 4 of the ID (GET /residents?q=), a full ID
 * number (?id_number=, matched by its hash) or a card number (GET /cards?number=). */
import { addTexts, localName, localTime, messageOf, prefs, t } from "../i18n.js";
import { api, download, openFile } from "../session.js";
import { computed, ElMessage, onMounted, reactive, ref } from "../vue.js";
import { villagesWhere } from "./people-common.js";
import { ResidentKeeping } from "./resident-keeping.js";
import { ResidentRegister } from "./resident-register.js";

addTexts({ "zh-CN": { "residents.export": "导出 Excel", "residents.exportHint": "按当前搜索条件导出全部结果",
  "residents.printChosen": "打印所选名片（{n}）", "residents.chooseHint": "在列表中勾选居民",
  "residents.pick": "选择", "residents.pickOne": "选择 {name}",
  "certificate.open": "志愿服务证明", "certificate.issued": "已出具志愿服务证明 {number}" },
en: { "residents.export": "Export to Excel", "residents.exportHint": "Every resident the current search finds",
  "residents.printChosen": "Print chosen cards ({n})", "residents.chooseHint": "Tick residents in the list",
  "residents.pick": "Pick", "residents.pickOne": "Pick {name}",
  "certificate.open": "Volunteer certificate", "certificate.issued": "Volunteer certificate {number} issued" } });

//: a resident card's number (R0000012-1) and a full ID number; anything else is a name, phone or ID's last 4
const CARD_NUMBER = /^[Rr]\d{7}-\d+$/;
const ID_NUMBER = /^\d{17}[\dXx]$/;

export const ResidentsView = {
  components: { ResidentKeeping, ResidentRegister },
  setup() {
    const form = reactive({ q: "", community_id: null });
    const rows = ref([]);
    const total = ref(0);
    const page = ref(1);
    const villages = ref([]);
    const loading = ref(false);
    const error = ref("");
    const villageName = computed(() => Object.fromEntries(villages.value.map((v) => [v.id, localName(v, "name")])));
    const myVillages = computed(() => villagesWhere(villages.value, "worker", "reviewer"));

    /* the search as query parameters (a full ID number is matched by its hash, never shown) */
    function searchQuery() {
      const text = form.q.trim();
      const query = { community_id: form.community_id };
      if (ID_NUMBER.test(text)) query.id_number = text; else query.q = text || undefined;
      return query;
    }
    const exporting = ref(false);
    async function exportXlsx() {
      exporting.value = true;
      try {
        const query = new URLSearchParams(Object.entries(searchQuery()).filter(([, v]) => v !== undefined && v !== null));
        await download("/residents/export.xlsx" + (String(query) ? "?" + query : ""), "residents.xlsx");
      } catch (err) {
        ElMessage.error({ message: messageOf(err), duration: 6000 });
      } finally {
        exporting.value = false;
      }
    }
    /* the resident was changed in the archive: the drawer and the list show the new details */
    function changed(resident) {
      archive.resident = resident;
      loadHousehold();
      rows.value = rows.value.map((row) => (row.id === resident.id ? resident : row));
    }

    async function search(to = 1) {
      page.value = to;
      loading.value = true;
      error.value = "";
      try {
        const text = form.q.trim();
        if (CARD_NUMBER.test(text)) {
          // a printed card's number: the card says whose it is
          const cards = await api.get("/cards", { query: { number: text, kind: "resident" } });
          rows.value = cards.items.length ? [await api.get(`/residents/${cards.items[0].subject_id}`)] : [];
          total.value = rows.value.length;
          return;
        }
        const query = { page: to, per_page: 20, ...searchQuery() };
        const answer = await api.get("/residents", { query });
        rows.value = answer.items;
        total.value = answer.total;
      } catch (err) {
        error.value = messageOf(err);
      } finally {
        loading.value = false;
      }
    }
    onMounted(async () => {
      search();
      try { villages.value = (await api.get("/communities", { query: { per_page: 100 } })).items; } catch (err) { /* names only */ }
    });

    /* A resident's archive: who, standing and records (each read is a look-up the API logs). */
    const archive = reactive({ open: false, loading: false, error: "", resident: null, standing: null, records: [],
      household: null });
    /* the resident's household by name (a household is not a look-up of the resident) */
    async function loadHousehold() {
      const id = archive.resident && archive.resident.household_id;
      archive.household = null;
      if (!id) return;
      try { archive.household = await api.get(`/households/${id}`); } catch (err) { /* shown as its number */ }
    }
    async function openArchive(row) {
      Object.assign(archive, { open: true, loading: true, error: "", resident: row, standing: null, records: [], household: null });
      try {
        // one after another: each read writes a look-up row, and SQLite takes one writer at a time
        const resident = await api.get(`/residents/${row.id}`);
        const standing = await api.get(`/residents/${row.id}/standing`);
        const records = await api.get("/records", { query: { resident_id: row.id, per_page: 50 } });
        Object.assign(archive, { resident, standing, records: records.items });
        await loadHousehold();
      } catch (err) {
        archive.error = messageOf(err);
      } finally {
        archive.loading = false;
      }
    }
    const title = (row) => (prefs.lang === "en" ? row.title_en || row.title_zh : row.title_zh);

    /* Printing: PDFs fetched with the session and opened in a new tab. */
    const printing = ref(false);
    async function printCards(place) {
      printing.value = true;
      try {
        await openFile("/cards/print-sheet.pdf?" + new URLSearchParams(place));
      } catch (err) {
        ElMessage.error({ message: messageOf(err), duration: 6000 });
      } finally {
        printing.value = false;
      }
    }
    const printResidentCards = () => {
      const who = archive.resident;
      printCards(who.household_id ? { household_id: who.household_id } : { community_id: who.community_id });
    };
    const printVillageCards = () => form.community_id && printCards({ community_id: form.community_id });
    /* residents ticked in the list: their cards on one sheet (?resident_ids=…&resident_ids=…) */
    const chosen = ref([]);
    const isChosen = (row) => chosen.value.some((one) => one.id === row.id);
    const choose = (row, on) => {
      chosen.value = on ? [...chosen.value.filter((one) => one.id !== row.id), row] : chosen.value.filter((one) => one.id !== row.id);
    };
    async function printChosenCards() {
      if (!chosen.value.length) return;
      printing.value = true;
      try {
        const query = new URLSearchParams(chosen.value.map((row) => ["resident_ids", row.id]));
        await openFile("/cards/print-sheet.pdf?" + query);
      } catch (err) {
        ElMessage.error({ message: messageOf(err), duration: 6000 });
      } finally {
        printing.value = false;
      }
    }

    /* 信用报告: issued at the resident's request for a stated purpose, numbered, then opened as a PDF. */
    const report = reactive({ open: false, purpose: "", requested_by: "", error: "", busy: false, issued: null });
    function openReport() {
      Object.assign(report, { open: true, purpose: "", requested_by: "", error: "", busy: false, issued: null });
    }
    async function issueReport() {
      if (report.purpose.trim().length < 2) {
        report.error = t("report.purposeRequired");
        return;
      }
      report.busy = true;
      report.error = "";
      try {
        const body = { resident_id: archive.resident.id, purpose: report.purpose.trim() };
        if (report.requested_by.trim()) body.requested_by = report.requested_by.trim();
        report.issued = report.issued || await api.post("/credit-reports", body);
        await openFile(`/credit-reports/${report.issued.id}.pdf`);
        report.open = false;
        ElMessage.success(t("report.issued", { number: report.issued.number }));
      } catch (err) {
        report.error = messageOf(err);
      } finally {
        report.busy = false;
      }
    }
    /* 志愿服务证明: a certificate of the resident's volunteer hours (every year), numbered, opened as a PDF. */
    const certifying = ref(false);
    async function printCertificate() {
      certifying.value = true;
      try {
        const certificate = await api.post("/volunteering/certificates", { resident_id: archive.resident.id });
        await openFile(`/volunteering/certificates/${certificate.id}/pdf`);
        ElMessage.success(t("certificate.issued", { number: certificate.number || certificate.id }));
      } catch (err) {
        ElMessage.error({ message: messageOf(err), duration: 6000 });
      } finally {
        certifying.value = false;
      }
    }
    /* a resident just registered: shown alone in the list, with the archive open (card, activation code) */
    function registered(resident) {
      rows.value = [resident];
      total.value = 1;
      openArchive(resident);
    }
    return { form, rows, total, page, villages, villageName, loading, error, search, t, localName, localTime, archive, registered,
      openArchive, title, myVillages, exporting, exportXlsx, changed, printing, printResidentCards, printVillageCards, chosen, isChosen, choose, printChosenCards, report, openReport, issueReport,
      certifying, printCertificate };
  },
  template: `
  <section class="residents">
    <el-form :inline="true" class="filters" @submit.prevent="search(1)">
      <el-form-item :label="t('residents.search')" for="r-q">
        <el-input id="r-q" v-model="form.q" :placeholder="t('residents.query')"
                  clearable style="width: 320px" data-test="resident-q" />
      </el-form-item>
      <el-form-item :label="t('filter.village')" for="r-village">
        <el-select id="r-village" v-model="form.community_id" clearable :placeholder="t('filter.all')" style="width: 180px">
          <el-option v-for="v in myVillages" :key="v.id" :value="v.id" :label="localName(v, 'name')" />
        </el-select>
      </el-form-item>
      <el-form-item><el-button type="primary" native-type="submit">{{ t('residents.search') }}</el-button></el-form-item>
      <el-form-item><el-button :loading="exporting" @click="exportXlsx" :title="t('residents.exportHint')"
                               data-test="residents-export">{{ t('residents.export') }}</el-button></el-form-item>
      <el-form-item><el-button :disabled="!form.community_id" :loading="printing" @click="printVillageCards"
                               data-test="print-village-cards" :title="t('print.villageHint')">
        {{ t('print.villageCards') }}</el-button></el-form-item>
      <el-form-item><el-button :disabled="!chosen.length" :loading="printing" @click="printChosenCards"
                               data-test="print-chosen-cards" :title="t('residents.chooseHint')">
        {{ t('residents.printChosen', { n: chosen.length }) }}</el-button></el-form-item>
      <el-form-item><ResidentRegister :villages="villages" @registered="registered" /></el-form-item>
    </el-form>
    <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="page-error" />
    <el-table :data="rows" v-loading="loading" stripe border :empty-text="t('residents.empty')" data-table="residents"
              row-key="id">
      <el-table-column prop="id" label="#" width="80" />
      <el-table-column prop="name" :label="t('residents.name')" />
      <el-table-column prop="phone" :label="t('residents.phone')" />
      <el-table-column :label="t('filter.village')"><template #default="{ row }">{{ villageName[row.community_id] || row.community_id }}</template></el-table-column>
      <el-table-column prop="birth_year" :label="t('archive.born')" width="110" />
      <el-table-column prop="id_last4" :label="t('archive.idLast4')" width="130" />
      <el-table-column width="100">
        <template #default="{ row }"><el-button size="small" @click="openArchive(row)" :data-archive="row.id">
          {{ t('archive.open') }}</el-button></template></el-table-column>
      <el-table-column width="60" :label="t('residents.pick')">
        <template #default="{ row }"><el-checkbox :model-value="isChosen(row)" @change="(on) => choose(row, on)"
                                                  :aria-label="t('residents.pickOne', { name: row.name })" /></template></el-table-column>
    </el-table>
    <el-pagination v-if="total > 20" layout="prev, pager, next" :total="total" :page-size="20" :current-page="page"
                   @current-change="search" class="pager" />
    <el-drawer v-model="archive.open" :title="t('archive.title')" size="56%" data-test="archive">
      <div v-loading="archive.loading">
        <el-alert :title="t('archive.logged')" type="info" :closable="false" show-icon class="page-error" />
        <el-alert v-if="archive.error" :title="archive.error" type="error" :closable="false" show-icon class="page-error" />
        <div v-if="archive.resident && !archive.loading" class="archive-actions">
          <el-button :loading="printing" @click="printResidentCards" data-test="print-cards">{{ t('print.cards') }}</el-button>
          <el-button type="primary" @click="openReport" data-test="credit-report">{{ t('report.open') }}</el-button>
          <el-button :loading="certifying" @click="printCertificate" data-test="certificate">{{ t('certificate.open') }}</el-button>
        </div>
        <ResidentKeeping v-if="archive.resident && !archive.loading" :resident="archive.resident" :villages="villages"
                         @changed="changed" />
        <el-descriptions v-if="archive.resident" :column="2" border data-test="archive-who">
          <el-descriptions-item :label="t('residents.name')">{{ archive.resident.name }}</el-descriptions-item>
          <el-descriptions-item :label="t('residents.phone')">{{ archive.resident.phone }}</el-descriptions-item>
          <el-descriptions-item :label="t('archive.village')">{{ villageName[archive.resident.community_id] }}</el-descriptions-item>
          <el-descriptions-item :label="t('archive.idLast4')">{{ archive.resident.id_last4 || '—' }}</el-descriptions-item>
          <el-descriptions-item :label="t('keep.household')">{{ archive.household ? archive.household.code + ' ' + archive.household.name
            : (archive.resident.household_id || '—') }}</el-descriptions-item>
          <el-descriptions-item :label="t('keep.status')">{{ t('keep.st.' + archive.resident.status) }}</el-descriptions-item>
        </el-descriptions>
        <div v-if="archive.standing" class="kpis archive-kpis" data-test="archive-standing">
          <el-statistic :title="t('archive.score')" :value="archive.standing.score" />
          <el-statistic :title="t('archive.stars')" :value="archive.standing.stars" />
          <el-statistic v-if="archive.standing.points !== null" :title="t('archive.points')" :value="archive.standing.points" />
        </div>
        <h3 class="archive-h">{{ t('archive.records') }}</h3>
        <el-table :data="archive.records" stripe border size="small" data-table="archive-records">
          <el-table-column :label="t('review.occurred')" width="150"><template #default="{ row }">{{ localTime(row.occurred_at) }}</template></el-table-column>
          <el-table-column :label="t('review.item')" min-width="180"><template #default="{ row }">{{ title(row) }}</template></el-table-column>
          <el-table-column :label="t('review.points')" width="80" align="right">
            <template #default="{ row }"><span :class="row.points > 0 ? 'plus' : 'minus'">{{ row.points > 0 ? '+' : '' }}{{ row.points }}</span></template></el-table-column>
          <el-table-column :label="t('archive.status')" width="100"><template #default="{ row }">{{ t('status.' + row.status) }}</template></el-table-column>
        </el-table>
      </div>
    </el-drawer>
    <el-dialog v-model="report.open" :title="t('report.title')" width="520px">
      <p v-if="archive.resident">{{ archive.resident.name }} · {{ villageName[archive.resident.community_id] }}</p>
      <el-form label-position="top" @submit.prevent="issueReport">
        <el-form-item :label="t('report.purpose')" for="report-purpose" required>
          <el-input id="report-purpose" v-model="report.purpose" :placeholder="t('report.purposeHint')" maxlength="200"
                    @input="report.error = ''" data-test="report-purpose" /></el-form-item>
        <el-form-item :label="t('report.requestedBy')" for="report-by">
          <el-input id="report-by" v-model="report.requested_by" maxlength="100" /></el-form-item>
      </el-form>
      <p class="muted">{{ t('report.logged') }}</p>
      <p v-if="report.error" class="form-error" role="alert" data-test="report-error">{{ report.error }}</p>
      <template #footer>
        <el-button @click="report.open = false">{{ t('review.cancel') }}</el-button>
        <el-button type="primary" :loading="report.busy" @click="issueReport" data-test="report-issue">{{ t('report.issue') }}</el-button>
      </template>
    </el-dialog>
  </section>`,
};
