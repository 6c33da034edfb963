/* The supermarkets page's two forms: open or change a supermarket (district admins), and add or change
 * an item with its photo chosen from a file (the shop's workers too). The photo goes up after the item
 * is saved, through the same client call the phone app uses for evidence (`api.upload`), made small in
 * the browser first (`shrinkPhoto`); the server checks it by its content. When the photo is refused the
 * item is already saved: the form stays open on that item, so trying again changes it, never adds a second. */
import { shrinkPhoto } from "/webcommon/images.js";
import { addTexts, localName, t } from "../i18n.js";
import { formErrors } from "../forms.js";
import { api } from "../session.js";
import { ElMessage, onBeforeUnmount, reactive, ref, watch } from "../vue.js";

addTexts({
  "zh-CN": {
    "shop.new": "新建超市", "shop.edit": "编辑超市", "shop.nameZh": "中文名称", "shop.nameEn": "英文名称",
    "shop.village": "所在村社区", "shop.served": "服务的其他村社区", "shop.servedHelp": "这些村社区的居民也可以在这里兑换",
    "shop.address": "地址", "shop.open": "营业中", "shop.created": "超市已建立", "shop.saved": "超市已保存",
    "shop.newItem": "新增物品", "shop.editItem": "编辑物品", "shop.edit.short": "编辑", "shop.lowAt": "低库存提醒",
    "shop.lowAtHelp": "库存不多于此数时提醒", "shop.limited": "限兑", "shop.limitQuantity": "限兑数量", "shop.limitPeriod": "限兑周期",
    "shop.choosePhoto": "选择照片", "shop.photoHelp": "JPEG、PNG 或 WebP，从电脑或手机中选择", "shop.noPhoto": "还没有照片", "shop.unreadable": "无法显示：不像是图片",
    "shop.photoOf": "{name}的照片", "shop.photoChosen": "已选择：{name}", "shop.itemCreated": "物品已添加",
    "shop.itemSaved": "物品已保存", "shop.photoFailed": "物品已保存，但照片没有上传：",
  },
  en: {
    "shop.new": "New supermarket", "shop.edit": "Edit supermarket", "shop.nameZh": "Name (Chinese)", "shop.nameEn": "Name (English)",
    "shop.village": "Village", "shop.served": "Also serves", "shop.servedHelp": "Residents of these villages may redeem here too",
    "shop.address": "Address", "shop.open": "Open", "shop.created": "Supermarket opened", "shop.saved": "Supermarket saved",
    "shop.newItem": "New item", "shop.editItem": "Edit item", "shop.edit.short": "Edit", "shop.lowAt": "Low-stock mark",
    "shop.lowAtHelp": "Warn when stock is at or below this", "shop.limited": "Limit", "shop.limitQuantity": "Limit quantity", "shop.limitPeriod": "Limit period",
    "shop.choosePhoto": "Choose a photo", "shop.photoHelp": "JPEG, PNG or WebP, from the computer or a phone", "shop.noPhoto": "No photo yet", "shop.unreadable": "Cannot show it: not a picture?",
    "shop.photoOf": "Photo of {name}", "shop.photoChosen": "Chosen: {name}", "shop.itemCreated": "Item added",
    "shop.itemSaved": "Item saved", "shop.photoFailed": "The item is saved, but its photo was not uploaded: ",
  },
});

export const CATEGORIES = ["grain_oil", "food", "daily", "cleaning", "textiles", "stationery", "other"];
export const PERIODS = ["day", "week", "month", "quarter", "year"];

