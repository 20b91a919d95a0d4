/**
 * The bench Worker: edge-auth's real Worker plus the routes and instruments
 * `npm run bench` needs. It is bundled and started by bench/run.mjs and never
 * deployed.
 *
 * - `/bench/baseline`, `/bench/verified`, `/bench/hono-jwt`, `/bench/pbkdf2`:
 *   one small JSON answer behind nothing, behind edge-auth's
 *   `requireAccessToken()`, behind Hono's own `hono/jwt` (HS256), and after a
 *   bare PBKDF2-SHA256 hash with the service's parameters. All four share the
 *   same stack (the per-isolate service lookup), so only the guard differs.
 * - `/__bench/loop`: runs one variant in a loop through this Worker's own
 *   fetch handler and times it inside workerd (no HTTP, no proxy).
 * - `/__bench/micro`: sign and verify micro-benchmarks per JWT algorithm.
 * - `/__bench/counts`: D1, KV and rate-limiter calls made so far, counted by
 *   proxies around those bindings.
 * - Everything else goes to the real Worker (src/index.ts), with the counted
 *   bindings.
 */

import { eq } from "drizzle-orm";
import { Hono, type ExecutionContext as HonoExecutionContext, type MiddlewareHandler } from "hono";
import { sign as honoSign, verify as honoVerify, jwt } from "hono/jwt";
import { generateKeyPair, jwtVerify, SignJWT } from "jose";
import { users } from "../src/db/schema";
import type { AppEnv } from "../src/http/app-env";
import { requireAccessToken } from "../src/http/bearer";
import { enforceRateLimits } from "../src/http/rate-limit";
import realWorker from "../src/index";
import { isAlgorithm as isSigningAlgorithm, type VerificationKey } from "../src/keys";
import { log } from "../src/log";
import { type Service, serviceFor } from "../src/service";
import { insertSessionStatements } from "../src/sessions";
import { tokenResponse } from "../src/token-response";
import { ACCESS_TOKEN_TYPE, signAccessToken, verifyAccessToken } from "../src/tokens/access";
import { newRefreshToken } from "../src/tokens/refresh";

/** The Worker's bindings plus the HS256 secret of the hono/jwt peer. */
type BenchEnv = Env & { BENCH_HS256_SECRET: string };
type BenchAppEnv = { Bindings: BenchEnv; Variables: AppEnv["Variables"] };

/* ---------------------------------------------------------------- counting */

/** Calls per `binding.method`, since the isolate started. */
const counts = new Map<string, number>();
const bump = (name: string) => counts.set(name, (counts.get(name) ?? 0) + 1);

/** Calls that reach storage (a statement run, a batch, a KV read or write). */
const D1_OPERATIONS = new Set(["first", "all", "run", "raw", "batch", "exec", "dump"]);
const KV_OPERATIONS = new Set(["get", "getWithMetadata", "put", "delete", "list"]);
const LIMIT_OPERATIONS = new Set(["limit"]);
/** Methods whose result is itself a D1 object to count (statements). */
const D1_FACTORIES = new Set(["prepare", "bind"]);
const NO_FACTORIES = new Set<string>();

/** The real object behind each counting proxy, for calls that need the original. */
const originals = new WeakMap<object, object>();
const unwrap = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(unwrap);
  if (typeof value === "object" && value !== null) return originals.get(value) ?? value;
  return value;
};

/** A proxy that counts calls to `operations` and wraps what `factories` return. */
function counted<T extends object>(
  target: T,
  binding: string,
  operations: ReadonlySet<string>,
  factories: ReadonlySet<string>,
): T {
  const proxy = new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== "function" || typeof property !== "string") return value;
      return (...args: unknown[]) => {
        if (operations.has(property)) bump(`${binding}.${property}`);
        const result: unknown = value.apply(object, args.map(unwrap));
        if (factories.has(property) && typeof result === "object" && result !== null) {
          return counted(result, binding, operations, factories);
        }
        return result;
      };
    },
  });
  originals.set(proxy, target);
  return proxy;
}

const instrumented = new WeakMap<object, BenchEnv>();
const alreadyInstrumented = new WeakSet<object>();

