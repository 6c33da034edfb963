/* Getting in: sign-in for residents (phone) and staff or merchants (account), and the resident's
 * activation with a worker's one-time code (also the forgotten-password path). */
import { prefs, t } from "../i18n.js";
import { acceptTokens, api, flash, go, homePath, route, session } from "../session.js";
import { ErrorBox, fieldError } from "../ui.js";
import { reactive, ref } from "../vue.js";

function nextPath() {
  const next = route.query.next;
  return next && next.startsWith("/") ? next : null;
}

export const Login = {
  components: { ErrorBox },
  setup() {
    const tab = ref(route.query.as === "staff" ? "staff" : "resident");
    const form = reactive({ phone: "", username: "", password: "" });
    const busy = ref(false);
    const error = ref(null);

    async function submit() {
      busy.value = true;
      error.value = null;
      try {
        const tokens = tab.value === "resident"
          ? await api.public.post("/auth/resident-login", { phone: form.phone.trim(), password: form.password })
          : await api.public.post("/auth/login", { username: form.username.trim(), password: form.password });
        await acceptTokens(tokens);
        go(nextPath() || homePath(), { replace: true });
      } catch (err) {
        error.value = err;
      } finally {
        busy.value = false;
      }
    }
    // a villager sent here from a shop's rating link activates and still lands on the rating
    const activatePath = () => (nextPath() ? "/activate?next=" + encodeURIComponent(nextPath()) : "/activate");
    return { t, prefs, tab, form, busy, error, submit, session, fieldError, activatePath };
  },
  template: `
  <section class="screen login">
    <div class="brand"><img src="/m/img/icon.svg" alt="" width="64" height="64"><h1>{{ t('login.title') }}</h1></div>
    <p v-if="session.notice" class="notice" role="status">{{ t(session.notice) }}</p>
    <div class="segmented" role="group" :aria-label="t('login.title')">
      <button type="button" :aria-pressed="tab === 'resident' ? 'true' : 'false'" @click="tab = 'resident'"
        data-test="as-resident">{{ t('login.resident') }}</button>
      <button type="button" :aria-pressed="tab === 'staff' ? 'true' : 'false'" @click="tab = 'staff'"
        data-test="as-staff">{{ t('login.staff') }}</button>
    </div>
    <van-form @submit="submit">
      <van-cell-group inset>
        <van-field v-if="tab === 'resident'" v-model="form.phone" name="phone" type="tel" inputmode="numeric"
          autocomplete="username" :label="t('login.phone')" :placeholder="t('login.phone.ph')"
          :error-message="fieldError(error, 'phone')" required></van-field>
        <van-field v-else v-model="form.username" name="username" autocomplete="username"
          :label="t('login.username')" :placeholder="t('login.username.ph')"
          :error-message="fieldError(error, 'username')" required></van-field>
        <van-field v-model="form.password" name="password" type="password" autocomplete="current-password"
          :label="t('login.password')" :placeholder="t('login.password.ph')" required></van-field>
      </van-cell-group>
      <error-box :error="error"></error-box>
      <div class="actions">
        <van-button block type="primary" native-type="submit" size="large" :loading="busy">{{ t('login.submit') }}</van-button>
      </div>
    </van-form>
    <div v-if="tab === 'resident'" class="actions">
      <van-button block plain type="primary" size="large" @click="$router(activatePath())">{{ t('login.activate') }}</van-button>
    </div>
  </section>`,
};

export const Activate = {
  components: { ErrorBox },
  setup() {
    const form = reactive({ phone: "", code: "", last4: "", password: "", password2: "" });
    const busy = ref(false);
    const error = ref(null);
    const local = ref("");

    async function submit() {
      error.value = null;
      local.value = "";
      if (!/^\d{8}$/.test(form.code.trim())) { local.value = t("activate.badcode"); return; }
      if (form.password.length < 8) { local.value = t("activate.short"); return; }
      if (form.password !== form.password2) { local.value = t("activate.mismatch"); return; }
      busy.value = true;
      try {
        const body = { phone: form.phone.trim(), code: form.code.trim(), password: form.password };
        if (form.last4.trim()) body.id_last4 = form.last4.trim().toUpperCase();
        const tokens = await api.public.post("/auth/resident-activate", body);
        await acceptTokens(tokens);
        flash(t("activate.done"));
        go(nextPath() && nextPath().startsWith("/r/") ? nextPath() : "/r/home", { replace: true });
      } catch (err) {
        error.value = err;
      } finally {
        busy.value = false;
      }
    }
    const loginPath = () => (nextPath() ? "/login?next=" + encodeURIComponent(nextPath()) : "/login");
    return { t, form, busy, error, local, submit, fieldError, loginPath };
  },
  template: `
  <section class="screen activate">
    <h1>{{ t('activate.title') }}</h1>
    <p class="intro">{{ t('activate.intro') }}</p>
    <van-form @submit="submit">
      <van-cell-group inset>
        <van-field v-model="form.phone" name="phone" type="tel" inputmode="numeric" autocomplete="username"
          :label="t('login.phone')" :placeholder="t('login.phone.ph')" :error-message="fieldError(error, 'phone')"
          required></van-field>
        <van-field v-model="form.code" name="code" inputmode="numeric" maxlength="8" autocomplete="one-time-code"
          :label="t('activate.code')" :placeholder="t('activate.code.ph')" :error-message="fieldError(error, 'code')"
          required></van-field>
        <van-field v-model="form.last4" name="id_last4" maxlength="4" :label="t('activate.last4')"
          :placeholder="t('activate.last4.ph')" :error-message="fieldError(error, 'id_last4')"></van-field>
        <van-field v-model="form.password" name="password" type="password" autocomplete="new-password"
          :label="t('activate.password')" :placeholder="t('activate.password.ph')"
          :error-message="fieldError(error, 'password')" required></van-field>
        <van-field v-model="form.password2" name="password2" type="password" autocomplete="new-password"
          :label="t('activate.password2')" :placeholder="t('activate.password2.ph')" required></van-field>
      </van-cell-group>
      <div v-if="local" class="error-box" role="alert">{{ local }}</div>
      <error-box :error="error"></error-box>
      <div class="actions">
        <van-button block type="primary" native-type="submit" size="large" :loading="busy">{{ t('activate.submit') }}</van-button>
        <van-button block plain size="large" @click="$router(loginPath())">{{ t('common.back') }}</van-button>
      </div>
    </van-form>
  </section>`,
};