/* A supermarket opened or changed; `onSaved(shop)` after the API took it. */
export function useShopForm(onSaved) {
  const villages = ref([]);
  const shop = reactive({ open: false, busy: false, id: null,
    form: { name_zh: "", name_en: "", community_id: null, served_community_ids: [], address: "", active: true } });
  const errors = formErrors();
  watch(() => ({ ...shop.form }), () => errors.clear()); // what the API refused is for the form as it was sent

  async function loadVillages() {
    if (villages.value.length) return;
    try { villages.value = (await api.get("/communities", { query: { per_page: 100 } })).items; } catch (err) { /* the select stays empty */ }
  }
  function openShop(row = null) {
    errors.clear();
    loadVillages();
    Object.assign(shop, { open: true, busy: false, id: row ? row.id : null, form: row
      ? { name_zh: row.name_zh, name_en: row.name_en, community_id: row.community_id, address: row.address || "", active: row.active,
        served_community_ids: (row.served_community_ids || []).filter((id) => id !== row.community_id) }
      : { name_zh: "", name_en: "", community_id: null, served_community_ids: [], address: "", active: true } });
  }
  async function saveShop() {
    errors.clear();
    const form = shop.form;
    const body = { name_zh: form.name_zh.trim(), name_en: form.name_en.trim(), address: form.address.trim() || null,
      served_community_ids: form.served_community_ids.filter((id) => id !== form.community_id) };
    shop.busy = true;
    try {
      const saved = shop.id
        ? await api.patch(`/supermarkets/${shop.id}`, { ...body, active: form.active })
        : await api.post("/supermarkets", { ...body, community_id: form.community_id });
      ElMessage.success(t(shop.id ? "shop.saved" : "shop.created"));
      shop.open = false;
      await onSaved(saved);
    } catch (err) {
      errors.show(err);
    } finally {
      shop.busy = false;
    }
  }
  return { villages, shop, shopErrors: errors, openShop, saveShop };
}

function blankItem() {
  return { name_zh: "", name_en: "", category: "grain_oil", price_points: 10, low_stock_at: 5, limited: false,
    limit_quantity: 1, limit_period: "month", active: true };
}

/* An item added or changed, its photo from a file; `shopId()` is the shop on screen, `onSaved()` reloads its list. */
export function useItemForm(shopId, onSaved) {
  const item = reactive({ open: false, busy: false, id: null, name: "", photo: null, file: null, preview: "",
    unreadable: false, form: blankItem() });
  const errors = formErrors();
  watch(() => ({ ...item.form }), () => errors.clear()); // what the API refused is for the form as it was sent
  const fileInput = ref(null);

  function setPreview(url) {
    if (item.preview && item.preview.startsWith("blob:")) URL.revokeObjectURL(item.preview);
    item.preview = url;
    item.unreadable = false;
  }
  function openItem(row = null) {
    errors.clear();
    if (fileInput.value) fileInput.value.value = "";
    Object.assign(item, { open: true, busy: false, id: row ? row.id : null, name: row ? localName(row, "name") : "",
      photo: row ? row.photo : null, file: null, form: row ? {
        name_zh: row.name_zh, name_en: row.name_en, category: row.category, price_points: row.price_points,
        low_stock_at: row.low_stock_at, limited: Boolean(row.limit_quantity), limit_quantity: row.limit_quantity || 1,
        limit_period: row.limit_period || "month", active: row.active } : blankItem() });
    setPreview(row && row.photo && row.photo.startsWith("/") ? row.photo : "");
  }
  function choosePhoto(event) {
    const file = event.target.files && event.target.files[0];
    if (errors.fields.file) errors.clear();
    item.file = file || null;
    setPreview(file ? URL.createObjectURL(file) : (item.photo && item.photo.startsWith("/") ? item.photo : ""));
  }
  async function saveItem() {
    errors.clear();
    const form = item.form;
    const body = { name_zh: form.name_zh.trim(), name_en: form.name_en.trim(), category: form.category,
      price_points: form.price_points, low_stock_at: form.low_stock_at, active: form.active,
      limit_quantity: form.limited ? form.limit_quantity : null, limit_period: form.limited ? form.limit_period : null };
    const base = `/supermarkets/${shopId()}/items`;
    const created = !item.id;
    item.busy = true;
    let saved = null;
    try {
      saved = item.id ? await api.patch(`${base}/${item.id}`, body) : await api.post(base, body);
      Object.assign(item, { id: saved.id, name: localName(saved, "name"), photo: saved.photo });
      if (item.file) {
        const photo = await shrinkPhoto(item.file);
        const upload = new FormData();
        upload.append("file", photo, photo.name || "photo.jpg");
        saved = await api.upload(`${base}/${saved.id}/photo`, upload);
        item.file = null;
        item.photo = saved.photo;
      }
      ElMessage.success(t(created ? "shop.itemCreated" : "shop.itemSaved"));
      item.open = false;
      await onSaved(saved);
    } catch (err) {
      errors.show(err);
      if (saved) {
        // the item is saved, only its photo was refused: say so, and show the refusal at the photo
        errors.message = t("shop.photoFailed") + errors.message;
        if (!errors.fields.file) errors.fields = { ...errors.fields, file: errors.message };
        await onSaved(saved, { keepOpen: true });
      }
    } finally {
      item.busy = false;
    }
  }
  onBeforeUnmount(() => setPreview(""));
  return { item, itemErrors: errors, fileInput, openItem, choosePhoto, saveItem };
}

