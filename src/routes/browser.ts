/**
 * Browser onboarding: the login and signup pages, their form posts, logout,
 * and `/session` for the account page's script. Tokens live in cookies (see
 * src/web/cookies.ts); every state-changing request is CSRF-checked.
 */

import { type Context, Hono } from "hono";
import { logoutEverywhere } from "../account";
import { login, signup } from "../accounts";
import { AppError } from "../errors";
import type { AppEnv } from "../http/app-env";
import { readForm } from "../http/form-body";
import { admitCredentials } from "../http/rate-limit";
import { logout } from "../refresh-flow";
import { currentUser } from "../web/browser-session";
import { clearTokenCookies, readTokenCookies, setTokenCookies } from "../web/cookies";
import { sameSiteOnly } from "../web/csrf";
import { safeNext } from "../web/next-path";
import { type FormState, loginPage, signupPage } from "../web/pages";
import { sendPage } from "../web/render";

export const browserRoutes = new Hono<AppEnv>();

/** What a person reads when a form is refused, by error code. */
const MESSAGES: Record<string, string> = {
  invalid_credentials: "That email and password don't match an account.",
  invalid_email: "Enter a valid email address, like name@example.com.",
  password_too_short: "Choose a password of at least 8 characters.",
  password_too_long: "Choose a password of at most 256 characters.",
  email_taken: "An account with this email already exists. Log in instead?",
  invalid_request: "Fill in both your email and your password.",
  rate_limited: "Too many attempts. Wait a minute and try again.",
};

type Flow = typeof login;
type Page = (state: FormState) => ReturnType<typeof loginPage>;

/** Runs login or signup from a form post: cookies and a redirect, or the page with an error. */
async function submitCredentials(c: Context<AppEnv>, flow: Flow, page: Page, action: string) {
  const form = await readForm(c.req.raw);
  const next = safeNext(form.get("next"));
  const email = form.get("email");
  const password = form.get("password");
  const service = c.get("service");

  try {
    if (!email || !password) throw new AppError(400, "invalid_request", "Missing fields.");
    const pair = await flow(service, {
      email,
      password,
      userAgent: c.req.header("User-Agent") ?? null,
      admitted: admitCredentials(service.limiters, action, c.req.raw, email),
    });
    setTokenCookies(c, service.config, pair);
    return c.redirect(next, 303);
  } catch (error) {
    if (!(error instanceof AppError) || error.status >= 500) throw error;
    const message = MESSAGES[error.code] ?? error.title;
    if (error.headers["Retry-After"]) c.header("Retry-After", error.headers["Retry-After"]);
    return sendPage(c, page({ email, next, error: message }), error.status as 400);
  }
}

browserRoutes.get("/login", async (c) => {
  const next = safeNext(c.req.query("next"));
  // Already signed in (say, a sibling tab refreshed the session): go on.
  if (await currentUser(c)) return c.redirect(next, 303);
  // Sent here by the static-site gate (a `next`) or by logout: say why.
  const query = c.req.query();
  const info =
    query.logged_out !== undefined
      ? "You have been logged out."
      : query.next !== undefined
        ? "Log in to continue."
        : undefined;
  return sendPage(c, loginPage({ next, info }));
});

browserRoutes.post("/login", sameSiteOnly(), (c) =>
  submitCredentials(c, login, loginPage, "login"),
);

browserRoutes.get("/signup", (c) =>
  sendPage(c, signupPage({ next: safeNext(c.req.query("next")) })),
);

browserRoutes.post("/signup", sameSiteOnly(), (c) =>
  submitCredentials(c, signup, signupPage, "signup"),
);

browserRoutes.post("/logout", sameSiteOnly(), async (c) => {
  const { refresh } = readTokenCookies(c);
  if (refresh) await logout(c.get("service"), refresh);
  clearTokenCookies(c);
  return c.redirect("/login?logged_out", 303);
});

browserRoutes.post("/logout-all", sameSiteOnly(), async (c) => {
  const user = await currentUser(c, { checkRevocation: true });
  if (user) await logoutEverywhere(c.get("service"), user);
  clearTokenCookies(c);
  return c.redirect("/login?logged_out", 303);
});

/** The signed-in user as JSON, for the account page's script. */
browserRoutes.get("/session", async (c) => {
  c.header("Cache-Control", "no-store");
  const user = await currentUser(c);
  if (!user) throw new AppError(401, "not_signed_in", "No signed-in session in this browser.");
  const { sub, email, roles, sid, exp } = user;
  return c.json({ id: sub, email, roles, session_id: sid, expires_at: exp });
});
