/* The community worker runs a volunteer activity from the phone, start to end:
 *   the list of my activities, each with its state and the one thing to do next;
 *   a new activity (a draft: title, village, place, start and end, points per hour, places);
 *   one activity: publish, start, the on-site scanner, walk-ins by card number, fixing forgotten
 *   check-outs (the times and a reason, kept in the audit log), close, settle, and what settling credited.
 *
 * Times are typed and shown in the district's local time (UTC+8), sent as UTC. Each step (create, publish,
 * start, close, settle) keeps its Idempotency-Key until it answers: a retry after a lost answer gets the
 * first answer again instead of a second draft or a "wrong state" refusal. */
import { newIdempotencyKey } from "/webcommon/api.js";
import { addTexts, localDateTime, prefs, t } from "../i18n.js";
import { api, flash, go, session } from "../session.js";
import { ErrorBox, message } from "../ui.js";
import { computed, onMounted, reactive, ref } from "../vue.js";

addTexts({
  "zh-CN": {
    "org.title": "志愿活动",
    "org.intro": "每个活动显示当前状态和下一步要做的事。",
    "org.new": "新建活动",
    "org.manage": "人员、时间与结算",
    "org.none": "还没有活动",
    "org.status.draft": "草稿",
    "org.status.open": "报名中",
    "org.status.running": "进行中",
    "org.status.closed": "已结束，待结算",
    "org.status.settled": "已结算",
    "org.status.cancelled": "已取消",
    "org.next.publish": "发布报名",
    "org.next.scan": "现场签到",
    "org.next.settle": "核对时间并结算",
    "org.next.result": "查看结算结果",
    "org.next.wait": "签到于 {when} 开放",
    "org.published": "已发布，本村居民现在可以报名。",
    "org.confirm.publish": "发布“{title}”？发布后居民可以报名，面向的村不能再改。",
    "org.counts": "已报名 {confirmed} / {capacity} 人 · 候补 {waiting} · 在现场 {onSite}",
    "new.title": "新建志愿活动",
    "new.community": "面向的村（社区）",
    "new.item": "计分项目",
    "new.title_zh": "活动名称",
    "new.title_zh.ph": "如：清扫村口广场",
    "new.title_en": "英文名称（可不填）",
    "new.place": "地点",
    "new.place.ph": "如：村口广场",
    "new.starts": "开始时间",
    "new.ends": "结束时间",
    "new.hours": "共 {hours} 小时",
    "new.points": "每小时积分",
    "new.capacity": "名额（人）",
    "new.save": "保存为草稿",
    "new.bad.title": "请填写活动名称。",
    "new.bad.place": "请填写地点。",
    "new.bad.times": "请填写开始和结束时间，结束须晚于开始。",
    "new.bad.points": "每小时积分须为 1 到 1000 的整数。",
    "new.bad.capacity": "名额须为 1 到 10000 的整数。",
    "new.bad.item": "请选择计分项目。",
    "new.noItem": "本村的评价目录里没有按时长计分的志愿服务项目，请联系信用中心。",
    "new.done": "活动已保存为草稿，发布后居民才能报名。",
    "man.state": "状态",
    "man.when": "时间",
    "man.place": "地点",
    "man.rate": "每小时 {n} 积分",
    "man.publish": "发布报名",
    "man.start": "开始活动",
    "man.started": "活动已开始。",
    "man.scan": "扫码签到 / 签退",
    "man.close": "结束活动",
    "man.confirm.close": "结束活动？仍在现场的 {n} 人将按现在的时间签退，并标记为“忘记签退”，结算前可以修改。",
    "man.closed": "活动已结束。请核对签退时间，然后结算。",
    "man.settle": "结算：把服务时长计为信用记录",
    "man.confirm.settle": "结算后按时长生成信用记录，交审核人审核，之后不能再改时间。确定结算？",
    "man.settled": "结算完成。",
    "man.people": "参加的人",
    "man.nobody": "还没有人报名",
    "man.in": "签到 {when}",
    "man.out": "签退 {when}",
    "man.notIn": "未签到",
    "man.onSite": "在现场",
    "man.forgotten": "忘记签退",
    "man.corrected": "时间已更正",
    "man.walkIn": "现场加入",
    "man.waiting": "候补第 {n} 位",
    "man.withdrawn": "已退出",
    "man.fix": "修改时间",
    "man.fix.title": "修改{name}的签到时间",
    "man.fix.in": "签到时间",
    "man.fix.out": "签退时间",
    "man.fix.reason": "原因",
    "man.fix.reason.ph": "如：忘记扫码签退，实际 11:30 离开",
    "man.fix.reason.empty": "请写明修改原因（会记入审计日志）。",
    "man.fix.bad": "请填写时间。",
    "man.fix.save": "保存",
    "man.fix.done": "时间已更正。",
    "man.walkin": "现场加入（未报名的人）",
    "man.walkin.card": "卡号",
    "man.walkin.card.ph": "如 R0000001-1",
    "man.walkin.add": "加入",
    "man.walkin.done": "{name} 已现场加入，请扫码签到。",
    "man.result": "结算结果",
    "man.result.sum": "{people} 人 · 共 {hours} 小时 · 共 {points} 积分（待审核）",
    "man.result.line": "{hours} 小时 · {points} 积分",
    "man.result.none": "未计分",
  },
  en: {
    "org.title": "Volunteer activities",
    "org.intro": "Each activity shows its state and what to do next.",
    "org.new": "New activity",
    "org.manage": "People, times and settling",
    "org.none": "No activities yet",
    "org.status.draft": "Draft",
    "org.status.open": "Sign-up open",
    "org.status.running": "Running",
    "org.status.closed": "Ended, to settle",
    "org.status.settled": "Settled",
    "org.status.cancelled": "Cancelled",
    "org.next.publish": "Publish for sign-up",
    "org.next.scan": "Check people in",
    "org.next.settle": "Check times and settle",
    "org.next.result": "See what was credited",
    "org.next.wait": "Check-in opens {when}",
    "org.published": "Published: residents can sign up now.",
    "org.confirm.publish": "Publish \"{title}\"? Residents can then sign up; its villages are then fixed.",
    "org.counts": "{confirmed} / {capacity} signed up · {waiting} waiting · {onSite} on site",
    "new.title": "New volunteer activity",
    "new.community": "For the village",
    "new.item": "Catalogue item",
    "new.title_zh": "Title (Chinese)",
    "new.title_zh.ph": "e.g. 清扫村口广场",
    "new.title_en": "Title in English (optional)",
    "new.place": "Place",
    "new.place.ph": "e.g. the village square",
    "new.starts": "Starts",
    "new.ends": "Ends",
    "new.hours": "{hours} hours",
    "new.points": "Points per hour",
    "new.capacity": "Places",
    "new.save": "Save as a draft",
    "new.bad.title": "Give the activity a title.",
    "new.bad.place": "Give the place.",
    "new.bad.times": "Give the start and the end; the end comes after the start.",
    "new.bad.points": "Points per hour: a whole number from 1 to 1000.",
    "new.bad.capacity": "Places: a whole number from 1 to 10000.",
    "new.bad.item": "Pick a catalogue item.",
    "new.noItem": "The village catalogue has no volunteering item scored by hours; ask the credit centre.",
    "new.done": "Saved as a draft; residents can sign up once it is published.",
    "man.state": "State",
    "man.when": "When",
    "man.place": "Place",
    "man.rate": "{n} points per hour",
    "man.publish": "Publish for sign-up",
    "man.start": "Start the activity",
    "man.started": "The activity has started.",
    "man.scan": "Scan people in and out",
    "man.close": "End the activity",
    "man.confirm.close": "End the activity? The {n} people still on site are checked out now and flagged \"forgot to check out\"; you can fix that before settling.",
    "man.closed": "The activity has ended. Check the check-out times, then settle.",
    "man.settle": "Settle: turn the hours into credit records",
    "man.confirm.settle": "Settling turns the hours into credit records for review; times can no longer change. Settle now?",
    "man.settled": "Settled.",
    "man.people": "People",
    "man.nobody": "Nobody has signed up yet",
    "man.in": "in {when}",
    "man.out": "out {when}",
    "man.notIn": "not checked in",
    "man.onSite": "on site",
    "man.forgotten": "forgot to check out",
    "man.corrected": "times corrected",
    "man.walkIn": "walk-in",
    "man.waiting": "waiting, no. {n}",
    "man.withdrawn": "withdrawn",
    "man.fix": "Fix times",
    "man.fix.title": "Fix {name}'s times",
    "man.fix.in": "Checked in",
    "man.fix.out": "Checked out",
    "man.fix.reason": "Reason",
    "man.fix.reason.ph": "e.g. forgot to scan out, left at 11:30",
    "man.fix.reason.empty": "Say why (it goes to the audit log).",
    "man.fix.bad": "Give the times.",
    "man.fix.save": "Save",
    "man.fix.done": "Times corrected.",
    "man.walkin": "Add a walk-in (did not sign up)",
    "man.walkin.card": "Card number",
    "man.walkin.card.ph": "e.g. R0000001-1",
    "man.walkin.add": "Add",
    "man.walkin.done": "{name} joined as a walk-in; scan them in.",
    "man.result": "What settling credited",
    "man.result.sum": "{people} people · {hours} hours · {points} points (awaiting review)",
    "man.result.line": "{hours} h · {points} points",
    "man.result.none": "nothing credited",
  },
});

