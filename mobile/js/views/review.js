/* The reviewer (社区书记): pending records of my communities with their photos; approve, or reject
 * with a reason. Never one's own: the API refuses (two-person rule) and the screen says so first. */
import { newIdempotencyKey } from "/webcommon/api.js";
import { localDateTime, prefs, t } from "../i18n.js";
import { api, flash, session } from "../session.js";
import { ErrorBox, message } from "../ui.js";
import { onBeforeUnmount, onMounted, reactive, ref, watch } from "../vue.js";

export const ReviewQueue = {
  components: { ErrorBox },
  setup() {
    const records = ref(null);
    const error = ref(null);
    const photos = reactive({}); //: evidence id → object URL
    const busy = ref(null);
    const rejecting = ref(null); //: the record being rejected
    const reason = ref("");
    const reasonError = ref("");
    const keys = {}; //: record id → Idempotency-Key of its approval (kept for a retry)

    async function load() {
      error.value = null;
      try {
        records.value = (await api.get("/records", { query: { status: "pending", per_page: 50 } })).items;
        for (const record of records.value) {
          for (const file of record.evidence) {
            if (file.content_type.startsWith("image/") && !photos[file.id]) {
              api.blobOf(`/evidence/${file.id}`).then((blob) => { photos[file.id] = URL.createObjectURL(blob); })
                .catch(() => {});
            }
          }
        }
      } catch (err) {
        error.value = err;
      }
    }

    const mine = (record) => session.me && record.logged_by_user_id === session.me.id;
    const title = (r) => (prefs.lang === "en" ? r.title_en || r.title_zh : r.title_zh);
    const signed = (n) => (n > 0 ? "+" + n : String(n));

    async function approve(record) {
      busy.value = record.id;
      error.value = null;
      keys[record.id] = keys[record.id] || newIdempotencyKey();
      try {
        await api.post(`/records/${record.id}/approve`, {}, { idempotencyKey: keys[record.id] });
        flash(t("review.approved"));
        records.value = records.value.filter((r) => r.id !== record.id);
      } catch (err) {
        error.value = err;
      } finally {
        busy.value = null;
      }
    }

    function askReason(record) {
      rejecting.value = record;
      reason.value = "";
      reasonError.value = "";
    }

    async function reject() {
      const record = rejecting.value;
      if (!reason.value.trim()) { reasonError.value = t("review.reason.missing"); return; }
      busy.value = record.id;
      try {
        await api.post(`/records/${record.id}/reject`, { reason: reason.value.trim() });
        rejecting.value = null;
        flash(t("review.rejected"));
        records.value = records.value.filter((r) => r.id !== record.id);
      } catch (err) {
        reasonError.value = message(err);
      } finally {
        busy.value = null;
      }
    }

    watch(reason, () => { reasonError.value = ""; });
    onMounted(load);
    onBeforeUnmount(() => Object.values(photos).forEach((url) => URL.revokeObjectURL(url)));
    return { t, records, error, photos, busy, rejecting, reason, reasonError, mine, title, signed, approve,
      askReason, reject, load, localDateTime };
  },
  template: `
  <section class="screen review">
    <h1>{{ t('review.title') }}</h1>
    <error-box :error="error"></error-box>
    <van-loading v-if="!records && !error" size="32">{{ t('common.loading') }}</van-loading>
    <van-empty v-if="records && !records.length" :description="t('review.none')"></van-empty>
    <article v-for="r in records || []" :key="r.id" class="review-card" :data-test="'record-' + r.id">
      <div class="record-main"><span class="record-title">{{ r.resident_name }} · {{ title(r) }}</span>
        <span class="record-points" :class="r.points >= 0 ? 'plus' : 'minus'">{{ signed(r.points) }}</span></div>
      <p class="record-sub">{{ t('review.when', { when: localDateTime(r.occurred_at) }) }}</p>
      <p v-if="r.note" class="review-note">{{ r.note }}</p>
      <div v-if="r.evidence.length" class="photos">
        <img v-for="f in r.evidence" :key="f.id" v-show="photos[f.id]" :src="photos[f.id]" :alt="t('review.photo')">
      </div>
      <p v-if="mine(r)" class="notice">{{ t('review.own') }}</p>
      <div v-else class="review-actions">
        <van-button type="primary" size="large" :loading="busy === r.id" @click="approve(r)" data-test="approve">{{ t('review.approve') }}</van-button>
        <van-button plain type="danger" size="large" @click="askReason(r)" data-test="reject">{{ t('review.reject') }}</van-button>
      </div>
    </article>
    <van-dialog :show="Boolean(rejecting)" :title="t('review.reject')" :aria-label="t('review.reject')" show-cancel-button :before-close="() => false"
      @confirm="reject" @cancel="rejecting = null" :confirm-button-text="t('review.reject')">
      <van-field v-model="reason" name="reason" type="textarea" rows="3" autosize :label="t('review.reason')"
        :placeholder="t('review.reason.ph')" :error-message="reasonError" label-align="top"></van-field>
    </van-dialog>
  </section>`,
};
