/* Red and black lists (红黑名单) of my communities: the red list of residents or households (诚信示范户) at
 * the top star level, the black list of residents with serious final records; filtered by village and
 * downloadable as Excel with the same filter. Staff see full names; the public pages show masked ones. */
import { addTexts, localName, messageOf, t } from "../i18n.js";
import { api } from "../session.js";
import { onMounted, reactive, ref } from "../vue.js";
import { cleanQuery, exportList, useVillages } from "./oversight.js";

addTexts({
  "zh-CN": {
    "lists.which": "名单", "lists.red": "红名单", "lists.black": "黑名单", "lists.kind": "对象",
    "lists.residents": "居民", "lists.households": "信用户", "lists.name": "姓名", "lists.household": "户名",
    "lists.score": "信用分", "lists.average": "平均信用分", "lists.stars": "星级", "lists.members": "人数",
    "lists.serious": "严重失信记录", "lists.redHelp": "红名单：信用分达到最高星级的居民或家庭（诚信示范户）。",
    "lists.blackHelp": "黑名单：有已生效严重失信记录的居民（严重失信记录不能修复）。",
    "lists.empty": "名单中没有人", "lists.starsN": "{n} 星",
  },
  en: {
    "lists.which": "List", "lists.red": "Red list", "lists.black": "Black list", "lists.kind": "Who",
    "lists.residents": "Residents", "lists.households": "Households", "lists.name": "Name", "lists.household": "Household",
    "lists.score": "Score", "lists.average": "Average score", "lists.stars": "Stars", "lists.members": "Members",
    "lists.serious": "Serious records", "lists.redHelp": "Red list: residents or households whose score reaches the top star level.",
    "lists.blackHelp": "Black list: residents with a final serious record (serious records cannot be repaired).",
    "lists.empty": "Nobody is on this list", "lists.starsN": "{n} stars",
  },
});

export const ListsView = {
  setup() {
    const { villages, nameOf } = useVillages();
    const rows = ref([]);
    const total = ref(0);
    const paging = reactive({ page: 1, per_page: 20 });
    const filters = reactive({ list: "red", kind: "resident", community_id: null });
    const loading = ref(false);
    const exporting = ref(false);
    const error = ref("");
    const path = () => (filters.list === "red" ? "/red-list" : "/black-list");
    const query = () => cleanQuery({ community_id: filters.community_id,
      kind: filters.list === "red" ? filters.kind : undefined });

    async function load(to = paging.page) {
      paging.page = to;
      loading.value = true;
      error.value = "";
      try {
        const answer = await api.get(path(), { query: { ...query(), page: paging.page, per_page: paging.per_page } });
        rows.value = answer.items;
        total.value = answer.total;
      } catch (err) {
        error.value = messageOf(err);
        rows.value = [];
        total.value = 0;
      } finally {
        loading.value = false;
      }
    }
    onMounted(() => load(1));
    const households = () => filters.list === "red" && filters.kind === "household";
    function exportXlsx() {
      const name = filters.list === "red" ? (households() ? "red-list-households.xlsx" : "red-list.xlsx") : "black-list.xlsx";
      return exportList(path(), query(), name, exporting);
    }
    return { rows, total, paging, filters, villages, nameOf, loading, exporting, error, load, exportXlsx, households,
      localName, t };
  },
  template: `
  <section class="lists">
    <div class="toolbar">
      <el-radio-group v-model="filters.list" @change="load(1)" :aria-label="t('lists.which')" data-test="which">
        <el-radio-button value="red">{{ t('lists.red') }}</el-radio-button>
        <el-radio-button value="black">{{ t('lists.black') }}</el-radio-button>
      </el-radio-group>
      <el-radio-group v-if="filters.list === 'red'" v-model="filters.kind" @change="load(1)" :aria-label="t('lists.kind')">
        <el-radio-button value="resident">{{ t('lists.residents') }}</el-radio-button>
        <el-radio-button value="household">{{ t('lists.households') }}</el-radio-button>
      </el-radio-group>
      <el-select v-model="filters.community_id" clearable :placeholder="t('ov.village')" style="width: 180px"
                 @change="load(1)" :aria-label="t('ov.village')" data-test="village">
        <el-option v-for="v in villages" :key="v.id" :value="v.id" :label="nameOf(v.id)" />
      </el-select>
      <el-button :loading="exporting" @click="exportXlsx" data-test="export">{{ t('ov.export') }}</el-button>
      <span class="count">{{ t('ov.total', { n: total }) }}</span>
    </div>
    <p class="help">{{ filters.list === 'red' ? t('lists.redHelp') : t('lists.blackHelp') }}</p>
    <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="page-error" />
    <el-table :key="households() ? 'households' : 'residents'" :data="rows" v-loading="loading" stripe border :empty-text="t('lists.empty')" data-table="list">
      <template v-if="households()">
        <el-table-column prop="household_id" label="#" width="80" />
        <el-table-column :label="t('lists.household')" min-width="160" prop="name" />
        <el-table-column :label="t('ov.village')" min-width="140"><template #default="{ row }">{{ localName(row, 'community_name') }}</template></el-table-column>
        <el-table-column :label="t('lists.members')" width="100" align="right" prop="members" />
        <el-table-column :label="t('lists.average')" width="120" align="right" prop="score" />
        <el-table-column :label="t('lists.stars')" width="100"><template #default="{ row }">{{ t('lists.starsN', { n: row.stars }) }}</template></el-table-column>
      </template>
      <template v-else>
        <el-table-column prop="resident_id" label="#" width="80" />
        <el-table-column :label="t('lists.name')" min-width="140" prop="name" />
        <el-table-column :label="t('ov.village')" min-width="140"><template #default="{ row }">{{ localName(row, 'community_name') }}</template></el-table-column>
        <el-table-column :label="t('lists.score')" width="100" align="right" prop="score" />
        <el-table-column :label="t('lists.stars')" width="100"><template #default="{ row }">{{ t('lists.starsN', { n: row.stars }) }}</template></el-table-column>
        <el-table-column :label="t('lists.serious')" width="130" align="right">
          <template #default="{ row }"><span :class="{ minus: row.serious_count > 0 }">{{ row.serious_count }}</span></template></el-table-column>
      </template>
    </el-table>
    <el-pagination v-if="total > paging.per_page" layout="prev, pager, next" :total="total" :page-size="paging.per_page"
                   :current-page="paging.page" @current-change="load" class="pager" />
  </section>`,
};
