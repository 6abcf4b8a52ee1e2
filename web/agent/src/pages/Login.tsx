// Sign in with e-mail and password; the server sets the session cookie.
import { useState } from "preact/hooks";
import { api } from "../api";
import { t } from "../i18n";
import { meStore } from "../store";
import { Field, errorText } from "../ui/common";

export function LoginPage() {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      meStore.set(await api.login(email.trim(), password));
    } catch (err) {
      setError((err as { status?: number }).status === 401 ? t("login.bad") : errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <AuthFrame title={t("login.title")} subtitle={t("login.subtitle")}>
      <form onSubmit={submit} class="form" aria-describedby={error ? "login-error" : undefined}>
        <Field label={t("field.email")}>
          <input type="email" name="email" autoComplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </Field>
        <Field label={t("field.password")}>
          <input type="password" name="password" autoComplete="current-password" required value={password}
            onInput={(e) => setPassword(e.currentTarget.value)} />
        </Field>
        {error && <p class="form-error" id="login-error" role="alert">{error}</p>}
        <button type="submit" class="btn primary block" disabled={busy}>{busy ? t("login.busy") : t("login.submit")}</button>
      </form>
    </AuthFrame>
  );
}

export function AuthFrame({ title, subtitle, children }: { title: string; subtitle: string; children: preact.ComponentChildren }) {
  return (
    <div class="auth">
      <div class="auth-card">
        <div class="auth-brand">
          <span class="brand-mark" aria-hidden="true">P</span>
          <span>Parley</span>
        </div>
        <h1>{title}</h1>
        <p class="muted">{subtitle}</p>
        {children}
      </div>
    </div>
  );
}