/** The environment with counted D1, KV and rate-limit bindings; one per isolate. */
function instrument(env: BenchEnv): BenchEnv {
  if (alreadyInstrumented.has(env)) return env; // the loop route passes its own env on
  let result = instrumented.get(env);
  if (!result) {
    result = {
      ...env,
      DB: counted(env.DB, "d1", D1_OPERATIONS, D1_FACTORIES),
      REVOCATIONS: counted(env.REVOCATIONS, "kv", KV_OPERATIONS, NO_FACTORIES),
      IP_RATE_LIMITER: counted(env.IP_RATE_LIMITER, "ratelimit", LIMIT_OPERATIONS, NO_FACTORIES),
      ACCOUNT_RATE_LIMITER: counted(
        env.ACCOUNT_RATE_LIMITER,
        "ratelimit",
        LIMIT_OPERATIONS,
        NO_FACTORIES,
      ),
    };
    instrumented.set(env, result);
    alreadyInstrumented.add(result);
  }
  return result;
}

/** Total calls per binding (`d1`, `kv`, `ratelimit`) and per method. */
function snapshot(): Record<string, number> {
  const totals: Record<string, number> = { d1: 0, kv: 0, ratelimit: 0 };
  for (const [name, count] of counts) {
    const binding = name.split(".")[0] ?? name;
    totals[binding] = (totals[binding] ?? 0) + count;
    totals[name] = count;
  }
  return totals;
}

function difference(after: Record<string, number>, before: Record<string, number>) {
  const delta: Record<string, number> = {};
  for (const [name, count] of Object.entries(after)) delta[name] = count - (before[name] ?? 0);
  return delta;
}

/* ------------------------------------------------------------ bench routes */

const SMALL_ANSWER = { ok: true, service: "edge-auth" };
const PASSWORD_FOR_HASHING = "correct horse battery staple";
const encoder = new TextEncoder();
// encode() always returns a fresh, non-shared buffer; the lib type is just wider.
const utf8 = (text: string) => encoder.encode(text) as Uint8Array<ArrayBuffer>;

const bench = new Hono<BenchAppEnv>();

// The same per-isolate service lookup the real app does first; the verified
// route needs it, and the other routes pay for it too so only the guard differs.
bench.use("/bench/*", async (c, next) => {
  c.set("service", await serviceFor(c.env));
  await next();
});

bench.get("/bench/baseline", (c) => c.json(SMALL_ANSWER));

bench.get("/bench/verified", requireAccessToken(), (c) => c.json(SMALL_ANSWER));

// Reads the Authorization header and nothing more: what any scheme pays to look at a token.
bench.get("/bench/header-read", (c) =>
  c.json(c.req.header("Authorization") === undefined ? {} : SMALL_ANSWER),
);

// Hono's own middleware as its documentation shows it, built once per isolate
// (the secret comes from env), with the same issuer, audience and type checks.
let honoJwt: MiddlewareHandler | undefined;
bench.get(
  "/bench/hono-jwt",
  (c, next) => {
    const { issuer, audience } = c.get("service").config;
    honoJwt ??= jwt({
      secret: c.env.BENCH_HS256_SECRET,
      alg: "HS256",
      verification: { iss: issuer, aud: audience, typ: ACCESS_TOKEN_TYPE },
    });
    return honoJwt(c, next);
  },
  (c) => c.json(SMALL_ANSWER),
);

/** One PBKDF2-SHA256 hash with a fresh salt, as `hasher.hash` does, without the rest. */
async function barePbkdf2(iterations: number): Promise<void> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const material = utf8(PASSWORD_FOR_HASHING);
  const key = await crypto.subtle.importKey("raw", material, "PBKDF2", false, ["deriveBits"]);
  await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, 256);
}

bench.get("/bench/pbkdf2", async (c) => {
  await barePbkdf2(c.get("service").config.pbkdf2Iterations);
  return c.json(SMALL_ANSWER);
});

/**
 * Copies of the environment whose service accepts any password without
 * hashing, so `/bench/login-without-hash` runs the real login route (body,
 * rate limits, user lookup, session write, signing, logging) minus PBKDF2.
 * A copy is a different `env` object, so it gets its own service.
 */
const hashless = new WeakMap<object, Promise<BenchEnv>>();

function withoutHashing(env: BenchEnv): Promise<BenchEnv> {
  let copy = hashless.get(env);
  if (!copy) {
    const clone = { ...env };
    copy = serviceFor(clone).then((service) => {
      service.hasher = { ...service.hasher, verify: async () => ({ ok: true, rehash: false }) };
      return clone;
    });
    hashless.set(env, copy);
  }
  return copy;
}

bench.post("/bench/login-without-hash", async (c) => {
  const request = new Request(new URL("/auth/login", c.req.url), c.req.raw);
  return realWorker.fetch(request, await withoutHashing(c.env), c.executionCtx as ExecutionContext);
});

