/* The worker on site at a volunteer activity (opened from the activity list, views/organise.js):
 * scan people in and out with the phone camera or a keyboard-wedge scanner. Every scan answers
 * at once: green (checked in / out), amber (already, nothing changed) or red (refused, with the API's
 * own message), with a short tone. Someone who did not sign up joins as a walk-in when the switch is
 * on (the API enrols them if there is room). A repeated scan changes nothing on the server, so a
 * retry on a poor signal never doubles a check-in. */
import { listenWedge, startCamera, tokenFromScan } from "/webcommon/scanner.js";
import { localDateTime, prefs, t } from "../i18n.js";
import { api } from "../session.js";
import { ErrorBox, message } from "../ui.js";
import { nextTick, onBeforeUnmount, onMounted, ref } from "../vue.js";

/* Short tones: high for done, two middle ones for "already", low and longer for a refusal. */
let audio = null;
function beep(kind) {
  try {
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    const tones = { ok: [[880, 0, 0.12]], same: [[660, 0, 0.09], [660, 0.14, 0.09]], no: [[220, 0, 0.35]] }[kind];
    for (const [freq, at, length] of tones) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.type = kind === "no" ? "square" : "sine";
      osc.frequency.value = freq;
      gain.gain.value = 0.2;
      osc.connect(gain).connect(audio.destination);
      osc.start(audio.currentTime + at);
      osc.stop(audio.currentTime + at + length);
    }
  } catch (error) { /* no sound on this browser: the colours still say it */ }
}

const SAME_CODE_PAUSE_MS = 4000;