const OFFSET_MS = 8 * 3600 * 1000; //: the district's local time is UTC+8
const CHECK_IN_EARLY_MS = 3600 * 1000; //: check-in opens an hour before the start

/* ISO UTC → "YYYY-MM-DDTHH:MM" in district time, for <input type="datetime-local">. */
function toInput(iso) {
  if (!iso) return "";
  return new Date(new Date(iso).getTime() + OFFSET_MS).toISOString().slice(0, 16);
}

/* "YYYY-MM-DDTHH:MM" in district time → ISO UTC ("…Z"), or null. */
function fromInput(value) {
  const found = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value || "");
  if (!found) return null;
  const [, y, mo, d, h, mi] = found.map(Number);
  return new Date(Date.UTC(y, mo - 1, d, h, mi) - OFFSET_MS).toISOString().replace(/\.\d{3}Z$/, "Z");
}

const hoursOf = (minutes) => String(Math.round((minutes / 60) * 100) / 100);
const titleOf = (a) => (a ? (prefs.lang === "en" ? a.title_en : a.title_zh) : "");
const checkInOpens = (a) => new Date(new Date(a.starts_at).getTime() - CHECK_IN_EARLY_MS);

/* What the worker does next with an activity: [action, label] (action null: nothing to press yet). */
function nextStep(a, now = new Date()) {
  if (a.status === "draft") return ["publish", t("org.next.publish")];
  if (a.status === "open" && now < checkInOpens(a)) {
    return [null, t("org.next.wait", { when: localDateTime(checkInOpens(a).toISOString()) })];
  }
  if (a.status === "open" || a.status === "running") return ["scan", t("org.next.scan")];
  if (a.status === "closed") return ["manage", t("org.next.settle")];
  if (a.status === "settled") return ["manage", t("org.next.result")];
  return [null, ""];
}

