/* The community worker: find a resident of my communities by name, phone, or by scanning their card
 * or phone code; open the archive (the look-up is logged); hand over a new activation code. */
import { listenWedge, startCamera, tokenFromScan } from "/webcommon/scanner.js";
import { localDate, t } from "../i18n.js";
import { api, flash, go, route } from "../session.js";
import { ErrorBox, Stars, message } from "../ui.js";
import { nextTick, onBeforeUnmount, onMounted, ref, watch } from "../vue.js";

export const FindResident = {
  components: { ErrorBox },
  setup() {
    const q = ref(route.query.q || "");
    const found = ref(null);
    const error = ref(null);
    const busy = ref(false);
    const camera = ref(false);
    const video = ref(null);
    let stopCamera = null;
    let stopWedge = null;

    async function search() {
      if (!q.value.trim()) return;
      busy.value = true;
      error.value = null;
      try {
        found.value = (await api.get("/residents", { query: { q: q.value.trim(), per_page: 50 } })).items;
      } catch (err) {
        error.value = err;
      } finally {
        busy.value = false;
      }
    }

    /* a printed card or a phone code, from the camera or a USB scanner */
    async function open(text) {
      busy.value = true;
      error.value = null;
      try {
        const resident = await api.post("/cards/find-resident", { code: tokenFromScan(text) });
        go(`/w/resident/${resident.id}`);
      } catch (err) {
        error.value = err;
      } finally {
        busy.value = false;
      }
    }

    function closeCamera() {
      if (stopCamera) stopCamera();
      stopCamera = null;
      camera.value = false;
    }
    async function openCamera() {
      error.value = null;
      camera.value = true;
      await nextTick();
      try {
        stopCamera = await startCamera(video.value, (text) => { stopCamera = null; camera.value = false; open(text); });
      } catch (err) {
        camera.value = false;
        error.value = { detail: t("scan.camera.fail") };
      }
    }

    onMounted(() => {
      if (q.value) search();
      stopWedge = listenWedge((text) => open(text), { minLength: 20 });
    });
    onBeforeUnmount(() => { closeCamera(); if (stopWedge) stopWedge(); });
    return { t, q, found, error, busy, search, camera, video, openCamera, closeCamera };
  },
  template: `
  <section class="screen find-resident">
    <h1>{{ t('find.title') }}</h1>
    <van-form @submit="search">
      <van-cell-group inset>
        <van-field v-model="q" name="q" :label="t('find.q')" :placeholder="t('find.q')" autocomplete="off"></van-field>
      </van-cell-group>
      <div class="actions"><van-button block type="primary" size="large" native-type="submit" :loading="busy">{{ t('find.search') }}</van-button></div>
    </van-form>
    <div v-show="camera" class="camera"><video ref="video" playsinline muted aria-label="camera"></video><div class="camera-aim" aria-hidden="true"></div></div>
    <div class="actions">
      <van-button v-if="!camera" block plain type="primary" size="large" icon="scan" @click="openCamera" data-test="scan-resident">{{ t('find.scan') }}</van-button>
      <van-button v-else block size="large" @click="closeCamera">{{ t('scan.camera.stop') }}</van-button>
    </div>
    <error-box :error="error"></error-box>
    <van-empty v-if="found && !found.length" :description="t('find.none')"></van-empty>
    <van-cell-group v-if="found && found.length" inset>
      <van-cell v-for="r in found" :key="r.id" :title="r.name" :label="r.phone || ''" is-link
        @click="$router('/w/resident/' + r.id)"></van-cell>
    </van-cell-group>
  </section>`,
};