/* ------------------------------------------------------------ in-isolate loop */

/**
 * Authorization headers with distinct valid tokens, for variants that must
 * not be helped by any per-isolate memo of verified tokens. Used in turn;
 * after the last one the pool starts over.
 */
interface FreshPool {
  authorizations: string[];
  uses: number;
}
/** By the algorithm of their tokens. */
const freshPools = new Map<string, FreshPool>();

bench.post("/__bench/tokens", async (c) => {
  const { alg, authorizations } = await c.req.json<{ alg: string; authorizations: string[] }>();
  freshPools.set(alg, { authorizations, uses: 0 });
  return c.json({ tokens: authorizations.length });
});

function freshPool(alg: string): FreshPool {
  const pool = freshPools.get(alg);
  if (!pool) throw new Error(`no fresh ${alg} tokens: POST /__bench/tokens first`);
  return pool;
}

function nextFreshAuthorization(pool: FreshPool): string {
  const authorization = pool.authorizations[pool.uses % pool.authorizations.length];
  if (authorization === undefined) throw new Error("an empty pool of fresh tokens");
  pool.uses++;
  return authorization;
}

interface LoopSpec {
  method: string;
  path: string;
  headers?: Record<string, string>;
  /** Send the next token of this algorithm's fresh pool as the Authorization header. */
  fresh?: string;
  body?: string;
  /** The status every answer must have. */
  expect: number;
  /** Keep going until this many milliseconds have passed... */
  budgetMs: number;
  /** ...and at least this many requests were made. */
  minIterations: number;
}

bench.post("/__bench/loop", async (c) => {
  const spec = await c.req.json<LoopSpec>();
  const url = new URL(spec.path, c.req.url).href;
  const env = c.env;
  const ctx = c.executionCtx;
  const statuses: Record<string, number> = {};
  let iterations = 0;

  const pool = spec.fresh === undefined ? undefined : freshPool(spec.fresh);
  const freshBefore = pool?.uses ?? 0;
  const before = snapshot();
  const started = performance.now();
  let elapsed = 0;
  do {
    const headers = pool
      ? { ...spec.headers, Authorization: nextFreshAuthorization(pool) }
      : spec.headers;
    const request = new Request(url, { method: spec.method, headers, body: spec.body });
    const response = await handle(request, env, ctx);
    await response.arrayBuffer();
    statuses[response.status] = (statuses[response.status] ?? 0) + 1;
    iterations++;
    elapsed = performance.now() - started;
  } while (iterations < spec.minIterations || elapsed < spec.budgetMs);
  const operations = difference(snapshot(), before);
  const reusedSoFar = (uses: number) => Math.max(0, uses - (pool?.authorizations.length ?? 0));

  return c.json({
    iterations,
    elapsedMs: elapsed,
    /** Fresh tokens sent a second time or more (the pool had started over). */
    reusedTokens: pool ? reusedSoFar(pool.uses) - reusedSoFar(freshBefore) : 0,
    unexpected: iterations - (statuses[spec.expect] ?? 0),
    statuses,
    operations,
  });
});

/* ------------------------------------------------------------ micro-benchmarks */

const ALGORITHMS = ["EdDSA", "ES256", "RS256", "HS256"] as const;
type Algorithm = (typeof ALGORITHMS)[number];

const WEBCRYPTO: Record<Algorithm, Parameters<typeof crypto.subtle.sign>[0]> = {
  EdDSA: { name: "Ed25519" },
  ES256: { name: "ECDSA", hash: "SHA-256" },
  RS256: { name: "RSASSA-PKCS1-v1_5" },
  HS256: { name: "HMAC" },
};

const CLAIMS = {
  iss: "http://localhost:8787",
  aud: "edge-auth",
  sub: "0b6f8a52-3c1e-4f3a-9a43-5d2b8f1e7c10",
  sid: "7d9e2c41-8a5b-4e6f-b1c3-2f4a6d8e0b12",
  email: "bench@example.com",
  roles: ["user"],
};