async function confirmed(text) {
  try {
    await window.vant.showConfirmDialog({ message: text });
    return true;
  } catch (cancelled) {
    return false;
  }
}

export const ActivityBoard = {
  components: { ErrorBox },
  setup() {
    const items = ref(null);
    const error = ref(null);
    const busy = ref(0);
    const keys = {}; //: one Idempotency-Key per activity's publish until it answers
    async function load() {
      error.value = null;
      try {
        const [current, settled] = await Promise.all([
          api.get("/volunteering/activities", { query: { status: "draft,open,running,closed", per_page: 50 } }),
          api.get("/volunteering/activities", { query: { status: "settled", per_page: 100 } }),
        ]);
        // what still needs doing, soonest first; then the five settled last
        items.value = [...current.items, ...settled.items.slice(-5).reverse()];
      } catch (err) {
        error.value = err;
      }
    }
    async function act(a) {
      const [action] = nextStep(a);
      if (action === "scan") return go(`/w/activity/${a.id}`);
      if (action === "manage") return go(`/w/activity/${a.id}/manage`);
      if (action !== "publish" || !(await confirmed(t("org.confirm.publish", { title: titleOf(a) })))) return;
      busy.value = a.id;
      error.value = null;
      try {
        keys[a.id] = keys[a.id] || newIdempotencyKey();
        await api.post(`/volunteering/activities/${a.id}/open`, {}, { idempotencyKey: keys[a.id] });
        delete keys[a.id];
        flash(t("org.published"));
        await load();
      } catch (err) {
        error.value = err;
      } finally {
        busy.value = 0;
      }
    }
    onMounted(load);
    return { t, items, error, busy, act, nextStep, titleOf, localDateTime };
  },
  template: `
  <section class="screen activity-board">
    <h1>{{ t('org.title') }}</h1>
    <p class="intro">{{ t('org.intro') }}</p>
    <div class="actions"><van-button block type="primary" size="large" icon="plus" @click="$router('/w/activities/new')" data-test="new-activity">{{ t('org.new') }}</van-button></div>
    <error-box :error="error"></error-box>
    <p v-if="!items && !error" class="hint">{{ t('common.loading') }}</p>
    <van-empty v-if="items && !items.length" :description="t('org.none')"></van-empty>
    <div v-for="a in items || []" :key="a.id" class="activity-row" :data-test="'row-' + a.id">
      <van-cell :title="titleOf(a)" is-link :data-test="'activity-' + a.id" @click="$router('/w/activity/' + a.id + '/manage')"
        :label="localDateTime(a.starts_at) + ' – ' + localDateTime(a.ends_at) + ' · ' + a.place"></van-cell>
      <div class="activity-next">
        <span :class="['state', 'state-' + a.status]" :data-test="'state-' + a.id">{{ t('org.status.' + a.status) }}</span>
        <van-button v-if="nextStep(a)[0]" size="normal" :type="nextStep(a)[0] === 'manage' && a.status === 'settled' ? 'default' : 'primary'"
          :loading="busy === a.id" @click="act(a)" :data-test="'next-' + a.id">{{ nextStep(a)[1] }}</van-button>
        <span v-else class="hint">{{ nextStep(a)[1] }}</span>
      </div>
    </div>
  </section>`,
};