export const ResidentArchive = {
  components: { ErrorBox, Stars },
  props: { id: String },
  setup(props) {
    const resident = ref(null);
    const standing = ref(null);
    const error = ref(null);
    const issued = ref(null);
    const busy = ref(false);
    async function load() {
      error.value = null;
      try {
        resident.value = await api.get(`/residents/${props.id}`);
        standing.value = await api.get(`/residents/${props.id}/standing`);
      } catch (err) {
        error.value = err;
      }
    }
    async function issue() {
      try {
        await window.vant.showConfirmDialog({ message: t("resident.activation.confirm", { name: resident.value.name }) });
      } catch (cancelled) {
        return;
      }
      busy.value = true;
      error.value = null;
      try {
        issued.value = await api.post(`/residents/${props.id}/activation-code`);
      } catch (err) {
        error.value = err;
      } finally {
        busy.value = false;
      }
    }
    const pinOpen = ref(false);
    const pin = ref("");
    const pinError = ref("");
    async function setPin() {
      pinError.value = "";
      if (!/^\d{6}$/.test(pin.value)) { pinError.value = t("resident.pin.bad"); return; }
      try {
        await api.put(`/residents/${props.id}/pin`, { pin: pin.value });
        pinOpen.value = false;
        pin.value = "";
        flash(t("resident.pin.done"));
        resident.value = await api.get(`/residents/${props.id}`);
      } catch (err) {
        pinError.value = message(err);
      }
    }
    onMounted(load);
    watch(() => props.id, () => { issued.value = null; load(); });
    return { t, resident, standing, error, issued, busy, issue, localDate, pinOpen, pin, pinError, setPin };
  },
  template: `
  <section class="screen resident-archive">
    <h1>{{ t('resident.title') }}</h1>
    <error-box :error="error"></error-box>
    <template v-if="resident">
      <p class="notice">{{ t('resident.logged') }}</p>
      <van-cell-group inset>
        <van-cell :title="resident.name" :label="t('resident.born') + ' ' + resident.birth_year"></van-cell>
        <van-cell :title="t('resident.phone')" :value="resident.phone || '—'"></van-cell>
        <van-cell :title="t('resident.pin.state')" :value="resident.pin_locked_until ? t('resident.pin.locked') : resident.has_pin ? t('resident.pin.set') : t('resident.pin.none')" data-test="pin-state"></van-cell>
        <template v-if="standing">
          <van-cell :title="t('home.score')" :value="String(standing.score)"></van-cell>
          <van-cell :title="t('home.stars')"><template #value><stars :n="standing.stars"></stars></template></van-cell>
          <van-cell :title="t('home.points')" :value="String(standing.points ?? '—')"></van-cell>
        </template>
      </van-cell-group>
      <div v-if="issued" class="activation-code" role="status" data-test="activation-code">
        <h2>{{ t('resident.activation.title') }}</h2>
        <p class="big-code">{{ issued.code.slice(0, 4) }} {{ issued.code.slice(4) }}</p>
        <p>{{ t('resident.activation.until', { date: localDate(issued.expires_at) }) }}</p>
        <p class="hint">{{ t('resident.activation.text') }}</p>
      </div>
      <van-dialog :show="pinOpen" :title="t('resident.pin')" :aria-label="t('resident.pin')" show-cancel-button
        :before-close="() => false" @confirm="setPin" @cancel="pinOpen = false" :confirm-button-text="t('resident.pin.save')">
        <p class="dialog-text">{{ t('resident.pin.text') }}</p>
        <van-field v-model="pin" name="pin" type="password" inputmode="numeric" maxlength="6" autocomplete="off"
          :label="t('resident.pin.label')" :error-message="pinError"></van-field>
      </van-dialog>
      <div class="actions">
        <van-button block type="primary" size="large" icon="photograph" data-test="log-deed"
          @click="$router('/w/resident/' + resident.id + '/deed?c=' + resident.community_id + '&name=' + encodeURIComponent(resident.name))">{{ t('resident.deed') }}</van-button>
        <van-button block plain type="primary" size="large" :loading="busy" @click="issue" data-test="issue-activation">{{ t('resident.activation') }}</van-button>
        <van-button block plain type="primary" size="large" @click="pinOpen = true" data-test="reset-pin">{{ t('resident.pin') }}</van-button>
        <van-button block plain type="primary" size="large" icon="idcard" data-test="resident-card"
          @click="$router('/w/resident/' + resident.id + '/card?name=' + encodeURIComponent(resident.name))">{{ t('card.open') }}</van-button>
        <van-button block plain size="large" @click="$router('/w/find')">{{ t('common.back') }}</van-button>
      </div>
    </template>
  </section>`,
};
