/**
 * The server-rendered pages: log in, sign up, and the 403 page. They are
 * plain HTML forms that work without JavaScript; every value is escaped by
 * hono/html. Styles come from /assets/styles.css (static assets).
 */

import { html } from "hono/html";

type Markup = ReturnType<typeof html>;

function layout(title: string, body: Markup): Markup {
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${title} · edge-auth</title>
    <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
    <link rel="stylesheet" href="/assets/styles.css" />
  </head>
  <body>
    <header class="topbar">
      <a class="brand" href="/">edge-auth</a>
    </header>
    <main class="card">${body}</main>
  </body>
</html>`;
}

/** An error or notice above a form, announced to screen readers. */
function notice(message: string | undefined, kind: "error" | "info"): Markup | string {
  if (!message) return "";
  const role = kind === "error" ? "alert" : "status";
  return html`<p class="notice ${kind}" role="${role}">${message}</p>`;
}

export interface FormState {
  email?: string;
  next: string;
  error?: string;
  info?: string;
}

export function loginPage(state: FormState): Markup {
  return layout(
    "Log in",
    html`<h1>Log in</h1>
      ${notice(state.error, "error")} ${notice(state.info, "info")}
      <form method="post" action="/login" novalidate>
        <input type="hidden" name="next" value="${state.next}" />
        <label for="email">Email</label>
        <input id="email" name="email" type="email" autocomplete="username" required
          value="${state.email ?? ""}" />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password"
          required />
        <button type="submit">Log in</button>
      </form>
      <p class="switch">New here? <a href="/signup?next=${encodeURIComponent(state.next)}">Create an account</a></p>`,
  );
}

export function signupPage(state: FormState): Markup {
  return layout(
    "Sign up",
    html`<h1>Create your account</h1>
      ${notice(state.error, "error")}
      <form method="post" action="/signup" novalidate>
        <input type="hidden" name="next" value="${state.next}" />
        <label for="email">Email</label>
        <input id="email" name="email" type="email" autocomplete="email" required
          value="${state.email ?? ""}" />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="new-password"
          minlength="8" maxlength="256" required aria-describedby="password-help" />
        <p id="password-help" class="help">At least 8 characters. A few unrelated words work well.</p>
        <button type="submit">Create account</button>
      </form>
      <p class="switch">Already have an account? <a href="/login?next=${encodeURIComponent(state.next)}">Log in</a></p>`,
  );
}

export function forbiddenPage(role: string): Markup {
  return layout(
    "Not allowed",
    html`<h1>You don't have access to this page</h1>
      <p>This area is for accounts with the <strong>${role}</strong> role. If you think you
        should have it, ask an administrator.</p>
      <p><a class="button" href="/app/">Back to your account</a></p>`,
  );
}

/** The page a browser sees for an error on a non-API path (404, a CSRF refusal, ...). */
export function errorPage(title: string): Markup {
  return layout(
    title,
    html`<h1>${title}</h1>
      <p><a class="button" href="/">Go to the start page</a></p>`,
  );
}