export const ActivityScanner = {
  components: { ErrorBox },
  props: { id: String },
  setup(props) {
    const activity = ref(null);
    const error = ref(null);
    const mode = ref("in");
    const walkIn = ref(true);
    const result = ref(null); // { tone: green|amber|red, text, name }
    const busy = ref(false);
    const camera = ref(false);
    const video = ref(null);
    const log = ref([]);
    let stopCamera = null;
    let stopWedge = null;
    let last = { code: "", mode: "", at: 0 };
    let restartTimer = null;

    async function load() {
      try {
        activity.value = await api.get(`/volunteering/activities/${props.id}`);
      } catch (err) {
        error.value = err;
      }
    }
    const title = () => (activity.value ? (prefs.lang === "en" ? activity.value.title_en : activity.value.title_zh) : "");

    async function scan(text) {
      const code = tokenFromScan(text);
      const now = Date.now();
      // the camera keeps seeing the same code: one answer per code and mode, not one per frame
      if (code === last.code && mode.value === last.mode && now - last.at < SAME_CODE_PAUSE_MS) return;
      last = { code, mode: mode.value, at: now };
      busy.value = true;
      const path = `/volunteering/activities/${props.id}/${mode.value === "in" ? "check-in" : "check-out"}`;
      const body = mode.value === "in" ? { code, walk_in: walkIn.value } : { code };
      try {
        const answer = await api.post(path, body);
        const fresh = answer.outcome === "checked_in" || answer.outcome === "checked_out";
        const part = answer.participation || {};
        result.value = {
          tone: fresh ? "green" : "amber",
          text: prefs.lang === "en" ? answer.message_en : answer.message_zh,
          name: part.resident_name || "",
          walkIn: answer.outcome === "checked_in" && part.source === "walk_in",
        };
        beep(fresh ? "ok" : "same");
        await load();
      } catch (err) {
        result.value = { tone: "red", text: message(err), name: "" };
        beep("no");
      } finally {
        busy.value = false;
        log.value = [{ ...result.value, mode: mode.value, at: new Date().toISOString() }, ...log.value].slice(0, 20);
      }
    }

    function closeCamera() {
      if (restartTimer) clearTimeout(restartTimer);
      restartTimer = null;
      if (stopCamera) stopCamera();
      stopCamera = null;
      camera.value = false;
    }
    async function runCamera() {
      restartTimer = null;
      if (!camera.value) return;
      try {
        const stop = await startCamera(video.value, async (text) => {
          stopCamera = null;
          if (!camera.value) return;
          await scan(text);
          // keep scanning: the next person is already in the queue
          if (camera.value) restartTimer = setTimeout(runCamera, 700);
        });
        // closed while the camera was starting: it must not go on reading out of sight
        if (camera.value) stopCamera = stop;
        else stop();
      } catch (err) {
        camera.value = false;
        error.value = { detail: t("act.camera.fail") };
      }
    }
    async function openCamera() {
      error.value = null;
      camera.value = true;
      await nextTick();
      runCamera();
    }
    function setMode(value) {
      mode.value = value;
      result.value = null;
    }

    onMounted(() => {
      load();
      stopWedge = listenWedge((text) => scan(text), { minLength: 8 });
    });
    onBeforeUnmount(() => { closeCamera(); if (stopWedge) stopWedge(); });
    return { t, activity, error, mode, walkIn, result, busy, camera, video, log, title, openCamera, closeCamera,
      setMode, localDateTime };
  },
  template: `
  <section class="screen scanner">
    <h1>{{ title() || t('act.scan') }}</h1>
    <p v-if="activity" class="hint">{{ localDateTime(activity.starts_at) }} – {{ localDateTime(activity.ends_at) }} · {{ activity.place }}</p>
    <div v-if="activity" class="counts" data-test="counts">
      <span><b>{{ activity.on_site_count }}</b> {{ t('act.onSite') }}</span>
      <span><b>{{ activity.confirmed_count }}</b> {{ t('act.confirmed') }}</span>
    </div>
    <div class="mode" role="group" :aria-label="t('act.mode')">
      <button type="button" :class="{ on: mode === 'in' }" :aria-pressed="mode === 'in' ? 'true' : 'false'"
        @click="setMode('in')" data-test="mode-in">{{ t('act.in') }}</button>
      <button type="button" :class="{ on: mode === 'out' }" :aria-pressed="mode === 'out' ? 'true' : 'false'"
        @click="setMode('out')" data-test="mode-out">{{ t('act.out') }}</button>
    </div>
    <van-cell-group v-if="mode === 'in'" inset>
      <van-cell center :title="t('act.walkIn')" :label="t('act.walkIn.hint')">
        <template #right-icon><van-switch v-model="walkIn" :aria-label="t('act.walkIn')" data-test="walk-in"></van-switch></template>
      </van-cell>
    </van-cell-group>
    <div v-if="result" :class="['scan-result', result.tone]" role="status" aria-live="assertive" :data-test="'result-' + result.tone">
      <p class="scan-text">{{ result.text }}</p>
      <p v-if="result.name" class="scan-name">{{ result.name }}<span v-if="result.walkIn"> · {{ t('act.walkedIn') }}</span></p>
    </div>
    <div v-show="camera" class="camera"><video ref="video" playsinline muted aria-label="camera"></video><div class="camera-aim" aria-hidden="true"></div></div>
    <div class="actions">
      <van-button v-if="!camera" block type="primary" size="large" icon="scan" @click="openCamera" data-test="open-camera">{{ t('act.camera') }}</van-button>
      <van-button v-else block size="large" @click="closeCamera" data-test="close-camera">{{ t('scan.camera.stop') }}</van-button>
    </div>
    <p class="hint wedge-hint">{{ t('act.wedge') }}</p>
    <div class="actions"><van-button block plain size="large" @click="$router('/w/activity/' + id + '/manage')" data-test="to-manage">{{ t('org.manage') }}</van-button></div>
    <error-box :error="error"></error-box>
    <van-cell-group v-if="log.length" inset :title="t('act.log')">
      <van-cell v-for="(entry, i) in log" :key="entry.at + i" :title="entry.text" :label="entry.name"
        :value="t(entry.mode === 'in' ? 'act.in' : 'act.out')" :class="'log-' + entry.tone"></van-cell>
    </van-cell-group>
  </section>`,
};
