import { exports } from "cloudflare:workers";
import { expect, vi } from "vitest";

export const BASE = "http://edge-auth.test";
export const PASSWORD = "correct horse battery staple";

/** A random client address, so tests do not share one rate-limit counter. */
export const randomIp = () =>
  `10.${[0, 0, 0].map(() => Math.floor(Math.random() * 256)).join(".")}`;

/**
 * Sends a request through the Worker's own fetch handler, inside workerd,
 * from a random client IP unless the caller names one.
 */
export function call(path: string, init: RequestInit = {}): Promise<Response> {
  const request = new Request(`${BASE}${path}`, init);
  if (!request.headers.has("CF-Connecting-IP")) request.headers.set("CF-Connecting-IP", randomIp());
  return exports.default.fetch(request);
}

/** POSTs a JSON body. */
export function postJson(path: string, body: unknown, headers: HeadersInit = {}) {
  return call(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

let counter = 0;
/** An email no other test uses. */
export const uniqueEmail = (tag = "user") =>
  `${tag}-${Date.now()}-${counter++}-${crypto.randomUUID().slice(0, 8)}@example.com`;

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  user: { id: string; email: string; roles: string[] };
}

/** Signs up a fresh user and returns the token pair. */
export async function signUp(email = uniqueEmail(), password = PASSWORD): Promise<TokenPair> {
  const response = await postJson("/auth/signup", { email, password });
  expect(response.status).toBe(201);
  return response.json();
}

/** GET /auth/me with a bearer token. */
export const me = (token: string) =>
  call("/auth/me", { headers: { Authorization: `Bearer ${token}` } });

/** Asserts a problem+json response and returns its body. */
export async function expectProblem(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get("Content-Type")).toBe("application/problem+json");
  const body = (await response.json()) as { code: string; status: number; type: string };
  expect(body.code).toBe(code);
  expect(body.status).toBe(status);
  return body;
}

export const REALM = 'Bearer realm="edge-auth"';

/** Asserts a 401 invalid_token with its exact RFC 6750 challenge. */
export async function expectInvalidToken(response: Response, description = "invalid") {
  expect(response.headers.get("WWW-Authenticate")).toBe(
    `${REALM}, error="invalid_token", error_description="${description}"`,
  );
  await expectProblem(response, 401, "invalid_token");
}

/**
 * Moves the clock the service reads by `seconds` (Date only). Pair with
 * `afterEach(() => vi.useRealTimers())` in the test file.
 */
export function advanceClock(seconds: number) {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(Date.now() + seconds * 1000);
}