export const NewActivity = {
  components: { ErrorBox },
  setup() {
    const communities = ref(null);
    const items = ref([]);
    const error = ref(null);
    const local = ref("");
    const busy = ref(false);
    const sent = { key: null, body: "" }; //: a retried save of the same form sends the same key
    const start = new Date(Date.now() + 24 * 3600 * 1000);
    start.setUTCMinutes(0, 0, 0);
    const form = reactive({
      community_id: null, item_id: null, title_zh: "", title_en: "", place: "",
      starts: toInput(start.toISOString()), ends: toInput(new Date(start.getTime() + 2 * 3600 * 1000).toISOString()),
      points_per_hour: "5", capacity: "20",
    });
    const hours = computed(() => {
      const s = fromInput(form.starts);
      const e = fromInput(form.ends);
      return s && e && e > s ? hoursOf((new Date(e) - new Date(s)) / 60000) : "";
    });
    const name = (c) => (prefs.lang === "en" ? c.name_en : c.name_zh);
    const itemTitle = (i) => (prefs.lang === "en" ? i.title_en : i.title_zh);

    async function loadItems() {
      items.value = [];
      form.item_id = null;
      if (!form.community_id) return;
      try {
        const page = await api.get("/catalogue/items", { query: { community_id: form.community_id, subject_type: "resident",
          active: true, per_page: 100 } });
        items.value = page.items.filter((i) => i.active && i.category === "volunteering" && i.variable_points);
        form.item_id = items.value.length ? items.value[0].id : null;
      } catch (err) {
        error.value = err;
      }
    }
    onMounted(async () => {
      try {
        // a worker's own villages (a handful); a district admin picks from the district's
        const mine = ((session.me && session.me.roles) || {}).worker;
        communities.value = mine ? await Promise.all(mine.map((id) => api.get(`/communities/${id}`)))
          : (await api.get("/communities", { query: { per_page: 100 } })).items;
        form.community_id = communities.value.length ? communities.value[0].id : null;
        await loadItems();
      } catch (err) {
        error.value = err;
      }
    });
    function pickCommunity(id) { form.community_id = id; loadItems(); }

    async function save() {
      error.value = null;
      local.value = "";
      const startsAt = fromInput(form.starts);
      const endsAt = fromInput(form.ends);
      const points = Number(form.points_per_hour);
      const capacity = Number(form.capacity);
      const problem = !form.title_zh.trim() ? "new.bad.title" : !form.place.trim() ? "new.bad.place"
        : !startsAt || !endsAt || endsAt <= startsAt ? "new.bad.times"
          : !(Number.isInteger(points) && points >= 1 && points <= 1000) ? "new.bad.points"
            : !(Number.isInteger(capacity) && capacity >= 1 && capacity <= 10000) ? "new.bad.capacity"
              : !form.item_id ? "new.bad.item" : null;
      if (problem) { local.value = t(problem); return; }
      busy.value = true;
      try {
        const body = {
          community_ids: [form.community_id], item_id: form.item_id, title_zh: form.title_zh.trim(),
          title_en: form.title_en.trim() || form.title_zh.trim(), place: form.place.trim(), starts_at: startsAt,
          ends_at: endsAt, points_per_hour: points, capacity,
        };
        if (sent.body !== JSON.stringify(body)) { sent.body = JSON.stringify(body); sent.key = newIdempotencyKey(); }
        const created = await api.post("/volunteering/activities", body, { idempotencyKey: sent.key });
        flash(t("new.done"));
        go(`/w/activity/${created.id}/manage`, { replace: true });
      } catch (err) {
        error.value = err;
      } finally {
        busy.value = false;
      }
    }
    return { t, communities, items, form, hours, error, local, busy, name, itemTitle, pickCommunity, save };
  },
  template: `
  <section class="screen new-activity">
    <h1>{{ t('new.title') }}</h1>
    <van-form v-if="communities" @submit="save">
      <template v-if="communities.length > 1">
        <h2 id="new-community">{{ t('new.community') }}</h2>
        <div class="chips" role="group" aria-labelledby="new-community">
          <button v-for="c in communities" :key="c.id" type="button" class="chip" :aria-pressed="form.community_id === c.id ? 'true' : 'false'"
            @click="pickCommunity(c.id)">{{ name(c) }}</button>
        </div>
      </template>
      <van-cell-group v-else-if="communities.length" inset>
        <van-cell :title="t('new.community')" :value="name(communities[0])"></van-cell>
      </van-cell-group>
      <van-cell-group inset>
        <van-field v-model="form.title_zh" name="title_zh" :label="t('new.title_zh')" :placeholder="t('new.title_zh.ph')" maxlength="100" autocomplete="off"></van-field>
        <van-field v-model="form.title_en" name="title_en" :label="t('new.title_en')" maxlength="100" autocomplete="off"></van-field>
        <van-field v-model="form.place" name="place" :label="t('new.place')" :placeholder="t('new.place.ph')" maxlength="200" autocomplete="off"></van-field>
        <van-field v-model="form.starts" name="starts" type="datetime-local" :label="t('new.starts')"></van-field>
        <van-field v-model="form.ends" name="ends" type="datetime-local" :label="t('new.ends')"></van-field>
        <van-cell v-if="hours" :title="t('new.hours', { hours })" data-test="hours"></van-cell>
        <van-field v-model="form.points_per_hour" name="points_per_hour" type="digit" inputmode="numeric" :label="t('new.points')"></van-field>
        <van-field v-model="form.capacity" name="capacity" type="digit" inputmode="numeric" :label="t('new.capacity')"></van-field>
      </van-cell-group>
      <template v-if="items.length > 1">
        <h2 id="new-item">{{ t('new.item') }}</h2>
        <van-radio-group v-model="form.item_id" aria-labelledby="new-item">
          <van-cell-group inset>
            <van-cell v-for="i in items" :key="i.id"><van-radio :name="i.id" label-position="left" class="item-radio">{{ itemTitle(i) }}</van-radio></van-cell>
          </van-cell-group>
        </van-radio-group>
      </template>
      <van-cell-group v-else-if="items.length" inset>
        <van-cell :title="t('new.item')" :label="itemTitle(items[0])"></van-cell>
      </van-cell-group>
      <p v-else-if="form.community_id" class="notice">{{ t('new.noItem') }}</p>
      <div v-if="local" class="error-box" role="alert" data-test="local-error">{{ local }}</div>
      <error-box :error="error"></error-box>
      <div class="actions">
        <van-button block type="primary" size="large" native-type="submit" :loading="busy" data-test="save-activity">{{ t('new.save') }}</van-button>
        <van-button block plain size="large" @click="$router('/w/activities')">{{ t('common.back') }}</van-button>
      </div>
    </van-form>
    <error-box v-else :error="error"></error-box>
  </section>`,
};

