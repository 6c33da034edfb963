/* The community worker logs a deed on the spot: a rule of the village catalogue picked by category,
 * the photo taken with the phone's camera, a note and the time. The cap and "photo required" are
 * shown before sending. The record waits for a reviewer.
 *
 * The photo is shrunk on the phone (longest side 1600 px, JPEG) so it goes through a weak signal;
 * the record is sent with an Idempotency-Key kept for a retry, and an uploaded photo is not sent twice. */
import { newIdempotencyKey } from "/webcommon/api.js";
import { shrinkPhoto } from "/webcommon/images.js";
import { prefs, t } from "../i18n.js";
import { api, flash, go, route } from "../session.js";
import { ErrorBox, fieldError } from "../ui.js";
import { computed, onMounted, reactive, ref, watch } from "../vue.js";

function localInputValue(date = new Date()) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export const LogDeed = {
  components: { ErrorBox },
  props: { id: String },
  setup(props) {
    const categories = ref([]);
    const items = ref([]);
    const category = ref("");
    const itemId = ref(null);
    const note = ref("");
    const when = ref(localInputValue());
    const photo = ref(null); //: the File as chosen
    const preview = ref("");
    const busy = ref(false);
    const error = ref(null);
    const local = ref("");
    const sent = reactive({ evidenceFor: null, evidenceId: null, key: null, body: "" });

    onMounted(async () => {
      try {
        const [cats, page] = await Promise.all([
          api.get("/catalogue/categories"),
          api.get("/catalogue/items", { query: { community_id: route.query.c, subject_type: "resident", active: true,
            per_page: 100 } }),
        ]);
        items.value = page.items.filter((item) => item.active && !item.variable_points);
        categories.value = cats.filter((c) => items.value.some((item) => item.category === c.code));
        category.value = categories.value.length ? categories.value[0].code : "";
      } catch (err) {
        error.value = err;
      }
    });

    const shown = computed(() => items.value.filter((item) => item.category === category.value));
    const chosen = computed(() => items.value.find((item) => item.id === itemId.value) || null);
    const name = (x) => (prefs.lang === "en" ? x.title_en || x.name_en : x.title_zh || x.name_zh);
    const capText = (item) => (item.cap_count ? t("deed.cap", { n: item.cap_count, period: t("period." + item.cap_period) }) : "");
    watch(category, () => { itemId.value = null; });

    function choosePhoto(event) {
      const file = event.target.files && event.target.files[0];
      if (preview.value) URL.revokeObjectURL(preview.value);
      photo.value = file || null;
      preview.value = file && file.type.startsWith("image/") ? URL.createObjectURL(file) : "";
      sent.evidenceFor = null;
    }

    async function submit() {
      error.value = null;
      local.value = "";
      if (!chosen.value) { local.value = t("deed.pick"); return; }
      if (chosen.value.evidence_required && !photo.value) { local.value = t("deed.photo.needed"); return; }
      const occurred = new Date(when.value);
      if (Number.isNaN(occurred.getTime())) { local.value = t("deed.when.bad"); return; }
      busy.value = true;
      try {
        const evidenceIds = [];
        if (photo.value) {
          if (sent.evidenceFor !== photo.value) {
            const form = new FormData();
            const file = await shrinkPhoto(photo.value);
            form.append("file", file, file.name || "photo.jpg");
            sent.evidenceId = (await api.upload("/evidence", form)).id;
            sent.evidenceFor = photo.value;
          }
          evidenceIds.push(sent.evidenceId);
        }
        const body = { resident_id: Number(props.id), item_id: chosen.value.id,
          occurred_at: occurred.toISOString().replace(/\.\d{3}Z$/, "Z"), note: note.value.trim() || null,
          evidence_ids: evidenceIds };
        const fingerprint = JSON.stringify(body);
        if (sent.body !== fingerprint) { sent.body = fingerprint; sent.key = newIdempotencyKey(); }
        await api.post("/records", body, { idempotencyKey: sent.key });
        flash(t("deed.done"));
        go(`/w/resident/${props.id}`, { replace: true });
      } catch (err) {
        error.value = err;
      } finally {
        busy.value = false;
      }
    }
    return { t, categories, category, shown, itemId, chosen, note, when, photo, preview, busy, error, local, name,
      capText, choosePhoto, submit, fieldError, residentName: route.query.name || "" };
  },
  template: `
  <section class="screen log-deed">
    <h1>{{ t('deed.title') }}<span v-if="residentName"> · {{ residentName }}</span></h1>
    <error-box v-if="!categories.length" :error="error"></error-box>
    <van-form v-if="categories.length" @submit="submit">
      <h2 id="deed-category">{{ t('deed.category') }}</h2>
      <div class="chips" role="group" aria-labelledby="deed-category">
        <button v-for="c in categories" :key="c.code" type="button" class="chip" :aria-pressed="category === c.code ? 'true' : 'false'"
          @click="category = c.code">{{ name(c) }}</button>
      </div>
      <h2 id="deed-item">{{ t('deed.item') }}</h2>
      <van-radio-group v-model="itemId" aria-labelledby="deed-item">
        <van-cell-group inset>
          <van-cell v-for="item in shown" :key="item.id" :data-test="'item-' + item.code">
            <van-radio :name="item.id" label-position="left" class="item-radio">
              <span class="item-title">{{ name(item) }}</span>
              <span class="item-facts"><span :class="item.points >= 0 ? 'plus' : 'minus'">{{ item.points > 0 ? '+' : '' }}{{ item.points }}</span>
                <span v-if="item.cap_count">{{ capText(item) }}</span>
                <van-tag v-if="item.evidence_required" type="warning" size="large">{{ t('deed.photo.required') }}</van-tag></span>
            </van-radio>
          </van-cell>
        </van-cell-group>
      </van-radio-group>
      <h2>{{ t('deed.photo') }}</h2>
      <div class="photo-pick">
        <label class="photo-button">
          <input type="file" accept="image/*" capture="environment" name="photo" @change="choosePhoto" class="visually-hidden">
          <span>{{ photo ? t('deed.photo.again') : t('deed.photo.take') }}</span>
        </label>
        <img v-if="preview" :src="preview" :alt="t('review.photo')" class="photo-preview">
        <p v-else-if="photo" class="hint">{{ photo.name }}</p>
      </div>
      <van-cell-group inset>
        <van-field v-model="note" name="note" type="textarea" rows="2" autosize maxlength="500" :label="t('deed.note')"
          :placeholder="t('deed.note.ph')" :error-message="fieldError(error, 'note')"></van-field>
        <van-field v-model="when" name="occurred_at" type="datetime-local" :label="t('deed.when')"
          :error-message="fieldError(error, 'occurred_at')"></van-field>
      </van-cell-group>
      <div v-if="local" class="error-box" role="alert">{{ local }}</div>
      <error-box :error="error"></error-box>
      <div class="actions">
        <van-button block type="primary" size="large" native-type="submit" :loading="busy" data-test="send-deed">{{ t('deed.send') }}</van-button>
        <van-button block plain size="large" @click="$router('/w/resident/' + id)">{{ t('common.back') }}</van-button>
      </div>
    </van-form>
  </section>`,
};
