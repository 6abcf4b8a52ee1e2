// The one-time setup page: the link printed at first start carries a token
// that lets its holder create the first administrator.
import { useState } from "preact/hooks";
import { api } from "../api";
import { t } from "../i18n";
import { navigate } from "../router";
import { meStore } from "../store";
import { Field, errorText } from "../ui/common";
import { AuthFrame } from "./Login";

export function SetupPage({ token }: { token: string }) {
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (password.length < 8) {
      setError(t("setup.short"));
      return;
    }
    setBusy(true);
    setError("");
    try {
      const me = await api.setup(token, email.trim(), name.trim(), password);
      meStore.set(me);
      navigate("/admin/channels", true);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  if (!token) {
    return (
      <AuthFrame title={t("setup.title")} subtitle={t("setup.noToken")}>
        <a class="btn block" href="/">{t("setup.toLogin")}</a>
      </AuthFrame>
    );
  }
  return (
    <AuthFrame title={t("setup.title")} subtitle={t("setup.subtitle")}>
      <form onSubmit={submit} class="form">
        <Field label={t("field.name")}>
          <input name="name" autoComplete="name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <Field label={t("field.email")}>
          <input type="email" name="email" autoComplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </Field>
        <Field label={t("field.password")} hint={t("setup.passwordHint")}>
          <input type="password" name="password" autoComplete="new-password" required minLength={8} value={password}
            onInput={(e) => setPassword(e.currentTarget.value)} />
        </Field>
        {error && <p class="form-error" role="alert">{error}</p>}
        <button type="submit" class="btn primary block" disabled={busy}>{t("setup.submit")}</button>
      </form>
    </AuthFrame>
  );
}
