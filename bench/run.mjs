// `npm run bench`: how cheap is edge verification? Measures edge-auth's
// protected routes against an unauthenticated baseline measured in the same
// run, inside workerd and over HTTP on 127.0.0.1, and writes bench/RESULTS.md.
// See bench/README.md for what is measured and how.

import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readlinkSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SignJWT } from "jose";
import { generatePepper, generateSigningKey } from "../scripts/lib/keygen.mjs";
import { cleanUp } from "./lib/cleanup.mjs";
import { runLoad } from "./lib/load.mjs";
import {
  allowedCpus,
  cpuSeconds,
  pinToCpus,
  treeCpuByProcess,
  treeCpuSeconds,
} from "./lib/processes.mjs";
import { profile } from "./lib/profile.mjs";
import { renderResults } from "./lib/report.mjs";
import { median } from "./lib/stats.mjs";
import { mintAuthorizations } from "./lib/tokens.mjs";
import { bundleBenchWorker, readWranglerConfig, startBenchWorker } from "./lib/worker-host.mjs";
import { startWranglerDev } from "./lib/wrangler-dev.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const started = Date.now();

const number = (name, fallback) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};

const ALL_PARTS = ["isolate", "micro", "http", "wrangler-dev"];

/** Knobs, with defaults that keep a whole run near six minutes on two cores. */
const SETTINGS = {
  rounds: number("BENCH_ROUNDS", 5),
  httpSeconds: number("BENCH_SECONDS", 2),
  warmupSeconds: 1,
  fixedRateSeconds: 2,
  wranglerDevSeconds: 2,
  connections: number("BENCH_CONNECTIONS", 8),
  /** Offered load (req/s) of the open-loop latency runs. */
  fixedRate: number("BENCH_RATE", 1000),
  /** In-isolate: batches per variant, and milliseconds per batch (see inIsolate). */
  isolateBatches: 25,
  isolateBatchMs: 50,
  slowIsolateBatches: 10,
  slowIsolateBatchMs: 100,
  microBudgetMs: 120,
  slowMicroBudgetMs: 200,
  /** Which parts to run; RESULTS.md is only rewritten by a run of all of them. */
  parts: (process.env.BENCH_PARTS ?? ALL_PARTS.join(",")).split(",").filter(Boolean),
  /** Everything is stopped and the run fails after this long, whatever happens. */
  deadlineSeconds: number("BENCH_DEADLINE", 600),
  /** A variant to profile in-isolate instead of benchmarking (see bench/README.md). */
  profile: process.env.BENCH_PROFILE,
  /** Which variants to run (a comma-separated list of ids); all by default. */
  variants: process.env.BENCH_VARIANTS?.split(",").filter(Boolean),
  /** Pin workerd and the load generator to separate cores over HTTP (see pinApart). */
  pin: process.env.BENCH_PIN !== "0",
};

const enabled = (part) => SETTINGS.parts.includes(part);
for (const part of SETTINGS.parts) {
  if (!ALL_PARTS.includes(part)) throw new Error(`BENCH_PARTS: unknown part ${part}`);
}

const EMAIL = "bench@example.com";
const PASSWORD = "correct horse battery staple";
const JSON_HEADERS = { "Content-Type": "application/json" };

/**
 * The variants. `baseline` comes first and is run between every other one.
 * `auth` names the token a variant sends; `slow` ones get longer in-isolate runs.
 */
