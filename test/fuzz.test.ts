// Throws a few thousand random and malformed requests at every route and
// checks the invariants that must hold whatever arrives: no 5xx, every error
// is problem+json, and no account is ever half written.

import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { toBase64Url, utf8 } from "../src/encoding";
import { call, signUp } from "./helpers";
import { signToken, validClaims } from "./tokens";

const REQUESTS = 3000;
const PARALLEL = 25;

/** mulberry32: a small seeded PRNG, so a failure can be replayed. */
function prng(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = Number(env.TEST_FUZZ_SEED);
const random = prng(SEED);
const int = (n: number) => Math.floor(random() * n);
const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;

const ODD_STRINGS = [
  "",
  " ",
  "a@b.co",
  "ANN@EXAMPLE.COM ",
  "é".repeat(8),
  "\u0000\u0001",
  "\ud800",
  "😀".repeat(40),
  "x".repeat(300),
  "<script>",
  "' OR 1=1 --",
  "cafe\u0301@example.com",
  "null",
  "correct horse battery staple",
];

function randomString(): string {
  if (random() < 0.5) return pick(ODD_STRINGS);
  const length = int(40);
  let text = "";
  for (let i = 0; i < length; i++) text += String.fromCharCode(int(random() < 0.8 ? 128 : 0xffff));
  return text;
}

function randomValue(depth = 0): unknown {
  const kind = int(depth > 2 ? 5 : 8);
  if (kind === 0) return randomString();
  if (kind === 1) return pick([0, -1, 1e308, Number.MAX_SAFE_INTEGER, 3.14]);
  if (kind === 2) return pick([true, false, null]);
  if (kind === 3) return `fuzz-${int(1e9)}@example.com`;
  if (kind === 4) return "A".repeat(43);
  if (kind === 5) return Array.from({ length: int(4) }, () => randomValue(depth + 1));
  const object: Record<string, unknown> = {};
  for (let i = 0; i < int(4); i++) object[randomString()] = randomValue(depth + 1);
  return object;
}

const FIELDS = ["email", "password", "refresh_token", "current_password", "new_password"];

function randomBody(): BodyInit {
  const kind = int(6);
  if (kind === 0) return crypto.getRandomValues(new Uint8Array(int(200)));
  if (kind === 1) return JSON.stringify(randomValue()).slice(0, int(60));
  if (kind === 2) return JSON.stringify(randomValue());
  const object: Record<string, unknown> = {};
  for (const field of FIELDS) if (random() < 0.7) object[field] = randomValue(2);
  return JSON.stringify(object);
}

async function randomAuthorization(): Promise<string | undefined> {
  const kind = int(7);
  if (kind === 0) return undefined;
  if (kind === 1) return `Bearer ${randomString()}`;
  if (kind === 2)
    return `${pick(["bearer", "BEARER", "Basic", ""])} ${toBase64Url(utf8(randomString()))}`;
  if (kind === 3) {
    const parts = Array.from({ length: int(6) }, () =>
      toBase64Url(utf8(JSON.stringify(randomValue()))),
    );
    return `Bearer ${parts.join(".")}`;
  }
  // Validly signed tokens with random claims and headers.
  const claims = validClaims({
    [pick(["exp", "iat", "nbf", "sub", "sid", "roles", "aud"])]: randomValue(2),
  });
  const header =
    random() < 0.5 ? {} : { typ: pick(["JWT", "at+jwt", undefined]), kid: pick(["x", undefined]) };
  return `Bearer ${await signToken(claims, header)}`;
}

const ROUTES = [
  ["POST", "/auth/signup"],
  ["POST", "/auth/login"],
  ["POST", "/auth/refresh"],
  ["POST", "/auth/logout"],
  ["POST", "/auth/password"],
  ["POST", "/auth/logout-all"],
  ["GET", "/auth/me"],
  ["GET", "/auth/sessions"],
  ["DELETE", "/auth/sessions/some-id"],
  ["GET", "/.well-known/jwks.json"],
  ["PUT", "/auth/login"],
  ["GET", "/%ZZ/../auth"],
] as const;

const CONTENT_TYPES = [
  "application/json",
  "text/plain",
  "application/json; charset=latin1",
  "",
  "application/x-www-form-urlencoded",
  "application/merge-patch+json",
];

/** Sets a header if its value is visible ASCII, as HTTP clients send them. */
function trySet(headers: Headers, name: string, value: string) {
  if (/^[\x20-\x7e]*$/.test(value)) headers.set(name, value);
}

async function count(sql: string): Promise<number> {
  return (await env.DB.prepare(sql).first<{ n: number }>())?.n ?? 0;
}

describe(`fuzz (seed ${SEED}; replay with FUZZ_SEED=${SEED})`, () => {
  it(`survives ${REQUESTS} random requests with no 5xx and no partial writes`, async () => {
    // A real user whose tokens get mixed into the noise.
    const victim = await signUp();
    const usersBefore = await count("SELECT COUNT(*) AS n FROM users");
    const sessionsBefore = await count("SELECT COUNT(*) AS n FROM sessions");
    const outcomes = { signups: 0, logins: 0 };

    // Mostly noise, with enough well-formed requests that some writes succeed.
    const bodyFor = (path: string): BodyInit => {
      const roll = random();
      if (roll < 0.1) return JSON.stringify({ refresh_token: victim.refresh_token });
      if (roll < 0.25 && (path === "/auth/signup" || path === "/auth/login")) {
        const email = random() < 0.5 ? victim.user.email : `fuzz-${int(1e9)}@example.com`;
        return JSON.stringify({ email, password: pick(ODD_STRINGS) });
      }
      return randomBody();
    };
    const failures: string[] = [];

    for (let sent = 0; sent < REQUESTS; sent += PARALLEL) {
      await Promise.all(
        Array.from({ length: PARALLEL }, async () => {
          const [method, path] = pick(ROUTES);
          const headers = new Headers();
          // JSON most of the time, so requests get past the media-type check.
          const type = random() < 0.6 ? "application/json" : pick(CONTENT_TYPES);
          if (type) headers.set("Content-Type", type);
          const authorization =
            random() < 0.1 ? `Bearer ${victim.access_token}` : await randomAuthorization();
          if (authorization) trySet(headers, "Authorization", authorization);
          if (random() < 0.2)
            trySet(headers, "Origin", pick(["https://evil.example", "null", randomString()]));
          const body = method === "GET" ? undefined : bodyFor(path);

          let response: Response;
          try {
            response = await call(path, { method, headers, body });
          } catch (error) {
            failures.push(`${method} ${path}: threw ${String(error)}`);
            return;
          }
          if (response.status >= 500)
            failures.push(`${method} ${path}: ${response.status} ${await response.text()}`);
          else if (
            response.status >= 400 &&
            response.headers.get("Content-Type") !== "application/problem+json"
          )
            failures.push(`${method} ${path}: ${response.status} without problem+json`);
          else await response.arrayBuffer();
          if (path === "/auth/signup" && response.status === 201) outcomes.signups++;
          if (path === "/auth/login" && method === "POST" && response.status === 200)
            outcomes.logins++;
        }),
      );
    }

    expect(failures).toEqual([]);
    // Some of the noise must succeed, or the write invariants below prove nothing.
    expect(outcomes.signups).toBeGreaterThan(0);
    expect(await count("SELECT COUNT(*) AS n FROM users")).toBe(usersBefore + outcomes.signups);
    expect(await count("SELECT COUNT(*) AS n FROM sessions")).toBe(
      sessionsBefore + outcomes.signups + outcomes.logins,
    );
    // No user without a session, no session without a refresh token.
    expect(
      await count("SELECT COUNT(*) AS n FROM users WHERE id NOT IN (SELECT user_id FROM sessions)"),
    ).toBe(0);
    expect(
      await count(
        "SELECT COUNT(*) AS n FROM sessions WHERE id NOT IN (SELECT session_id FROM refresh_tokens)",
      ),
    ).toBe(0);
  }, 120_000);
});