export const ActivityManage = {
  components: { ErrorBox },
  props: { id: String },
  setup(props) {
    const activity = ref(null);
    const people = ref([]);
    const error = ref(null);
    const busy = ref("");
    const card = ref("");
    const fix = reactive({ open: false, part: null, checkedIn: "", checkedOut: "", reason: "", problem: "" });
    const keys = {}; //: one Idempotency-Key per step (publish, start, close, settle) until it answers
    const base = `/volunteering/activities/${props.id}`;

    async function load() {
      try {
        const [found, page] = await Promise.all([api.get(base), api.get(`${base}/participants`, { query: { per_page: 100 } })]);
        activity.value = found;
        people.value = page.items;
      } catch (err) {
        error.value = err;
      }
    }
    onMounted(load);

    const canStart = computed(() => activity.value && activity.value.status === "open"
      && new Date() >= checkInOpens(activity.value));
    //: an open activity may be closed once its start has passed (before that the API says to cancel it)
    const begun = computed(() => activity.value && new Date() >= new Date(activity.value.starts_at));
    const canFix = computed(() => activity.value && ["running", "closed"].includes(activity.value.status));
    const attendees = computed(() => people.value.filter((p) => p.checked_in_at));
    const onSiteCount = computed(() => attendees.value.filter((p) => !p.checked_out_at).length);
    const result = computed(() => {
      const settled = people.value.filter((p) => p.settled_at);
      return {
        people: settled.filter((p) => p.points > 0).length,
        hours: hoursOf(settled.reduce((sum, p) => sum + (p.credited_minutes || 0), 0)),
        points: settled.reduce((sum, p) => sum + (p.points || 0), 0),
      };
    });

    async function run(name, path, body, { confirmText, done } = {}) {
      if (confirmText && !(await confirmed(confirmText))) return false;
      busy.value = name;
      error.value = null;
      keys[name] = keys[name] || newIdempotencyKey(); // a retry after a lost answer replays, never repeats
      try {
        await api.post(`${base}/${path}`, body, { idempotencyKey: keys[name] });
        delete keys[name];
        if (done) flash(done);
        await load();
        return true;
      } catch (err) {
        error.value = err;
        return false;
      } finally {
        busy.value = "";
      }
    }
    const publish = () => run("open", "open", {}, { confirmText: t("org.confirm.publish", { title: titleOf(activity.value) }),
      done: t("org.published") });
    const start = () => run("start", "start", {}, { done: t("man.started") });
    const close = () => run("close", "close", {}, { confirmText: t("man.confirm.close", { n: onSiteCount.value }),
      done: t("man.closed") });
    const settle = () => run("settle", "settle", {}, { confirmText: t("man.confirm.settle"), done: t("man.settled") });

    async function addWalkIn() {
      const number = card.value.trim().toUpperCase();
      if (!number) return;
      busy.value = "walkin";
      error.value = null;
      try {
        // a second add of the same person is refused by the server, never doubled
        const part = await api.post(`${base}/walk-ins`, { card_number: number });
        flash(t("man.walkin.done", { name: part.resident_name }));
        card.value = "";
        await load();
      } catch (err) {
        error.value = err;
      } finally {
        busy.value = "";
      }
    }

    function openFix(part) {
      Object.assign(fix, { open: true, part, checkedIn: toInput(part.checked_in_at), checkedOut: toInput(part.checked_out_at),
        reason: "", problem: "" });
    }
    async function saveFix() {
      fix.problem = "";
      const body = { checked_in_at: fromInput(fix.checkedIn), reason: fix.reason.trim() };
      const out = fromInput(fix.checkedOut);
      if (!body.checked_in_at || (fix.checkedOut && !out)) { fix.problem = t("man.fix.bad"); return; }
      if (out) body.checked_out_at = out;
      if (!body.reason) { fix.problem = t("man.fix.reason.empty"); return; }
      try {
        // the same times sent twice leave the same times: a retry is safe
        await api.patch(`${base}/participants/${fix.part.id}/times`, body);
        fix.open = false;
        flash(t("man.fix.done"));
        await load();
      } catch (err) {
        fix.problem = message(err);
      }
    }

    /* short tags after a name: [text, warn] */
    function flags(p) {
      const out = [];
      if (p.status === "waiting") out.push([t("man.waiting", { n: p.waiting_position }), false]);
      if (p.status === "withdrawn") out.push([t("man.withdrawn"), false]);
      if (p.source === "walk_in") out.push([t("man.walkIn"), false]);
      if (p.checked_in_at && !p.checked_out_at) out.push([t("man.onSite"), false]);
      if (p.checkout_forgotten && !p.time_corrected) out.push([t("man.forgotten"), true]);
      if (p.time_corrected) out.push([t("man.corrected"), false]);
      return out;
    }
    function times(p) {
      if (!p.checked_in_at) return t("man.notIn");
      const parts = [t("man.in", { when: localDateTime(p.checked_in_at) })];
      if (p.checked_out_at) parts.push(t("man.out", { when: localDateTime(p.checked_out_at) }));
      return parts.join(" · ");
    }
    const credited = (p) => (p.points > 0 ? t("man.result.line", { hours: hoursOf(p.credited_minutes), points: p.points })
      : t("man.result.none"));

    return { t, activity, people, error, busy, card, fix, canStart, begun, canFix, attendees, result, publish, start, close,
      settle, addWalkIn, openFix, saveFix, flags, times, credited, titleOf, localDateTime };
  },
  template: `
  <section class="screen activity-manage">
    <h1>{{ titleOf(activity) || t('org.title') }}</h1>
    <error-box :error="error"></error-box>
    <template v-if="activity">
      <van-cell-group inset>
        <van-cell :title="t('man.state')" :value="t('org.status.' + activity.status)" data-test="state"></van-cell>
        <van-cell :title="t('man.when')" :label="localDateTime(activity.starts_at) + ' – ' + localDateTime(activity.ends_at)"></van-cell>
        <van-cell :title="t('man.place')" :label="activity.place + ' · ' + t('man.rate', { n: activity.points_per_hour })"></van-cell>
        <van-cell :title="t('org.counts', { confirmed: activity.confirmed_count, capacity: activity.capacity,
          waiting: activity.waiting_count, onSite: activity.on_site_count })" data-test="man-counts"></van-cell>
      </van-cell-group>
      <div class="actions">
        <van-button v-if="activity.status === 'draft'" block type="primary" size="large" :loading="busy === 'open'" @click="publish" data-test="publish">{{ t('man.publish') }}</van-button>
        <van-button v-if="canStart" block type="primary" size="large" :loading="busy === 'start'" @click="start" data-test="start">{{ t('man.start') }}</van-button>
        <van-button v-if="activity.status === 'open' || activity.status === 'running'" block :type="activity.status === 'running' ? 'primary' : 'default'"
          size="large" icon="scan" @click="$router('/w/activity/' + activity.id)" data-test="to-scanner">{{ t('man.scan') }}</van-button>
        <van-button v-if="activity.status === 'running' || (activity.status === 'open' && begun)" block plain type="danger" size="large"
          :loading="busy === 'close'" @click="close" data-test="close">{{ t('man.close') }}</van-button>
        <van-button v-if="activity.status === 'closed'" block type="primary" size="large" :loading="busy === 'settle'" @click="settle" data-test="settle">{{ t('man.settle') }}</van-button>
      </div>
      <div v-if="activity.status === 'settled'" class="scan-result green settle-result" role="status" data-test="settle-result">
        <p class="scan-text">{{ t('man.result') }}</p>
        <p>{{ t('man.result.sum', result) }}</p>
      </div>
      <van-form v-if="activity.status === 'open' || activity.status === 'running'" @submit="addWalkIn">
        <van-cell-group inset :title="t('man.walkin')">
          <van-field v-model="card" name="card_number" :label="t('man.walkin.card')" :placeholder="t('man.walkin.card.ph')" autocomplete="off" maxlength="20"></van-field>
        </van-cell-group>
        <div class="actions"><van-button block plain type="primary" size="large" native-type="submit" :loading="busy === 'walkin'" data-test="add-walk-in">{{ t('man.walkin.add') }}</van-button></div>
      </van-form>
      <van-cell-group inset :title="t('man.people')">
        <van-cell v-if="!people.length" :title="t('man.nobody')"></van-cell>
        <div v-for="p in people" :key="p.id" class="person" :data-test="'person-' + p.resident_id">
          <van-cell :title="p.resident_name" :label="times(p)" :value="activity.status === 'settled' && p.checked_in_at ? credited(p) : ''"></van-cell>
          <p v-if="flags(p).length" class="person-flags">
            <span v-for="f in flags(p)" :key="f[0]" :class="['flag', f[1] ? 'flag-warn' : '']" :data-test="f[1] ? 'forgotten' : null">{{ f[0] }}</span>
          </p>
          <div v-if="canFix && p.checked_in_at" class="person-fix">
            <van-button size="normal" plain type="primary" @click="openFix(p)" :data-test="'fix-' + p.resident_id">{{ t('man.fix') }}</van-button>
          </div>
        </div>
      </van-cell-group>
      <div class="actions"><van-button block plain size="large" @click="$router('/w/activities')">{{ t('common.back') }}</van-button></div>
      <van-dialog :show="fix.open" :title="fix.part ? t('man.fix.title', { name: fix.part.resident_name }) : ''" :aria-label="t('man.fix')"
        show-cancel-button :before-close="() => false" @confirm="saveFix" @cancel="fix.open = false" :confirm-button-text="t('man.fix.save')">
        <van-field v-model="fix.checkedIn" name="checked_in_at" type="datetime-local" :label="t('man.fix.in')"></van-field>
        <van-field v-model="fix.checkedOut" name="checked_out_at" type="datetime-local" :label="t('man.fix.out')"></van-field>
        <van-field v-model="fix.reason" @update:model-value="fix.problem = ''" name="reason" :label="t('man.fix.reason')" :placeholder="t('man.fix.reason.ph')" maxlength="500" autocomplete="off"></van-field>
        <div v-if="fix.problem" class="error-box" role="alert" data-test="fix-error">{{ fix.problem }}</div>
      </van-dialog>
    </template>
  </section>`,
};