const ALL_VARIANTS = [
  { id: "baseline", label: "baseline: unauthenticated small JSON", path: "/bench/baseline" },
  {
    id: "verified",
    label: "edge-auth `requireAccessToken()`, EdDSA, same token every request",
    path: "/bench/verified",
    auth: "edge",
  },
  {
    id: "token-unverified",
    label: "baseline route, carrying the same token, not verified",
    path: "/bench/baseline",
    auth: "edge",
  },
  {
    id: "header-read",
    label: "baseline route, reading the same token's Authorization header, not verifying it",
    path: "/bench/header-read",
    auth: "edge",
  },
  {
    id: "verified-fresh",
    label: "edge-auth `requireAccessToken()`, EdDSA, a different token each request",
    path: "/bench/verified",
    auth: "fresh",
    alg: "EdDSA",
  },
  {
    id: "verified-fresh-rs256",
    label: "edge-auth `requireAccessToken()`, RS256 key, a different token each request",
    path: "/bench/verified",
    auth: "fresh",
    alg: "RS256",
  },
  { id: "hono-jwt", label: "`hono/jwt` middleware, HS256", path: "/bench/hono-jwt", auth: "hs256" },
  { id: "me", label: "`GET /auth/me` (real app)", path: "/auth/me", auth: "edge" },
  {
    id: "login",
    label: "`POST /auth/login` (real app)",
    method: "POST",
    path: "/auth/login",
    body: { email: EMAIL, password: PASSWORD },
    slow: true,
  },
  {
    id: "login-without-hash",
    label: "`POST /auth/login`, the same code with the hash skipped (bench only)",
    method: "POST",
    path: "/bench/login-without-hash",
    body: { email: EMAIL, password: PASSWORD },
    slow: true,
  },
  {
    id: "pbkdf2",
    label: "bare PBKDF2-SHA256, service's iterations",
    path: "/bench/pbkdf2",
    slow: true,
  },
];
/** BENCH_VARIANTS picks some of them for a partial run; the baseline always runs. */
const VARIANTS = ALL_VARIANTS.filter(
  (variant) => variant.id === "baseline" || (SETTINGS.variants?.includes(variant.id) ?? true),
);
for (const id of SETTINGS.variants ?? []) {
  if (!ALL_VARIANTS.some((variant) => variant.id === id)) {
    const ids = ALL_VARIANTS.map((variant) => variant.id).join(", ");
    throw new Error(`BENCH_VARIANTS: unknown variant ${id}; the variants are ${ids}`);
  }
}
const WRANGLER_VARIANTS = ["baseline", "verified"];
const FIXED_RATE_VARIANTS = ["baseline", "verified", "verified-fresh", "verified-fresh-rs256"];
/** Distinct tokens for the "fresh" variant, cycled: in-isolate, and (separately) over HTTP. */
const FRESH_POOL = { isolate: 4096, http: 8192 };

const MICRO_ITEMS = [
  ...["EdDSA", "ES256", "RS256", "HS256"].flatMap((alg) =>
    ["jose.sign", "jose.verify", "webcrypto.sign", "webcrypto.verify"].map((op) => `${op}.${alg}`),
  ),
  "edge-auth.sign.EdDSA",
  "edge-auth.verify.EdDSA",
  "edge-auth.sign.ES256",
  "edge-auth.verify.ES256",
  "edge-auth.sign.RS256",
  "edge-auth.verify.RS256",
  "hono.sign.HS256",
  "hono.verify.HS256",
  // login's steps, with the service's own code (see loginStep in bench/worker.ts)
  ...[
    "rate-limits",
    "select-user",
    "hasher-verify",
    "bare-pbkdf2",
    "write-session",
    "token-response",
    "log-line",
  ].map((step) => `login.${step}`),
];

const log = (message) => {
  const seconds = ((Date.now() - started) / 1000).toFixed(0).padStart(3);
  process.stderr.write(`[bench ${seconds}s] ${message}\n`);
};

/**
 * A, B, A, C, ..., A for each round: every other variant sits between two
 * baselines. Each round starts one variant further on, so that none always
 * follows the same neighbour (the slow ones leave garbage and D1 work behind).
 */
function schedule(variants, rounds) {
  const [baseline, ...others] = variants;
  const runs = [];
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < others.length; i++) {
      const variant = others[(round + i) % others.length];
      runs.push({ variant: baseline, round }, { variant, round });
    }
  }
  runs.push({ variant: baseline, round: rounds - 1 });
  return runs;
}

/**
 * The request a variant makes, with the tokens of this server. A "fresh"
 * variant carries no Authorization header of its own: in-isolate the Worker
 * adds the next token of its pool (`fresh`), over HTTP `nextAuthorization` does.
 */
function requestFor(variant, tokens) {
  const headers = {};
  if (variant.auth === "edge") headers.Authorization = `Bearer ${tokens.edge}`;
  if (variant.auth === "hs256") headers.Authorization = `Bearer ${tokens.hs256}`;
  if (variant.body) Object.assign(headers, JSON_HEADERS);
  const fresh = variant.auth === "fresh" ? variant.alg : undefined;
  return {
    method: variant.method ?? "GET",
    path: variant.path,
    headers,
    body: variant.body ? JSON.stringify(variant.body) : undefined,
    expect: variant.expect ?? 200,
    fresh,
    nextAuthorization: fresh ? () => tokens.nextHttpAuthorization(fresh) : undefined,
  };
}

