/* Residents of my communities found by name or phone (GET /residents?q=; the API searches these two). */
import { localName, messageOf, t } from "../i18n.js";
import { api } from "../session.js";
import { computed, onMounted, reactive, ref } from "../vue.js";

export const ResidentsView = {
  setup() {
    const form = reactive({ q: "", community_id: null });
    const rows = ref([]);
    const total = ref(0);
    const page = ref(1);
    const villages = ref([]);
    const loading = ref(false);
    const error = ref("");
    const villageName = computed(() => Object.fromEntries(villages.value.map((v) => [v.id, localName(v, "name")])));

    async function search(to = 1) {
      page.value = to;
      loading.value = true;
      error.value = "";
      try {
        const query = { page: to, per_page: 20, q: form.q.trim() || undefined, community_id: form.community_id };
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
    return { form, rows, total, page, villages, villageName, loading, error, search, t, localName };
  },
  template: `
  <section class="residents">
    <el-form :inline="true" class="filters" @submit.prevent="search(1)">
      <el-form-item :label="t('residents.search')" for="r-q">
        <el-input id="r-q" v-model="form.q" :placeholder="t('residents.name') + ' / ' + t('residents.phone')"
                  clearable style="width: 240px" data-test="resident-q" />
      </el-form-item>
      <el-form-item :label="t('filter.village')" for="r-village">
        <el-select id="r-village" v-model="form.community_id" clearable :placeholder="t('filter.all')" style="width: 180px">
          <el-option v-for="v in villages" :key="v.id" :value="v.id" :label="localName(v, 'name')" />
        </el-select>
      </el-form-item>
      <el-form-item><el-button type="primary" native-type="submit">{{ t('residents.search') }}</el-button></el-form-item>
    </el-form>
    <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="page-error" />
    <el-table :data="rows" v-loading="loading" stripe border :empty-text="t('residents.empty')" data-table="residents">
      <el-table-column prop="id" label="#" width="80" />
      <el-table-column prop="name" :label="t('residents.name')" />
      <el-table-column prop="phone" :label="t('residents.phone')" />
      <el-table-column :label="t('filter.village')"><template #default="{ row }">{{ villageName[row.community_id] || row.community_id }}</template></el-table-column>
      <el-table-column prop="birth_year" label="出生年 / Born" width="120" />
      <el-table-column prop="id_last4" label="身份证后四位 / ID …" width="160" />
    </el-table>
    <el-pagination v-if="total > 20" layout="prev, pager, next" :total="total" :page-size="20" :current-page="page"
                   @current-change="search" class="pager" />
  </section>`,
};
