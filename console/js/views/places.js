/* Towns (镇/街道) and villages (村/社区) of the district: everyone sees the tree; only the district admin
 * adds one, renames one or changes its code (the API refuses anyone else). */
import { addTexts, localName, t } from "../i18n.js";
import { api, hasRole } from "../session.js";
import { computed, ElMessage, onMounted, reactive, ref, watch } from "../vue.js";
import { refusal } from "./people-common.js";
import { exportList } from "../forms.js";

addTexts({
  "zh-CN": {
    "menu.places": "镇街与村社区", "places.towns": "镇街", "places.villages": "村社区", "places.newTown": "新增镇街",
    "places.newVillage": "新增村社区", "places.editTown": "修改镇街", "places.editVillage": "修改村社区",
    "places.code": "编码", "places.nameZh": "名称（中文）", "places.nameEn": "名称（英文）", "places.kind": "类别",
    "places.town": "所属镇街", "places.allTowns": "全部镇街", "places.edit": "修改", "places.save": "保存",
    "places.cancel": "取消", "places.saved": "已保存", "places.kind.town": "镇", "places.kind.street": "街道",
    "places.kind.village": "村", "places.kind.community": "社区", "places.readOnly": "只有信用中心管理员可以修改镇街和村社区。",
    "places.required": "请填写编码和中英文名称", "places.codeHint": "字母、数字、- 和 _，如 XL01",
    "places.empty": "没有记录",
  },
  en: {
    "menu.places": "Towns & villages", "places.towns": "Towns", "places.villages": "Villages", "places.newTown": "New town",
    "places.newVillage": "New village", "places.editTown": "Edit town", "places.editVillage": "Edit village",
    "places.code": "Code", "places.nameZh": "Name (Chinese)", "places.nameEn": "Name (English)", "places.kind": "Kind",
    "places.town": "Town", "places.allTowns": "All towns", "places.edit": "Edit", "places.save": "Save",
    "places.cancel": "Cancel", "places.saved": "Saved", "places.kind.town": "town", "places.kind.street": "street",
    "places.kind.village": "village", "places.kind.community": "community",
    "places.readOnly": "Only the district admin changes towns and villages.",
    "places.required": "Fill in the code and both names", "places.codeHint": "letters, digits, - and _, e.g. XL01",
    "places.empty": "Nothing yet",
  },
});