interface AlgorithmSetup {
  alg: Algorithm;
  kid: string;
  signingKey: CryptoKey;
  verifyingKey: CryptoKey;
  token: string;
  signingInput: Uint8Array<ArrayBuffer>;
  signature: Uint8Array<ArrayBuffer>;
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

function signToken(alg: Algorithm, kid: string, key: CryptoKey, now: number) {
  return new SignJWT({ sid: CLAIMS.sid, email: CLAIMS.email, roles: CLAIMS.roles })
    .setProtectedHeader({ alg, kid, typ: ACCESS_TOKEN_TYPE })
    .setIssuer(CLAIMS.iss)
    .setAudience(CLAIMS.aud)
    .setSubject(CLAIMS.sub)
    .setJti(crypto.randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(now + 900)
    .sign(key);
}

async function setUp(alg: Algorithm, secret: string): Promise<AlgorithmSetup> {
  let signingKey: CryptoKey;
  let verifyingKey: CryptoKey;
  if (alg === "HS256") {
    // The same secret, as bytes, that hono/jwt is given as a string.
    const params = { name: "HMAC", hash: "SHA-256" };
    const usages = ["sign", "verify"];
    signingKey = await crypto.subtle.importKey("raw", utf8(secret), params, false, usages);
    verifyingKey = signingKey;
  } else {
    const pair = await generateKeyPair(alg);
    signingKey = pair.privateKey;
    verifyingKey = pair.publicKey;
  }
  const kid = `bench-${alg}`;
  const token = await signToken(alg, kid, signingKey, Math.floor(Date.now() / 1000));
  const [header = "", payload = "", signature = ""] = token.split(".");
  return {
    alg,
    kid,
    signingKey,
    verifyingKey,
    token,
    signingInput: utf8(`${header}.${payload}`),
    signature: fromBase64Url(signature),
  };
}

const setups = new Map<Algorithm, Promise<AlgorithmSetup>>();
function setUpOnce(alg: Algorithm, secret: string): Promise<AlgorithmSetup> {
  let setup = setups.get(alg);
  if (!setup) {
    setup = setUp(alg, secret);
    setups.set(alg, setup);
  }
  return setup;
}

const isAlgorithm = (value: string): value is Algorithm =>
  (ALGORITHMS as readonly string[]).includes(value);

/** What a micro-benchmark item repeats, and the size of its algorithm's token. */
interface MicroItem {
  run: () => Promise<unknown>;
  tokenBytes: number;
}

/** The operation a micro-benchmark item repeats; throws if it gives a wrong answer. */
async function microItem(item: string, env: BenchEnv): Promise<MicroItem> {
  const run = await microOperation(item, env);
  const [, , alg = ""] = item.split(".");
  const setup = isAlgorithm(alg) ? await setUpOnce(alg, env.BENCH_HS256_SECRET) : undefined;
  return { run, tokenBytes: setup?.token.length ?? 0 };
}

/** A stored hash of the bench password, made once by the service's own hasher. */
let storedHash: Promise<string> | undefined;

/**
 * The steps of `login` (src/accounts.ts), each with the service's own code,
 * for the breakdown of its cost. The bench user must exist (run signup first).
 */
async function loginStep(step: string, service: Service): Promise<() => Promise<unknown>> {
  const email = CLAIMS.email;
  const [user] = await service.db.select().from(users).where(eq(users.email, email)).limit(1);
  if (!user) throw new Error(`login steps need the user ${email}`);
  switch (step) {
    case "rate-limits": {
      const request = new Request("http://bench.invalid/auth/login", { method: "POST" });
      return () => enforceRateLimits(service.limiters, "login", request, `email:${email}`);
    }
    case "select-user":
      return () => service.db.select().from(users).where(eq(users.email, email)).limit(1);
    case "hasher-verify": {
      storedHash ??= service.hasher.hash(PASSWORD_FOR_HASHING);
      const stored = await storedHash;
      return async () => {
        const verdict = await service.hasher.verify(PASSWORD_FOR_HASHING, stored);
        if (!verdict.ok || verdict.rehash) throw new Error("hasher.verify: unexpected verdict");
      };
    }
    case "bare-pbkdf2":
      return () => barePbkdf2(service.config.pbkdf2Iterations);
    case "write-session":
      return async () => {
        const now = service.now();
        const refresh = await newRefreshToken();
        const statements = insertSessionStatements(service.d1, {
          sessionId: crypto.randomUUID(),
          userId: user.id,
          tokenHash: refresh.hash,
          userAgent: null,
          now,
          expiresAt: now + service.config.refreshTokenTtl,
        });
        await service.d1.batch(statements);
      };
    case "log-line":
      return async () => {
        log("info", "login", { outcome: "success", user_id: user.id, session_id: CLAIMS.sid });
      };
    case "token-response":
      return async () => {
        const subject = { userId: user.id, email, roles: user.roles, sessionId: CLAIMS.sid };
        const refresh = await newRefreshToken();
        await tokenResponse(service, subject, refresh.token, service.now());
      };
  }
  throw new Error(`unknown login step ${step}`);
}

async function microOperation(item: string, env: BenchEnv): Promise<() => Promise<unknown>> {
  if (item.startsWith("login.")) return loginStep(item.slice(6), await serviceFor(env));

  const [library = "", operation = "", alg = ""] = item.split(".");
  if (!isAlgorithm(alg)) throw new Error(`unknown algorithm in ${item}`);
  const setup = await setUpOnce(alg, env.BENCH_HS256_SECRET);
  const { signingKey, verifyingKey, token, kid } = setup;
  const now = () => Math.floor(Date.now() / 1000);
  const verifyOptions = {
    issuer: CLAIMS.iss,
    audience: CLAIMS.aud,
    algorithms: [alg],
    typ: ACCESS_TOKEN_TYPE,
    requiredClaims: ["iss", "aud", "sub", "iat", "exp", "jti"],
  };
  const params = WEBCRYPTO[alg];

  switch (`${library}.${operation}`) {
    case "jose.sign":
      return () => signToken(alg, kid, signingKey, now());
    case "jose.verify":
      return () => jwtVerify(token, verifyingKey, verifyOptions);
    case "webcrypto.sign":
      return () => crypto.subtle.sign(params, signingKey, setup.signingInput);
    case "webcrypto.verify":
      return async () => {
        const ok = await crypto.subtle.verify(
          params,
          verifyingKey,
          setup.signature,
          setup.signingInput,
        );
        if (!ok) throw new Error(`${item}: signature did not verify`);
      };
    case "edge-auth.sign": {
      if (!isSigningAlgorithm(alg)) break;
      const signer = { kid, alg, key: signingKey };
      const subject = {
        sub: CLAIMS.sub,
        sid: CLAIMS.sid,
        email: CLAIMS.email,
        roles: CLAIMS.roles,
      };
      const options = { issuer: CLAIMS.iss, audience: CLAIMS.aud, ttl: 900 };
      return () => signAccessToken(signer, subject, { ...options, now: now() });
    }
    case "edge-auth.verify": {
      if (!isSigningAlgorithm(alg)) break;
      const keys = new Map<string, VerificationKey>([[kid, { kid, alg, key: verifyingKey }]]);
      const options = { issuer: CLAIMS.iss, audience: CLAIMS.aud, clockTolerance: 30, keys };
      return () => verifyAccessToken(token, { ...options, now: now() });
    }
    case "hono.sign": {
      if (alg !== "HS256") break;
      return () =>
        honoSign({ ...CLAIMS, jti: crypto.randomUUID(), iat: now(), exp: now() + 900 }, secret());
    }
    case "hono.verify": {
      if (alg !== "HS256") break;
      // As the middleware calls it: the secret as a string, re-imported per call.
      const options = { alg, iss: CLAIMS.iss, aud: CLAIMS.aud, typ: ACCESS_TOKEN_TYPE };
      return () => honoVerify(token, secret(), options);
    }
  }
  throw new Error(`unknown micro-benchmark ${item}`);

  function secret() {
    return env.BENCH_HS256_SECRET;
  }
}

bench.post("/__bench/micro", async (c) => {
  const { item, budgetMs, minIterations } = await c.req.json<{
    item: string;
    budgetMs: number;
    minIterations: number;
  }>();
  const { run, tokenBytes } = await microItem(item, c.env);
  await run(); // fails loudly before timing if the item is broken

  let iterations = 0;
  const started = performance.now();
  let elapsed = 0;
  do {
    await run();
    iterations++;
    elapsed = performance.now() - started;
  } while (iterations < minIterations || elapsed < budgetMs);

  return c.json({ item, iterations, elapsedMs: elapsed, tokenBytes });
});

/* ------------------------------------------------------------ counts */

bench.get("/__bench/counts", (c) => c.json(snapshot()));

/* ------------------------------------------------------------ entry */

/** This Worker's fetch handler: bench routes here, everything else to the real Worker. */
function handle(
  request: Request,
  env: BenchEnv,
  ctx: HonoExecutionContext,
): Response | Promise<Response> {
  const counted = instrument(env);
  const url = request.url;
  const path = url.slice(url.indexOf("/", url.indexOf("//") + 2));
  if (path.startsWith("/bench/") || path.startsWith("/__bench/")) {
    return bench.fetch(request, counted, ctx);
  }
  return realWorker.fetch(request, counted, ctx);
}

export default { fetch: handle } satisfies ExportedHandler<BenchEnv>;