async function post(url, path, body) {
  const response = await fetch(new URL(path, url), {
    method: "POST",
    headers: JSON_HEADERS,
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/** A user made through /auth/signup, and the tokens every variant needs. */
async function tokensFor(url, config, secrets, { fresh = true } = {}) {
  const secret = secrets.BENCH_HS256_SECRET;
  const pair = await post(url, "/auth/signup", { email: EMAIL, password: PASSWORD });

  // Distinct tokens like the one signup issued, signed with each of the service's keys
  // (EdDSA signs; an RS256 key in the set only verifies, for the RS256 variant).
  const httpPools = new Map();
  for (const key of fresh ? JSON.parse(secrets.JWT_SIGNING_KEYS).keys : []) {
    const isolatePool = mintAuthorizations(pair.access_token, key, FRESH_POOL.isolate);
    await post(url, "/__bench/tokens", { alg: key.alg, authorizations: isolatePool });
    httpPools.set(key.alg, {
      authorizations: mintAuthorizations(pair.access_token, key, FRESH_POOL.http),
      uses: 0,
    });
  }
  const nextHttpAuthorization = (alg) => {
    const pool = httpPools.get(alg);
    return pool.authorizations[pool.uses++ % pool.authorizations.length];
  };
  /** HTTP requests so far that reused a fresh token (a pool had started over). */
  const httpReused = () =>
    [...httpPools.values()].reduce(
      (total, pool) => total + Math.max(0, pool.uses - pool.authorizations.length),
      0,
    );

  // The peer's token: same claims and type as ours, HS256 with the bench secret.
  const now = Math.floor(Date.now() / 1000);
  const hs256 = await new SignJWT({ sid: crypto.randomUUID(), email: EMAIL, roles: ["user"] })
    .setProtectedHeader({ alg: "HS256", typ: "at+jwt" })
    .setIssuer(config.vars.ISSUER)
    .setAudience(config.vars.AUDIENCE)
    .setSubject(pair.user.id)
    .setJti(crypto.randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(new TextEncoder().encode(secret));
  return { edge: pair.access_token, hs256, nextHttpAuthorization, httpReused };
}

/** Every variant must answer as expected before anything is timed. */
async function checkVariants(url, variants, tokens) {
  for (const variant of variants) {
    const request = requestFor(variant, tokens);
    if (request.fresh) request.headers.Authorization = request.nextAuthorization();
    const response = await fetch(new URL(request.path, url), request);
    await response.arrayBuffer();
    if (response.status !== request.expect) {
      throw new Error(`${variant.id}: ${request.path} answered ${response.status}`);
    }
  }
}

async function counts(url) {
  return (await fetch(new URL("/__bench/counts", url))).json();
}

/* ------------------------------------------------------------ in-isolate */

async function isolateRun(server, variant, tokens, budgetMs) {
  const request = requestFor(variant, tokens);
  const spec = { ...request, budgetMs, minIterations: variant.slow ? 5 : 50 };
  const cpu0 = cpuSeconds(server.pid);
  const result = await post(server.url, "/__bench/loop", spec);
  const cpu = cpuSeconds(server.pid) - cpu0;
  if (result.unexpected > 0) {
    throw new Error(
      `${variant.id}: ${JSON.stringify(result.statuses)}, expected ${request.expect}`,
    );
  }
  const perRequest = (name) => (result.operations[name] ?? 0) / result.iterations;
  return {
    iterations: result.iterations,
    usPerRequest: (result.elapsedMs * 1000) / result.iterations,
    requestsPerSecond: (result.iterations * 1000) / result.elapsedMs,
    // Per batch this is a few 10 ms ticks at most: the report sums it per variant.
    cpuSeconds: cpu,
    reusedTokens: result.reusedTokens,
    d1PerRequest: perRequest("d1"),
    kvPerRequest: perRequest("kv"),
    rateLimitPerRequest: perRequest("ratelimit"),
  };
}

/**
 * In-isolate runs are short batches, interleaved: each fast variant alternates
 * with the baseline (A, B, A, B, ..., A) and the slow ones (login, login
 * without its hash, bare PBKDF2) with each other. A garbage collection or a
 * burst of other work then spoils one short batch, which the medians leave
 * out, instead of a whole run; long runs measured those as differences of
 * up to 2x between identical routes.
 */
async function inIsolate(server, tokens) {
  const [baseline, ...others] = VARIANTS;
  const { isolateBatches: batches, slowIsolateBatches: slowBatches } = SETTINGS;
  const sequence = [];
  for (const variant of others.filter((entry) => !entry.slow)) {
    for (let batch = 0; batch < batches; batch++) {
      sequence.push({ variant: baseline, batch }, { variant, batch });
    }
    sequence.push({ variant: baseline, batch: batches - 1 });
  }
  // The slow ones in turn, starting one further on each batch, so that whatever one
  // leaves behind (garbage, D1 work) does not always land on the same neighbour.
  const slow = others.filter((entry) => entry.slow);
  for (let batch = 0; batch < slowBatches; batch++) {
    for (let i = 0; i < slow.length; i++) {
      sequence.push({ variant: slow[(batch + i) % slow.length], batch });
    }
  }

  for (const variant of VARIANTS) await isolateRun(server, variant, tokens, 50); // warm-up
  const runs = [];
  for (const [index, { variant, batch }] of sequence.entries()) {
    const budget = variant.slow ? SETTINGS.slowIsolateBatchMs : SETTINGS.isolateBatchMs;
    const metrics = await isolateRun(server, variant, tokens, budget);
    runs.push({ index, variant: variant.id, round: batch, ...metrics });
  }
  for (const variant of VARIANTS) {
    const us = median(
      runs.filter((run) => run.variant === variant.id).map((run) => run.usPerRequest),
    );
    if (us !== null) log(`in-isolate ${variant.id}: ${us.toFixed(1)} µs/request (median)`);
  }
  return runs;
}

/**
 * Prints where one variant's time goes in the Worker's isolate, by function
 * (BENCH_PROFILE), driven in-isolate or over HTTP (BENCH_PROFILE_VIA=http).
 */
async function profileVariant(server, tokens, id) {
  const variant = VARIANTS.find((entry) => entry.id === id);
  if (!variant) throw new Error(`BENCH_PROFILE: unknown variant ${id}`);
  const overHttp = process.env.BENCH_PROFILE_VIA === "http";
  const drive = async (ms) => {
    if (!overHttp) return isolateRun(server, variant, tokens, ms);
    const [run] = await httpRuns({
      name: "profile",
      url: server.url,
      variants: [variant],
      tokens,
      serverCpu: () => cpuSeconds(server.pid),
      seconds: ms / 1000,
      warmup: false,
      rounds: 1,
    });
    return { iterations: run.completed, usPerRequest: 1e6 / run.requestsPerSecond };
  };
  await drive(500); // warm-up
  let metrics;
  const { self, total, sampled } = await profile(server.inspectorPort, "bench", async () => {
    metrics = await drive(3000);
  });
  const perRequest = (us) => (us / metrics.iterations).toFixed(1).padStart(8);
  const via = overHttp ? "over HTTP" : "in-isolate";
  console.log(`${id}: ${metrics.usPerRequest.toFixed(1)} µs/request ${via}, profiled`);
  console.log(
    `${perRequest(sampled)} µs/request sampled in the Worker's isolate, including the` +
      " pseudo-frames (idle), (program) and (garbage collector).",
  );
  console.log("\nSelf time, µs/request (the function itself, not what it calls):");
  for (const [frame, us] of self.slice(0, 25)) console.log(`${perRequest(us)}  ${frame}`);
  console.log("\nTotal time, µs/request (the function and everything it calls):");
  for (const [frame, us] of total.slice(0, 40)) console.log(`${perRequest(us)}  ${frame}`);
}

/* ------------------------------------------------------------ micro */

async function micro(server) {
  const runs = [];
  for (const item of MICRO_ITEMS) {
    await post(server.url, "/__bench/micro", { item, budgetMs: 50, minIterations: 2 }); // warm-up
  }
  for (let round = 0; round < SETTINGS.rounds; round++) {
    // Every other round backwards, so no item always runs at the same point.
    const items = round % 2 === 0 ? MICRO_ITEMS : [...MICRO_ITEMS].reverse();
    for (const item of items) {
      const budgetMs = item.startsWith("login.")
        ? SETTINGS.slowMicroBudgetMs
        : SETTINGS.microBudgetMs;
      const cpu0 = cpuSeconds(server.pid);
      const result = await post(server.url, "/__bench/micro", { item, budgetMs, minIterations: 5 });
      const cpu = cpuSeconds(server.pid) - cpu0;
      runs.push({
        item,
        round,
        iterations: result.iterations,
        usPerOperation: (result.elapsedMs * 1000) / result.iterations,
        cpuUsPerOperation: (cpu * 1e6) / result.iterations,
        tokenBytes: result.tokenBytes,
      });
    }
    log(`micro-benchmarks: round ${round + 1} of ${SETTINGS.rounds}`);
  }
  return runs;
}

/* ------------------------------------------------------------ HTTP */

/**
 * Over HTTP, workerd and the load generator (this process) would otherwise
 * take turns on the same cores, and the scheduler's choices show up as noise
 * of 10% or more between runs. With two allowed cores or more, workerd gets
 * the first and the load generator the second. Returns a function that puts
 * both back on the cores they had (so that wrangler dev, started later, gets
 * them all), or null when nothing was pinned (BENCH_PIN=0, one core, no taskset).
 */
function pinApart(serverPid) {
  const own = allowedCpus(process.pid);
  const server = allowedCpus(serverPid);
  if (!SETTINGS.pin || !own || !server || own.length < 2) return null;
  const restore = () => {
    pinToCpus(serverPid, server);
    pinToCpus(process.pid, own);
  };
  const [first, second] = own;
  if (!(pinToCpus(serverPid, [first]) && pinToCpus(process.pid, [second]))) {
    restore();
    log("could not pin workerd and the load generator to separate cores (taskset)");
    return null;
  }
  log(`pinned: workerd to CPU ${first}, load generator to CPU ${second}`);
  return restore;
}

async function httpRuns(options) {
  const { name, url, variants, tokens, serverCpu, rate, processes, seconds } = options;
  const load = async (variant, seconds) => {
    const request = requestFor(variant, tokens);
    return runLoad({
      url: new URL(request.path, url).href,
      request,
      expect: request.expect,
      connections: SETTINGS.connections,
      seconds,
      serverCpu,
      rate,
      serverPids: options.serverPids,
    });
  };
  if (options.warmup !== false) {
    for (const variant of variants) await load(variant, SETTINGS.warmupSeconds);
  }

  const runs = [];
  const rounds = options.rounds ?? SETTINGS.rounds;
  for (const [index, entry] of schedule(variants, rounds).entries()) {
    const before = await counts(url);
    const cpuBefore = processes?.() ?? [];
    const reusedBefore = tokens.httpReused?.() ?? 0;
    const metrics = await load(entry.variant, seconds);
    const reusedTokens = (tokens.httpReused?.() ?? 0) - reusedBefore;
    const cpuAfter = processes?.() ?? [];
    await new Promise((resolve) => setTimeout(resolve, 100)); // let stragglers finish
    const after = await counts(url);
    if (metrics.unexpected > 0 || metrics.errors > 0) {
      throw new Error(
        `${name} ${entry.variant.id}: ${metrics.unexpected} unexpected answers, ` +
          `${metrics.errors} errors`,
      );
    }
    runs.push({
      index,
      variant: entry.variant.id,
      round: entry.round,
      ...metrics,
      reusedTokens,
      d1Total: after.d1 - before.d1,
      kvTotal: after.kv - before.kv,
      // CPU µs per request of each server process, when asked for.
      cpuByProcess: cpuAfter.map((process) => ({
        name: `${process.comm} ${process.pid}`,
        usPerRequest:
          ((process.seconds - (cpuBefore.find((each) => each.pid === process.pid)?.seconds ?? 0)) *
            1e6) /
          Math.max(1, metrics.completed),
      })),
    });
    const rps = metrics.requestsPerSecond.toFixed(0);
    log(`${name} ${entry.variant.id}: ${rps} req/s, p99 ${metrics.p99Ms?.toFixed(2)} ms`);
  }
  return runs;
}

/* ------------------------------------------------------------ environment */

function packageVersion(...path) {
  const file = join(root, "node_modules", ...path, "package.json");
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")).version : "not installed";
}

function binaryVersion(pid) {
  try {
    const exe = readlinkSync(`/proc/${pid}/exe`);
    return execFileSync(exe, ["--version"], { encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

function cpuQuota() {
  try {
    const [quota, period] = readFileSync("/sys/fs/cgroup/cpu.max", "utf8").trim().split(" ");
    return quota === "max" ? "no cgroup limit" : `cgroup limit ${Number(quota) / Number(period)}`;
  } catch {
    return null;
  }
}

/** The commit measured, and whether src/ had uncommitted changes. */
function sourceRevision() {
  try {
    const git = (...args) => execFileSync("git", args, { cwd: root, encoding: "utf8" }).trim();
    const commit = git("rev-parse", "--short", "HEAD");
    const dirty = git("status", "--porcelain", "--", "src", "bench/worker.ts") !== "";
    return dirty ? `${commit} plus uncommitted changes in src/ or bench/worker.ts` : commit;
  } catch {
    return "unknown (not a git checkout)";
  }
}

function machine() {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model ?? "unknown",
    cores: cpus.length,
    availableParallelism: os.availableParallelism(),
    cpuQuota: cpuQuota(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: `${os.type()} ${os.release()}`,
    loadAverageAtStart: os.loadavg().map((value) => Number(value.toFixed(2))),
  };
}

function versions(workerdPid) {
  const workerdDir = existsSync(join(root, "node_modules", "miniflare", "node_modules", "workerd"))
    ? ["miniflare", "node_modules", "workerd"]
    : ["workerd"];
  return {
    source: sourceRevision(),
    node: process.version,
    workerd: `${packageVersion(...workerdDir)} (${binaryVersion(workerdPid)})`,
    miniflare: packageVersion("miniflare"),
    wrangler: packageVersion("wrangler"),
    hono: packageVersion("hono"),
    jose: packageVersion("jose"),
    autocannon: packageVersion("autocannon"),
  };
}

/* ------------------------------------------------------------ main */

async function main() {
  const [major, minor] = process.versions.node.split(".").map(Number);
  if (major < 22 || (major === 22 && minor < 12)) {
    throw new Error(`Node ${process.version}: run it with \`npm run bench\` (Node >= 22.12)`);
  }
  const deadline = setTimeout(() => {
    log(`deadline of ${SETTINGS.deadlineSeconds} s passed; stopping everything`);
    cleanUp().finally(() => process.exit(1));
  }, SETTINGS.deadlineSeconds * 1000);
  deadline.unref();

  const results = {
    date: new Date().toISOString(),
    settings: SETTINGS,
    freshPool: FRESH_POOL,
    machine: machine(),
  };
  const config = await readWranglerConfig(root);
  const code = await bundleBenchWorker(root);
  log(`bundled bench/worker.ts (${Math.round(code.length / 1024)} KiB)`);

  // Miniflare: in-isolate, micro-benchmarks and HTTP without any proxy.
  const now = new Date();
  const secrets = {
    // EdDSA signs (the default); the RS256 key is there for the RS256 variant's tokens.
    JWT_SIGNING_KEYS: JSON.stringify({
      keys: [await generateSigningKey(now), await generateSigningKey(now, "RS256")],
    }),
    PASSWORD_PEPPER: generatePepper(),
    BENCH_HS256_SECRET: generatePepper(),
  };
  const workerLog = [];
  const server = await startBenchWorker({
    root,
    config,
    secrets,
    code,
    onLog: (line) => workerLog.push(line),
    inspect: SETTINGS.profile !== undefined,
  });
  log(`workerd (pid ${server.pid}) on ${server.url.href}, migrations ${server.migrations}`);
  results.versions = versions(server.pid);
  try {
    const tokens = await tokensFor(server.url, config, secrets);
    results.tokenBytes = tokens.edge.length;
    await checkVariants(server.url, VARIANTS, tokens);
    if (SETTINGS.profile) return await profileVariant(server, tokens, SETTINGS.profile);
    if (enabled("isolate")) results.isolate = await inIsolate(server, tokens);
    if (enabled("micro")) results.micro = await micro(server);
    if (enabled("http")) {
      const unpin = pinApart(server.pid);
      results.pinned = unpin !== null;
      try {
        results.http = await httpRuns({
          name: "http",
          url: server.url,
          variants: VARIANTS,
          tokens,
          serverCpu: () => cpuSeconds(server.pid),
          serverPids: () => [server.pid],
          seconds: SETTINGS.httpSeconds,
        });
        // Latency at the same offered load for both, well below either's capacity.
        results.fixedRate = await httpRuns({
          name: `http at ${SETTINGS.fixedRate} req/s`,
          url: server.url,
          variants: VARIANTS.filter((variant) => FIXED_RATE_VARIANTS.includes(variant.id)),
          tokens,
          serverCpu: () => cpuSeconds(server.pid),
          serverPids: () => [server.pid],
          rate: SETTINGS.fixedRate,
          seconds: SETTINGS.fixedRateSeconds,
        });
      } finally {
        unpin?.();
      }
    }
  } catch (error) {
    const lines = workerLog.slice(-5).map((line) => line.message ?? JSON.stringify(line));
    process.stderr.write(`last worker log lines:\n${lines.join("\n")}\n`);
    throw error;
  } finally {
    await server.stop();
  }

  // wrangler dev: the same Worker through wrangler's proxy, for comparison.
  if (enabled("wrangler-dev")) {
    const devSecrets = {
      ...secrets,
      JWT_SIGNING_KEYS: JSON.stringify({ keys: [await generateSigningKey()] }),
    };
    log("starting wrangler dev");
    const dev = await startWranglerDev({ root, secrets: devSecrets });
    try {
      const tokens = await tokensFor(dev.url, config, devSecrets, { fresh: false });
      const variants = VARIANTS.filter((variant) => WRANGLER_VARIANTS.includes(variant.id));
      await checkVariants(dev.url, variants, tokens);
      results.wranglerDev = await httpRuns({
        name: "wrangler dev",
        url: dev.url,
        variants,
        tokens,
        serverCpu: () => treeCpuSeconds(dev.pid),
        processes: () => treeCpuByProcess(dev.pid),
        serverPids: () => treeCpuByProcess(dev.pid).map((entry) => entry.pid),
        seconds: SETTINGS.wranglerDevSeconds,
      });
    } finally {
      await dev.stop();
    }
  }

  results.durationSeconds = (Date.now() - started) / 1000;
  const resultsDir = join(root, "bench", "results");
  await mkdir(resultsDir, { recursive: true });
  const stamp = results.date.replace(/[:.]/g, "-");
  await writeFile(join(resultsDir, `${stamp}.json`), `${JSON.stringify(results, null, 2)}\n`);
  const page = renderResults(results, VARIANTS, MICRO_ITEMS);
  if (ALL_PARTS.every(enabled) && SETTINGS.variants === undefined) {
    await writeResultsPage(page);
    log(`wrote bench/RESULTS.md and bench/results/${stamp}.json`);
  } else {
    process.stdout.write(page);
    log(`partial run (BENCH_PARTS or BENCH_VARIANTS): wrote bench/results/${stamp}.json only`);
  }
}

/** Writes RESULTS.md, formatted by the project's Biome so `biome ci` stays green. */
async function writeResultsPage(page) {
  const file = join(root, "bench", "RESULTS.md");
  await writeFile(file, page);
  const biome = join(root, "node_modules", "@biomejs", "biome", "bin", "biome");
  try {
    execFileSync(process.execPath, [biome, "format", "--write", file], {
      cwd: root,
      stdio: "ignore",
    });
  } catch {
    log("warning: could not format bench/RESULTS.md with Biome; run `npm run format`");
  }
}

/** `node bench/run.mjs --render bench/results/<run>.json`: RESULTS.md again from a saved run. */
async function render(file) {
  const results = JSON.parse(readFileSync(file, "utf8"));
  await writeResultsPage(renderResults(results, VARIANTS, MICRO_ITEMS));
  log(`wrote bench/RESULTS.md from ${file}`);
}

try {
  if (process.argv[2] === "--render") await render(process.argv[3]);
  else await main();
} catch (error) {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : error}`);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