export const SHOP_DIALOG = `
    <el-dialog v-model="shop.open" :title="t(shop.id ? 'shop.edit' : 'shop.new')" width="620px">
      <el-form label-width="150px" @submit.prevent="saveShop">
        <el-form-item :label="t('shop.nameZh')" for="shop-name-zh" :error="shopErrors.fields.name_zh">
          <el-input id="shop-name-zh" v-model="shop.form.name_zh" maxlength="100" data-test="shop-name-zh" /></el-form-item>
        <el-form-item :label="t('shop.nameEn')" for="shop-name-en" :error="shopErrors.fields.name_en">
          <el-input id="shop-name-en" v-model="shop.form.name_en" maxlength="100" data-test="shop-name-en" /></el-form-item>
        <el-form-item :label="t('shop.village')" for="shop-village" :error="shopErrors.fields.community_id">
          <el-select id="shop-village" v-model="shop.form.community_id" :placeholder="t('shop.village')" :disabled="Boolean(shop.id)"
            filterable data-test="shop-village">
            <el-option v-for="v in villages" :key="v.id" :value="v.id" :label="localName(v, 'name')" /></el-select></el-form-item>
        <el-form-item :label="t('shop.served')" for="shop-served" :error="shopErrors.fields.served_community_ids">
          <el-select id="shop-served" v-model="shop.form.served_community_ids" multiple filterable :placeholder="t('shop.servedHelp')"
            style="width: 100%" data-test="shop-served">
            <el-option v-for="v in villages.filter((v) => v.id !== shop.form.community_id)" :key="v.id" :value="v.id" :label="localName(v, 'name')" /></el-select></el-form-item>
        <el-form-item :label="t('shop.address')" for="shop-address" :error="shopErrors.fields.address">
          <el-input id="shop-address" v-model="shop.form.address" maxlength="200" /></el-form-item>
        <el-form-item v-if="shop.id" :label="t('shop.open')" :error="shopErrors.fields.active">
          <el-switch v-model="shop.form.active" :aria-label="t('shop.open')" data-test="shop-active" /></el-form-item>
      </el-form>
      <p v-if="shopErrors.message" class="form-error" role="alert" data-test="shop-error">{{ shopErrors.message }}</p>
      <template #footer>
        <el-button @click="shop.open = false">{{ t('common.cancel') }}</el-button>
        <el-button type="primary" :loading="shop.busy" @click="saveShop" data-test="shop-save">{{ t('common.save') }}</el-button>
      </template>
    </el-dialog>`;