export const PlacesView = {
  setup() {
    const admin = computed(() => hasRole("district_admin"));
    const towns = ref([]);
    const villages = ref([]);
    const townFilter = ref(null);
    const loading = ref(false);
    const error = ref("");
    const townName = computed(() => Object.fromEntries(towns.value.map((town) => [town.id, localName(town, "name")])));
    const shown = computed(() => villages.value.filter((v) => !townFilter.value || v.town_id === townFilter.value));

    async function load() {
      loading.value = true;
      error.value = "";
      try {
        const [tw, vs] = await Promise.all([api.get("/towns", { query: { per_page: 100 } }),
          api.get("/communities", { query: { per_page: 100 } })]);
        towns.value = tw.items;
        villages.value = vs.items;
      } catch (err) {
        error.value = refusal(err).message;
      } finally {
        loading.value = false;
      }
    }
    onMounted(load);

    /* one dialog for a town or a village, new or changed */
    const editing = reactive({ open: false, what: "town", id: null, busy: false, error: "", fields: {}, form: {} });
    watch(() => ({ ...editing.form }), () => { editing.error = ""; editing.fields = {}; });
    function open(what, row = null) {
      const form = what === "town"
        ? { code: "", name_zh: "", name_en: "", kind: "town" }
        : { code: "", name_zh: "", name_en: "", kind: "village", town_id: townFilter.value || (towns.value[0] || {}).id };
      if (row) for (const key of Object.keys(form)) form[key] = row[key];
      Object.assign(editing, { open: true, what, id: row ? row.id : null, busy: false, form });
    }
    async function save() {
      const form = editing.form;
      const body = {};
      for (const [key, value] of Object.entries(form)) body[key] = typeof value === "string" ? value.trim() : value;
      if (!body.code || !body.name_zh || !body.name_en) {
        editing.error = t("places.required");
        return;
      }
      const base = editing.what === "town" ? "/towns" : "/communities";
      editing.busy = true;
      try {
        if (editing.id) await api.patch(`${base}/${editing.id}`, body); else await api.post(base, body);
        editing.open = false;
        ElMessage.success(t("places.saved"));
        await load();
      } catch (err) {
        const { fields, message } = refusal(err);
        editing.fields = fields;
        editing.error = message;
      } finally {
        editing.busy = false;
      }
    }
    const exportXlsx = () => exportList("/communities", { town_id: townFilter.value }, "villages.xlsx");
    return { admin, towns, villages, townFilter, shown, townName, loading, error, editing, open, save, t, localName,
      exportXlsx };
  },
  template: `
  <section class="places">
    <el-alert v-if="!admin" :title="t('places.readOnly')" type="info" show-icon :closable="false" class="page-error" />
    <el-alert v-if="error" :title="error" type="error" show-icon :closable="false" class="page-error" />
    <div class="places-grid" v-loading="loading">
      <div class="panel">
        <div class="toolbar"><h2 class="panel-h" style="font-size: 16px; margin: 0">{{ t('places.towns') }}</h2>
          <el-button v-if="admin" type="primary" @click="open('town')" data-test="town-new">{{ t('places.newTown') }}</el-button></div>
        <el-table :data="towns" stripe border :empty-text="t('places.empty')" data-table="towns">
          <el-table-column prop="code" :label="t('places.code')" width="110" />
          <el-table-column :label="t('places.nameZh')"><template #default="{ row }">{{ row.name_zh }}</template></el-table-column>
          <el-table-column prop="name_en" :label="t('places.nameEn')" />
          <el-table-column :label="t('places.kind')" width="80"><template #default="{ row }">{{ t('places.kind.' + row.kind) }}</template></el-table-column>
          <el-table-column v-if="admin" width="90"><template #default="{ row }">
            <el-button size="small" @click="open('town', row)" :data-edit-town="row.id">{{ t('places.edit') }}</el-button></template></el-table-column>
        </el-table>
      </div>
      <div class="panel" style="margin-top: 20px">
        <div class="toolbar"><h2 class="panel-h" style="font-size: 16px; margin: 0">{{ t('places.villages') }}</h2>
          <el-select v-model="townFilter" clearable :placeholder="t('places.allTowns')" :aria-label="t('places.town')" style="width: 160px">
            <el-option v-for="town in towns" :key="town.id" :value="town.id" :label="localName(town, 'name')" />
          </el-select>
          <el-button v-if="admin" type="primary" @click="open('village')" data-test="village-new">{{ t('places.newVillage') }}</el-button>
          <el-button @click="exportXlsx" data-test="export">{{ t('common.export') }}</el-button></div>
        <el-table :data="shown" stripe border :empty-text="t('places.empty')" data-table="villages">
          <el-table-column prop="code" :label="t('places.code')" width="110" />
          <el-table-column prop="name_zh" :label="t('places.nameZh')" />
          <el-table-column prop="name_en" :label="t('places.nameEn')" />
          <el-table-column :label="t('places.town')"><template #default="{ row }">{{ townName[row.town_id] }}</template></el-table-column>
          <el-table-column :label="t('places.kind')" width="80"><template #default="{ row }">{{ t('places.kind.' + row.kind) }}</template></el-table-column>
          <el-table-column v-if="admin" width="90"><template #default="{ row }">
            <el-button size="small" @click="open('village', row)" :data-edit-village="row.id">{{ t('places.edit') }}</el-button></template></el-table-column>
        </el-table>
      </div>
    </div>
    <el-dialog v-model="editing.open" width="520px"
               :title="t(editing.what === 'town' ? (editing.id ? 'places.editTown' : 'places.newTown') : (editing.id ? 'places.editVillage' : 'places.newVillage'))">
      <el-form label-width="130px" @submit.prevent="save">
        <el-form-item v-if="editing.what === 'village'" :label="t('places.town')" for="place-town" :error="editing.fields.town_id">
          <el-select id="place-town" v-model="editing.form.town_id">
            <el-option v-for="town in towns" :key="town.id" :value="town.id" :label="localName(town, 'name')" /></el-select></el-form-item>
        <el-form-item :label="t('places.code')" for="place-code" :error="editing.fields.code">
          <el-input id="place-code" v-model="editing.form.code" maxlength="32" :placeholder="t('places.codeHint')" data-test="place-code" /></el-form-item>
        <el-form-item :label="t('places.nameZh')" for="place-name-zh" :error="editing.fields.name_zh">
          <el-input id="place-name-zh" v-model="editing.form.name_zh" maxlength="100" data-test="place-name-zh" /></el-form-item>
        <el-form-item :label="t('places.nameEn')" for="place-name-en" :error="editing.fields.name_en">
          <el-input id="place-name-en" v-model="editing.form.name_en" maxlength="100" data-test="place-name-en" /></el-form-item>
        <el-form-item :label="t('places.kind')">
          <el-radio-group v-model="editing.form.kind" :aria-label="t('places.kind')">
            <template v-if="editing.what === 'town'">
              <el-radio value="town">{{ t('places.kind.town') }}</el-radio><el-radio value="street">{{ t('places.kind.street') }}</el-radio></template>
            <template v-else>
              <el-radio value="village">{{ t('places.kind.village') }}</el-radio><el-radio value="community">{{ t('places.kind.community') }}</el-radio></template>
          </el-radio-group></el-form-item>
      </el-form>
      <p v-if="editing.error" class="form-error" role="alert" data-test="place-error">{{ editing.error }}</p>
      <template #footer>
        <el-button @click="editing.open = false">{{ t('places.cancel') }}</el-button>
        <el-button type="primary" :loading="editing.busy" @click="save" data-test="place-save">{{ t('places.save') }}</el-button>
      </template>
    </el-dialog>
  </section>`,
};
