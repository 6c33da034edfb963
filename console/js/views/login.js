/* Staff sign-in (POST /auth/login); a merchant or resident account is turned away. */
import { messageOf, prefs, t } from "../i18n.js";
import { acceptTokens, api, session, signOut } from "../session.js";
import { reactive, ref } from "../vue.js";

export const LoginView = {
  emits: ["signed-in", "switch-lang"],
  setup(_props, { emit }) {
    const form = reactive({ username: "", password: "" });
    const error = ref("");
    const busy = ref(false);

    async function submit() {
      error.value = "";
      if (!form.username.trim() || !form.password) {
        error.value = t("login.required");
        return;
      }
      busy.value = true;
      try {
        const tokens = await api.public.post("/auth/login", { username: form.username.trim(), password: form.password });
        await acceptTokens(tokens);
        if (session.me.kind !== "staff") {
          await signOut();
          error.value = t("login.notStaff");
          return;
        }
        form.password = "";
        emit("signed-in");
      } catch (err) {
        error.value = messageOf(err);
      } finally {
        busy.value = false;
      }
    }
    return { form, error, busy, submit, session, prefs, t };
  },
  template: `
  <main class="login-page">
    <el-card class="login-card" shadow="always">
      <div class="login-head">
        <span class="brand-mark big" aria-hidden="true">诚</span>
        <div><h1>{{ t('app.title') }}</h1><p>{{ t('login.hint') }}</p></div>
      </div>
      <h2>{{ t('login.title') }}</h2>
      <el-alert v-if="session.notice" :title="t(session.notice)" type="warning" :closable="false" show-icon
                class="login-notice" data-test="login-notice" />
      <el-form label-position="top" @submit.prevent="submit" size="large">
        <el-form-item :label="t('login.username')" for="login-username">
          <el-input id="login-username" v-model="form.username" autocomplete="username" name="username" />
        </el-form-item>
        <el-form-item :label="t('login.password')" for="login-password">
          <el-input id="login-password" v-model="form.password" type="password" show-password
                    autocomplete="current-password" name="password" />
        </el-form-item>
        <p v-if="error" class="form-error" role="alert" data-test="login-error">{{ error }}</p>
        <el-button type="primary" native-type="submit" :loading="busy" class="login-submit" data-test="login-submit">
          {{ t('login.submit') }}</el-button>
      </el-form>
      <el-button text class="login-lang" @click="$emit('switch-lang')"
                 :lang="prefs.lang === 'en' ? 'zh-CN' : 'en'">{{ t('lang.switch') }}</el-button>
    </el-card>
  </main>`,
};