export const ITEM_DIALOG = `
    <el-dialog v-model="item.open" :title="item.id ? t('shop.editItem') + ' · ' + item.name : t('shop.newItem')" width="680px">
      <el-form label-width="150px" @submit.prevent="saveItem">
        <el-form-item :label="t('shop.photo')" :error="itemErrors.fields.file">
          <div class="photo-pick">
            <img v-if="item.preview && !item.unreadable" :src="item.preview" :alt="t('shop.photoOf', { name: item.form.name_zh || item.name })"
              class="photo-preview" @error="item.unreadable = true" data-test="item-preview" />
            <div v-else class="photo-preview photo-none" data-test="item-no-preview">{{ t(item.unreadable ? 'shop.unreadable' : 'shop.noPhoto') }}</div>
            <div>
              <input id="item-photo" ref="fileInput" type="file" accept="image/jpeg,image/png,image/webp" class="photo-input"
                @change="choosePhoto" data-test="item-photo" />
              <label for="item-photo" class="el-button photo-button">{{ t('shop.choosePhoto') }}</label>
              <p class="field-help photo-help">{{ item.file ? t('shop.photoChosen', { name: item.file.name }) : t('shop.photoHelp') }}</p>
            </div>
          </div></el-form-item>
        <el-form-item :label="t('shop.nameZh')" for="item-name-zh" :error="itemErrors.fields.name_zh">
          <el-input id="item-name-zh" v-model="item.form.name_zh" maxlength="100" data-test="item-name-zh" /></el-form-item>
        <el-form-item :label="t('shop.nameEn')" for="item-name-en" :error="itemErrors.fields.name_en">
          <el-input id="item-name-en" v-model="item.form.name_en" maxlength="100" data-test="item-name-en" /></el-form-item>
        <el-form-item :label="t('shop.category')" for="item-category" :error="itemErrors.fields.category">
          <el-select id="item-category" v-model="item.form.category" data-test="item-category">
            <el-option v-for="c in CATEGORIES" :key="c" :value="c" :label="t('shop.cat.' + c)" /></el-select></el-form-item>
        <el-form-item :label="t('shop.price')" for="item-price" :error="itemErrors.fields.price_points">
          <el-input-number id="item-price" v-model="item.form.price_points" :min="1" :max="1000000" data-test="item-price" /></el-form-item>
        <el-form-item :label="t('shop.lowAt')" for="item-low" :error="itemErrors.fields.low_stock_at">
          <el-input-number id="item-low" v-model="item.form.low_stock_at" :min="0" :max="100000" data-test="item-low" />
          <span class="field-help">{{ t('shop.lowAtHelp') }}</span></el-form-item>
        <el-form-item :label="t('shop.limited')" :error="itemErrors.fields.limit_quantity || itemErrors.fields.limit_period">
          <el-switch v-model="item.form.limited" :aria-label="t('shop.limited')" data-test="item-limited" />
          <template v-if="item.form.limited">
            <el-input-number v-model="item.form.limit_quantity" :min="1" :max="1000" :aria-label="t('shop.limitQuantity')" class="limit-quantity" data-test="item-limit" />
            <el-select v-model="item.form.limit_period" :aria-label="t('shop.limitPeriod')" class="limit-period" data-test="item-period">
              <el-option v-for="p in PERIODS" :key="p" :value="p" :label="t('shop.per', { n: item.form.limit_quantity, period: t('shop.period.' + p) })" /></el-select>
          </template>
          <span v-else class="field-help">{{ t('shop.noLimit') }}</span></el-form-item>
        <el-form-item :label="t('shop.offered')" :error="itemErrors.fields.active">
          <el-switch v-model="item.form.active" :aria-label="t('shop.offered')" data-test="item-active" /></el-form-item>
      </el-form>
      <p v-if="itemErrors.message" class="form-error" role="alert" data-test="item-error">{{ itemErrors.message }}</p>
      <template #footer>
        <el-button @click="item.open = false">{{ t('common.cancel') }}</el-button>
        <el-button type="primary" :loading="item.busy" @click="saveItem" data-test="item-save">{{ t('common.save') }}</el-button>
      </template>
    </el-dialog>`;
