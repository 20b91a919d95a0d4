import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { BASE, call, PASSWORD, signUp, uniqueEmail } from "./helpers";

const ORIGIN = new URL(BASE).origin;

afterEach(() => {
  vi.useRealTimers();
});

/** Posts an HTML form the way a browser on this site would. */
function postForm(path: string, fields: Record<string, string>, headers: HeadersInit = {}) {
  return call(path, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: ORIGIN, ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

/** name=value pairs from Set-Cookie headers, ready to send back as a Cookie header. */
function cookieHeader(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((line) => line.split(";")[0])
    .filter((pair) => !pair?.endsWith("="))
    .join("; ");
}

const get = (path: string, cookie = "") =>
  call(path, { redirect: "manual", headers: cookie ? { Cookie: cookie } : {} });

async function browserLogin(email: string, password = PASSWORD) {
  const response = await postForm("/login", { email, password, next: "/app/" });
  expect(response.status).toBe(303);
  return cookieHeader(response);
}

describe("login and signup pages", () => {
  it("serves an accessible login form that works without JavaScript", async () => {
    const response = await get("/login?next=/app/settings");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toContain("text/html");
    expect(response.headers.get("Content-Security-Policy")).toContain("form-action 'self'");
    const page = await response.text();
    expect(page).toContain('<form method="post" action="/login"');
    expect(page).toContain('<label for="email">');
    expect(page).toContain('name="next" value="/app/settings"');
  });

  it("signs up through the form: cookies set, redirected to the protected page", async () => {
    const response = await postForm("/signup", {
      email: uniqueEmail(),
      password: PASSWORD,
      next: "/app/",
    });
    expect(response.status).toBe(303);
    expect(response.headers.get("Location")).toBe("/app/");

    const cookies = response.headers.getSetCookie();
    const access = cookies.find((line) => line.startsWith("__Host-access="));
    const refresh = cookies.find((line) => line.startsWith("__Host-refresh="));
    for (const cookie of [access, refresh]) {
      expect(cookie).toMatch(/; Path=\//);
      expect(cookie).toMatch(/; HttpOnly/);
      expect(cookie).toMatch(/; Secure/);
      expect(cookie).toMatch(/; SameSite=Lax/);
      expect(cookie).not.toMatch(/Domain=/i);
    }
    expect(access).toContain(`Max-Age=${env.ACCESS_TOKEN_TTL}`);
    expect(refresh).toContain(`Max-Age=${env.REFRESH_TOKEN_TTL}`);
  });

  it.each([
    [{ password: "short" }, 400, "at least 8 characters"],
    [{ email: "not-an-email" }, 400, "valid email address"],
  ])("shows a clear error for %j", async (override, status, message) => {
    const response = await postForm("/signup", {
      email: uniqueEmail(),
      password: PASSWORD,
      ...override,
    });
    expect(response.status).toBe(status);
    expect(await response.text()).toContain(message);
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it("tells a taken email apart on signup and keeps what was typed", async () => {
    const email = uniqueEmail();
    await signUp(email);
    const response = await postForm("/signup", { email, password: PASSWORD });
    expect(response.status).toBe(409);
    const page = await response.text();
    expect(page).toContain("already exists");
    expect(page).toContain(`value="${email}"`);
  });

  it("shows one message for wrong credentials and escapes what it echoes", async () => {
    const email = '"><script>alert(1)</script>@example.com';
    const response = await postForm("/login", { email, password: "wrong password" });
    expect(response.status).toBe(401);
    const page = await response.text();
    expect(page).toContain("match an account");
    expect(page).not.toContain("<script>alert(1)</script>");
    expect(page).toContain("&lt;script&gt;");
  });

  it("says why when the static-site gate sent the visitor", async () => {
    const page = await (await get("/login?next=/app/")).text();
    expect(page).toContain("Log in to continue.");
  });

  it("shows browsers an error page, API clients problem+json", async () => {
    const browser = await call("/no-such-page", { headers: { Accept: "text/html,*/*" } });
    expect(browser.status).toBe(404);
    expect(browser.headers.get("Content-Type")).toContain("text/html");
    expect(await browser.text()).toContain("No such route.");

    const api = await call("/auth/nothing-here", { headers: { Accept: "text/html" } });
    expect(api.headers.get("Content-Type")).toBe("application/problem+json");
  });

  it("sends a signed-in visitor of /login straight on", async () => {
    const email = uniqueEmail();
    await signUp(email);
    const cookie = await browserLogin(email);
    const response = await get("/login?next=/app/x", cookie);
    expect(response.status).toBe(303);
    expect(response.headers.get("Location")).toBe("/app/x");
  });
});

describe("CSRF on cookie-authenticated posts", () => {
  const credentials = { email: "someone@example.com", password: PASSWORD };

  it.each([
    [{ Origin: "https://evil.example" }],
    [{ Origin: "null" }],
    [{ Origin: "", "Sec-Fetch-Site": "cross-site" }],
    [{ Origin: "" }],
    [{ Origin: "", "Sec-Fetch-Site": "none" }],
  ])("refuses a post with %j", async (headers) => {
    const clean = Object.fromEntries(Object.entries(headers).filter(([, value]) => value !== ""));
    const response = await call("/logout", {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded", ...clean },
      body: "",
    });
    expect(response.status).toBe(403);
    const login = await call("/login", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", ...clean },
      body: new URLSearchParams(credentials).toString(),
    });
    expect(login.status).toBe(403);
  });

  it("accepts Sec-Fetch-Site: same-origin when Origin is absent", async () => {
    const response = await call("/logout", {
      method: "POST",
      redirect: "manual",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "Sec-Fetch-Site": "same-origin",
      },
      body: "",
    });
    expect(response.status).toBe(303);
  });

  it("leaves bearer-authenticated API routes to the token, not to Origin", async () => {
    const pair = await signUp();
    const response = await call("/auth/sessions", {
      headers: { Authorization: `Bearer ${pair.access_token}`, Origin: "https://evil.example" },
    });
    expect(response.status).toBe(200);
  });
});

describe("the edge-protected static site", () => {
  it("redirects an anonymous visitor to the login page with a safe next", async () => {
    const response = await get("/app/settings?tab=2");
    expect(response.status).toBe(303);
    expect(response.headers.get("Location")).toBe(
      `/login?next=${encodeURIComponent("/app/settings?tab=2")}`,
    );
  });

  it("serves the protected page to a signed-in visitor, never for shared caches", async () => {
    const email = uniqueEmail();
    await signUp(email);
    const response = await get("/app/", await browserLogin(email));
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("private, no-store");
    expect(await response.text()).toContain("Your account");
  });

  it("answers 403 with a page to a signed-in user without the role", async () => {
    const email = uniqueEmail();
    await signUp(email);
    const response = await get("/admin/", await browserLogin(email));
    expect(response.status).toBe(403);
    expect(await response.text()).toContain("admin</strong> role");
  });

  it("serves the role-gated area to a user holding the role", async () => {
    const email = uniqueEmail();
    await signUp(email);
    await env.DB.prepare(`UPDATE users SET roles = '["user","admin"]' WHERE email = ?`)
      .bind(email)
      .run();
    const response = await get("/admin/", await browserLogin(email));
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("Admin area");
  });

  it("refreshes transparently when the access cookie has expired", async () => {
    const email = uniqueEmail();
    await signUp(email);
    const cookie = await browserLogin(email);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + (Number(env.ACCESS_TOKEN_TTL) + 60) * 1000);

    const response = await get("/app/", cookie);
    expect(response.status).toBe(200);
    const renewed = response.headers.getSetCookie();
    expect(renewed.some((line) => line.startsWith("__Host-access="))).toBe(true);
    expect(renewed.some((line) => line.startsWith("__Host-refresh="))).toBe(true);
  });

  it("sends a browser whose refresh cookie is dead to login, clearing the cookies", async () => {
    const response = await get("/app/", `__Host-refresh=${"A".repeat(43)}`);
    expect(response.status).toBe(303);
    expect(response.headers.getSetCookie().some((line) => /^__Host-refresh=;/.test(line))).toBe(
      true,
    );
  });

  it("logs out: session revoked, cookies cleared, the page redirects again", async () => {
    const email = uniqueEmail();
    await signUp(email);
    const cookie = await browserLogin(email);

    const response = await postForm("/logout", {}, { Cookie: cookie });
    expect(response.status).toBe(303);
    expect(response.headers.get("Location")).toBe("/login?logged_out");
    expect(
      response.headers.getSetCookie().filter((line) => line.includes("Max-Age=0")),
    ).toHaveLength(2);

    // Even a browser that kept the old refresh cookie cannot get back in.
    const refreshOnly = cookie
      .split("; ")
      .filter((pair) => pair.startsWith("__Host-refresh="))
      .join("");
    expect((await get("/app/", refreshOnly)).status).toBe(303);
  });

  it("refuses log-out-everywhere from an access cookie voided by a password change", async () => {
    // Found by a break-it session: a stolen pre-change token could keep
    // logging the victim out of the session they had just secured.
    const email = uniqueEmail();
    const victim = await signUp(email);
    const stolen = await browserLogin(email);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // iat is in whole seconds
    const change = await call("/auth/password", {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Authorization: `Bearer ${victim.access_token}`,
      },
      body: JSON.stringify({ current_password: PASSWORD, new_password: "a new passphrase!" }),
    });
    expect(change.status).toBe(200);

    const accessOnly = stolen.split("; ").filter((pair) => pair.startsWith("__Host-access="))[0];
    await postForm("/logout-all", {}, { Cookie: accessOnly ?? "" });
    const refresh = await call("/auth/refresh", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ refresh_token: victim.refresh_token }),
    });
    expect(refresh.status).toBe(200);
  });

  it("/session answers the signed-in user as JSON, or 401", async () => {
    const email = uniqueEmail();
    await signUp(email);
    const response = await get("/session", await browserLogin(email));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ email, roles: ["user"] });
    expect((await get("/session")).status).toBe(401);
  });
});
