// Turns one bench run into bench/RESULTS.md: medians, ratios against the
// baseline measured in the same run, the targets and whether each is met.

import { median } from "./stats.mjs";

/* ------------------------------------------------------------ numbers */

const runsOf = (runs, id) => runs.filter((run) => run.variant === id);
const medianOf = (runs, id, metric) => median(runsOf(runs, id).map((run) => run[metric]));

/**
 * Each run of `id` with the mean of `metric` over the baseline runs on either
 * side of it (the schedule is A, B, A, C, A, ...); runs without one are left out.
 */
function withBaselines(runs, id, metric) {
  const byIndex = new Map(runs.map((run) => [run.index, run]));
  const pairs = [];
  for (const run of runsOf(runs, id)) {
    const neighbours = [byIndex.get(run.index - 1), byIndex.get(run.index + 1)].filter(
      (neighbour) => neighbour?.variant === "baseline" && neighbour[metric] !== null,
    );
    if (neighbours.length === 0 || run[metric] === null) continue;
    const base = neighbours.reduce((sum, each) => sum + each[metric], 0) / neighbours.length;
    pairs.push({ run, base });
  }
  return pairs;
}

/** For each run of `id`, its metric divided by its neighbouring baselines', by round. */
function pairedByRound(runs, id, metric) {
  if (id === "baseline") return new Map(runsOf(runs, id).map((run) => [run.round, 1]));
  return new Map(
    withBaselines(runs, id, metric).map(({ run, base }) => [run.round, run[metric] / base]),
  );
}

/**
 * Median over runs of a variant's metric minus the mean of its neighbouring
 * baselines: its extra cost, free of drift between far-apart runs.
 */
const pairedExcess = (runs, id, metric) =>
  median(withBaselines(runs, id, metric).map(({ run, base }) => run[metric] - base));

/** Median over rounds of a variant's metric relative to its neighbouring baselines. */
const paired = (runs, id, metric) => median([...pairedByRound(runs, id, metric).values()]);

/** Median over rounds of (a's metric / b's metric), each taken relative to its baselines. */
function crossPaired(runs, a, b, metric) {
  const left = pairedByRound(runs, a, metric);
  const right = pairedByRound(runs, b, metric);
  return median([...left].map(([round, value]) => value / (right.get(round) ?? Number.NaN)));
}

/** Median over rounds of a's metric / b's metric in the same round. */
function sameRound(runs, a, b, metric) {
  const right = new Map(runsOf(runs, b).map((run) => [run.round, run[metric]]));
  return median(runsOf(runs, a).map((run) => run[metric] / (right.get(run.round) ?? Number.NaN)));
}

const microMedian = (micro, item) =>
  median(micro.filter((run) => run.item === item).map((run) => run.usPerOperation));

/* ------------------------------------------------------------ formatting */

function fmt(value, digits = 0) {
  if (value === null || value === undefined || !Number.isFinite(value)) return "n/a";
  return value.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}
const times = (value, digits = 2) => (Number.isFinite(value) ? `${fmt(value, digits)}×` : "n/a");
const verdict = (ok) => (ok === null ? "n/a" : ok ? "met" : "**not met**");
const check = (value, test) => (Number.isFinite(value) ? test(value) : null);

/**
 * Rewraps a Markdown bullet list ("- " items, continuation lines indented) to
 * `width` columns, so the text can be written in whatever pieces the numbers
 * come in.
 */
function reflowList(text, width = 96) {
  const items = text.split(/\n(?=- )/);
  return items
    .map((item) => {
      const words = item.replace(/^- /, "").split(/\s+/).filter(Boolean);
      const lines = [];
      let line = "-";
      for (const word of words) {
        if (line.length + 1 + word.length > width && line.trim() !== "-") {
          lines.push(line);
          line = " ";
        }
        line += ` ${word}`;
      }
      lines.push(line);
      return lines.join("\n");
    })
    .join("\n");
}

function table(header, rows) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/* ------------------------------------------------------------ the page */

export function renderResults(results, variants, microItems) {
  const { isolate = [], http = [], micro = [], machine, versions, settings } = results;
  const fixed = results.fixedRate ?? [];
  const dev = results.wranglerDev ?? [];
  const label = Object.fromEntries(variants.map((variant) => [variant.id, variant.label]));
  // Slow variants run in-isolate against each other, not between baseline batches.
  const slow = new Set(variants.filter((variant) => variant.slow).map((variant) => variant.id));
  const httpIds = [...new Set(http.map((run) => run.variant))];
  const isolateIds = [...new Set(isolate.map((run) => run.variant))];
  const devIds = [...new Set(dev.map((run) => run.variant))];

  /* targets */
  // Each verified-route target is judged three times: with the same token on
  // every request (what a per-isolate memo of verified tokens can serve), and
  // with a different token on every request (a full verification each time),
  // signed by the default EdDSA key or by an RS256 key of the same key set.
  const atLeast = (limit) => (value) => value >= limit;
  const atMost = (limit) => (value) => value <= limit;
  const cell = (value, test) => `${times(value)} ${verdict(check(value, test))}`;
  const both = (measure, test) => [
    cell(measure("verified"), test),
    cell(measure("verified-fresh"), test),
    cell(measure("verified-fresh-rs256"), test),
  ];
  const microVerify = (item) => microMedian(micro, item);
  const verifiedTargets = table(
    [
      "target",
      "measured where",
      "same token every request",
      "a different token each request",
      "a different token each request, RS256 key",
    ],
    [
      [
        "verified route throughput ≥ 0.90 × baseline",
        "HTTP, no proxy",
        ...both((id) => paired(http, id, "requestsPerSecond"), atLeast(0.9)),
      ],
      [
        "",
        "HTTP, no proxy, workerd CPU per request (baseline ÷ variant)",
        ...both((id) => 1 / paired(http, id, "serverCpuPerRequestUs"), atLeast(0.9)),
      ],
      ["", "in-isolate", ...both((id) => paired(isolate, id, "requestsPerSecond"), atLeast(0.9))],
      [
        "verified route p99 ≤ 1.2 × baseline p99",
        "HTTP, no proxy, full load",
        ...both((id) => paired(http, id, "p99Ms"), atMost(1.2)),
      ],
      [
        "",
        `HTTP, no proxy, ${fmt(settings.fixedRate)} req/s offered`,
        ...both((id) => paired(fixed, id, "p99Ms"), atMost(1.2)),
      ],
      [
        "edge-auth middleware (EdDSA) at least as fast as `hono/jwt` (HS256): throughput ratio",
        "in-isolate",
        ...both((id) => crossPaired(isolate, id, "hono-jwt", "requestsPerSecond"), atLeast(1)),
      ],
      [
        "",
        "HTTP, no proxy",
        ...both((id) => crossPaired(http, id, "hono-jwt", "requestsPerSecond"), atLeast(1)),
      ],
      [
        "",
        "verification alone: `verifyAccessToken` vs hono's `verify` (speed ratio)",
        "n/a (no memo here)",
        cell(microVerify("hono.verify.HS256") / microVerify("edge-auth.verify.EdDSA"), atLeast(1)),
        cell(microVerify("hono.verify.HS256") / microVerify("edge-auth.verify.RS256"), atLeast(1)),
      ],
    ],
  );
  // Rate limits and the user lookup overlap; the session write follows the hash.
  const loginFloor =
    Math.max(microMedian(micro, "login.rate-limits"), microMedian(micro, "login.select-user")) +
    microMedian(micro, "login.write-session");
  const loginTargets = table(
    ["target", "measured where", "login ÷ bare PBKDF2"],
    [
      [
        "login ≤ 1.10 × bare PBKDF2",
        "in-isolate, time per request",
        cell(sameRound(isolate, "login", "pbkdf2", "usPerRequest"), atMost(1.1)),
      ],
      [
        "",
        "HTTP, no proxy, inverse throughput",
        cell(sameRound(http, "pbkdf2", "login", "requestsPerSecond"), atMost(1.1)),
      ],
      [
        "",
        "HTTP, no proxy, workerd CPU per request",
        cell(sameRound(http, "login", "pbkdf2", "serverCpuPerRequestUs"), atMost(1.1)),
      ],
      [
        "what the target leaves for everything but the hash: ≤ 0.10 × bare PBKDF2",
        "in-isolate: the login route with its hash skipped (bench only)",
        cell(sameRound(isolate, "login-without-hash", "pbkdf2", "usPerRequest"), atMost(0.1)),
      ],
      [
        "",
        "in-isolate: only the platform calls a login must make, one by one (see below)",
        cell(loginFloor / microMedian(micro, "login.bare-pbkdf2"), atMost(0.1)),
      ],
    ],
  );
  const targets = `${verifiedTargets}\n\n${loginTargets}`;

  /* HTTP without proxy */
  const httpTable = table(
    [
      "variant",
      "req/s",
      "× baseline",
      "p50 ms",
      "p99 ms",
      "p99 × baseline",
      "workerd CPU µs/req",
      "load generator CPU µs/req",
    ],
    httpIds.map((id) => [
      label[id],
      fmt(medianOf(http, id, "requestsPerSecond")),
      times(paired(http, id, "requestsPerSecond")),
      fmt(medianOf(http, id, "p50Ms"), 2),
      fmt(medianOf(http, id, "p99Ms"), 2),
      times(paired(http, id, "p99Ms")),
      fmt(medianOf(http, id, "serverCpuPerRequestUs")),
      fmt(medianOf(http, id, "clientCpuPerRequestUs")),
    ]),
  );

  /* HTTP at a fixed rate */
  const fixedIds = [...new Set(fixed.map((run) => run.variant))];
  const fixedTable = table(
    [
      "variant",
      "achieved req/s",
      "p50 ms",
      "p99 ms",
      "p99 × baseline",
      "workerd CPU µs/req",
      "workerd busy (cores)",
    ],
    fixedIds.map((id) => [
      label[id],
      fmt(medianOf(fixed, id, "requestsPerSecond")),
      fmt(medianOf(fixed, id, "p50Ms"), 2),
      fmt(medianOf(fixed, id, "p99Ms"), 2),
      times(paired(fixed, id, "p99Ms")),
      fmt(medianOf(fixed, id, "serverCpuPerRequestUs")),
      fmt(medianOf(fixed, id, "serverCores"), 2),
    ]),
  );

  /* in-isolate */
  const extra = (id) => pairedExcess(isolate, id, "usPerRequest");
  const isolateCpu = (id) => {
    const runs = runsOf(isolate, id);
    const iterations = runs.reduce((total, run) => total + run.iterations, 0);
    return (runs.reduce((total, run) => total + run.cpuSeconds, 0) * 1e6) / iterations;
  };
  const isolateTable = table(
    [
      "variant",
      "µs/request",
      "µs over baseline",
      "requests/s",
      "× baseline",
      "workerd CPU µs/req",
      "D1 ops/req",
      "KV ops/req",
      "rate-limit calls/req",
    ],
    isolateIds.map((id) => [
      label[id],
      fmt(medianOf(isolate, id, "usPerRequest"), 1),
      slow.has(id) ? "—" : fmt(id === "baseline" ? 0 : extra(id), 1),
      fmt(medianOf(isolate, id, "requestsPerSecond")),
      slow.has(id) ? "—" : times(paired(isolate, id, "requestsPerSecond")),
      fmt(isolateCpu(id)),
      fmt(medianOf(isolate, id, "d1PerRequest"), 2),
      fmt(medianOf(isolate, id, "kvPerRequest"), 2),
      fmt(medianOf(isolate, id, "rateLimitPerRequest"), 2),
    ]),
  );
  const protectedHttp = http.filter((run) => ["verified", "me", "hono-jwt"].includes(run.variant));
  const protectedRequests = protectedHttp.reduce((sum, run) => sum + run.completed, 0);
  const protectedD1 = protectedHttp.reduce((sum, run) => sum + run.d1Total, 0);
  const protectedKv = protectedHttp.reduce((sum, run) => sum + run.kvTotal, 0);

  /* wrangler dev */
  let devSection = "Not run (see `BENCH_PARTS`).";
  if (dev.length > 0) {
    const devTable = table(
      [
        "variant (through wrangler's proxy)",
        "req/s",
        "× baseline",
        "p50 ms",
        "p99 ms",
        "p99 × baseline",
        "CPU µs/req, all wrangler dev processes",
        "req/s vs. no proxy",
      ],
      devIds.map((id) => [
        label[id],
        fmt(medianOf(dev, id, "requestsPerSecond")),
        times(paired(dev, id, "requestsPerSecond")),
        fmt(medianOf(dev, id, "p50Ms"), 2),
        fmt(medianOf(dev, id, "p99Ms"), 2),
        times(paired(dev, id, "p99Ms")),
        fmt(medianOf(dev, id, "serverCpuPerRequestUs")),
        times(medianOf(dev, id, "requestsPerSecond") / medianOf(http, id, "requestsPerSecond")),
      ]),
    );
    const processNames = [...new Set(dev.flatMap((run) => run.cpuByProcess.map((p) => p.name)))];
    const perProcess = processNames
      .map((name) => {
        const values = dev.map(
          (run) => run.cpuByProcess.find((each) => each.name === name)?.usPerRequest ?? 0,
        );
        return { name, us: median(values) };
      })
      .filter((entry) => entry.us >= 1)
      .sort((a, b) => b.us - a.us)
      .map((entry) => `${entry.name.replace(/ (\d+)$/, " (pid $1)")} ${fmt(entry.us)} µs`)
      .join(", ");
    devSection = [
      "`wrangler dev` on 127.0.0.1 running the same bench Worker (throwaway `--persist-to` and",
      "`--env-file`), loaded like the runs above. Every request goes through wrangler's dev",
      "proxy (a proxy Worker in a second workerd, the assets router) and wrangler logs a line",
      "for each, so these figures describe the dev tooling, not the service; they are **not**",
      "comparable to the numbers above except to show that overhead.",
      "",
      devTable,
      "",
      "CPU per request by process (median of all runs; `node` is wrangler itself): " +
        `${perProcess}.`,
    ].join("\n");
  }

  /* micro-benchmarks */
  const algorithms = ["EdDSA", "ES256", "RS256", "HS256"];
  const microTable = table(
    [
      "algorithm",
      "jose sign µs",
      "jose verify µs",
      "verify ops/s",
      "WebCrypto sign µs",
      "WebCrypto verify µs",
      "token bytes",
    ],
    algorithms.map((alg) => [
      alg,
      fmt(microMedian(micro, `jose.sign.${alg}`), 1),
      fmt(microMedian(micro, `jose.verify.${alg}`), 1),
      fmt(1e6 / microMedian(micro, `jose.verify.${alg}`)),
      fmt(microMedian(micro, `webcrypto.sign.${alg}`), 1),
      fmt(microMedian(micro, `webcrypto.verify.${alg}`), 1),
      fmt(median(micro.filter((run) => run.item === `jose.sign.${alg}`).map((r) => r.tokenBytes))),
    ]),
  );
  const byTime = (op) =>
    ["EdDSA", "ES256", "RS256"]
      .map((alg) => ({ alg, us: microMedian(micro, `jose.${op}.${alg}`) }))
      .filter((entry) => Number.isFinite(entry.us))
      .sort((a, b) => a.us - b.us)
      .map((entry) => `${entry.alg} ${fmt(entry.us)} µs`)
      .join(" < ");
  const microSpread = median(
    [...new Set(micro.map((run) => run.item))].map((item) => {
      const values = micro.filter((run) => run.item === item).map((run) => run.usPerOperation);
      return (Math.max(...values) - Math.min(...values)) / median(values);
    }),
  );
  const ranking = [
    `Public-key algorithms, fastest first: verify ${byTime("verify")}; sign ${byTime("sign")}.`,
    "HS256 is fastest at both but needs the signing secret at every verifier.",
    `The runs of one operation differ by ${fmt(100 * microSpread)}%`,
    "(median of (max − min) / median),",
    "so smaller differences than that are noise.",
  ].join(" ");
  const extraItems = microItems.filter(
    (item) => !item.startsWith("jose.") && !item.startsWith("webcrypto."),
  );
  const extraNames = {
    "edge-auth.sign.EdDSA": "edge-auth `signAccessToken`, EdDSA",
    "edge-auth.verify.EdDSA": "edge-auth `verifyAccessToken`, EdDSA",
    "edge-auth.sign.ES256": "edge-auth `signAccessToken`, ES256",
    "edge-auth.sign.RS256": "edge-auth `signAccessToken`, RS256",
    "edge-auth.verify.RS256": "edge-auth `verifyAccessToken`, RS256",
    "edge-auth.verify.ES256": "edge-auth `verifyAccessToken`, ES256",
    "hono.sign.HS256": "`hono/jwt` `sign`, HS256 (string secret)",
    "hono.verify.HS256": "`hono/jwt` `verify`, HS256 (string secret, as the middleware calls it)",
    "login.rate-limits": "login step: `enforceRateLimits` (IP and account, local binding)",
    "login.select-user": "login step: select the user by email (drizzle, local D1)",
    "login.hasher-verify": "login step: `hasher.verify` (pepper HMAC + PBKDF2)",
    "login.bare-pbkdf2": "bare PBKDF2-SHA256, for comparison",
    "login.write-session": "login step: write session and refresh token (one D1 batch, local)",
    "login.log-line": "login step: its one structured log line (`console.log` of JSON)",
    "login.token-response":
      "login step: new refresh token + `tokenResponse` (signs the access token)",
  };
  const extraTable = table(
    ["operation", "µs/op", "workerd CPU µs/op"],
    extraItems.map((item) => [
      extraNames[item] ?? item,
      fmt(microMedian(micro, item), 1),
      fmt(median(micro.filter((run) => run.item === item).map((run) => run.cpuUsPerOperation))),
    ]),
  );

  /* where the cost goes */
  const iso = (id) => medianOf(isolate, id, "usPerRequest");
  const m = (item) => microMedian(micro, item);
  const verifiedExtra = extra("verified-fresh");
  const memoExtra = extra("verified");
  const appStack = extra("me") - extra("verified");
  const honoExtra = extra("hono-jwt");
  const httpBaselineCpu = medianOf(http, "baseline", "serverCpuPerRequestUs");
  const httpVerifiedCpu = medianOf(http, "verified", "serverCpuPerRequestUs");
  const clientCpu = medianOf(http, "baseline", "clientCpuPerRequestUs");
  const loginSteps = [
    "rate-limits",
    "select-user",
    "hasher-verify",
    "write-session",
    "token-response",
    "log-line",
  ].reduce((sum, step) => sum + m(`login.${step}`), 0);
  const bindingSteps = m("login.rate-limits") + m("login.select-user") + m("login.write-session");
  // A difference of two noisy medians can come out below zero: say so, not "-3 µs".
  const cost = (us) => (us > 0 ? `${fmt(us)} µs` : "no measurable time (within noise)");
  const share = (part, whole) => (whole > 0 ? `${fmt((100 * part) / whole)}%` : "n/a");
  const costs = reflowList(
    [
      `- **Verification, in-isolate.** With a different token on each request (a full`,
      `  verification`,
      `  every time) the verified route costs ${fmt(verifiedExtra)} µs more per request than the`,
      `  baseline`,
      `  (${fmt(iso("baseline"))} µs). \`verifyAccessToken\` alone takes`,
      `  ${fmt(m("edge-auth.verify.EdDSA"))} µs`,
      `  (${share(m("edge-auth.verify.EdDSA"), verifiedExtra)} of the difference), of which`,
      `  jose's`,
      `  \`jwtVerify\` is ${fmt(m("jose.verify.EdDSA"))} µs and the Ed25519 signature check`,
      `  itself`,
      `  (WebCrypto) ${fmt(m("webcrypto.verify.EdDSA"))} µs. So about`,
      `  ${fmt(m("webcrypto.verify.EdDSA"))} µs is`,
      `  the signature, ${cost(m("jose.verify.EdDSA") - m("webcrypto.verify.EdDSA"))} for jose's`,
      `  parsing and claim`,
      `  checks, ${cost(m("edge-auth.verify.EdDSA") - m("jose.verify.EdDSA"))} for edge-auth's`,
      `  own`,
      `  work around jose,`,
      `  and ${fmt(verifiedExtra - m("edge-auth.verify.EdDSA"))} µs more than the`,
      `  micro-benchmark,`,
      `  which`,
      "  `BENCH_PROFILE=verified-fresh` (see bench/README.md) can break down. (In the profiles",
      "  taken",
      "  while this bench was written, most of it was the signature check itself, slower between",
      "  requests than in a tight loop, and the middleware's own functions took a few µs each.)",
      `  With an RS256 key (\`verifyAccessToken\` ${fmt(m("edge-auth.verify.RS256"))} µs) the`,
      `  route`,
      `  costs`,
      `  ${fmt(extra("verified-fresh-rs256"))} µs more than the baseline per new token, against`,
      `  ${fmt(honoExtra)} µs for \`hono/jwt\`.`,
      `- **Same token every request.** The route then costs ${fmt(memoExtra)} µs more than the`,
      "  baseline: whatever the current code does when it has seen the token before (a",
      "  per-isolate",
      "  memo of verified tokens, if there is one) instead of the signature check. How often",
      "  that",
      "  happens in production depends on how many requests one isolate sees per token.",
      `- **The real app around it.** \`GET /auth/me\` with the same token costs`,
      `  ${cost(appStack)}`,
      `  more`,
      "  than the bench's verified route with the same token: the real app's middleware",
      "  (security",
      "  headers, CORS, the static-site gate, cache headers) and its larger router and answer.",
      `- **The peer.** \`hono/jwt\` adds ${fmt(honoExtra)} µs per request; its \`verify\` takes`,
      `  ${fmt(m("hono.verify.HS256"))} µs, of which the HMAC itself (WebCrypto, key already`,
      `  imported)`,
      `  is ${fmt(m("webcrypto.verify.HS256"))} µs: most of it is re-importing the secret and`,
      `  JSON`,
      `  work.`,
      `- **Over HTTP** workerd spends ${fmt(httpBaselineCpu)} µs of CPU per baseline request`,
      `  (${fmt(httpVerifiedCpu)} µs verified) against ${fmt(isolateCpu("baseline"))} µs`,
      "  in-isolate: HTTP parsing, the socket and response writing cost more than the app",
      "  itself,",
      `  so the same verification cost is a smaller share over HTTP. The load generator spends`,
      `  ${fmt(clientCpu)} µs of CPU per baseline request on the same machine. The baseline`,
      `  route`,
      `  carrying the same token without verifying it (signup's, ${fmt(results.tokenBytes)}`,
      `  bytes)`,
      `  runs at`,
      `  ${times(paired(http, "token-unverified", "requestsPerSecond"))} the baseline's`,
      `  throughput`,
      `  (${fmt(medianOf(http, "token-unverified", "serverCpuPerRequestUs"))} µs of workerd CPU`,
      `  per`,
      `  request):`,
      "  the token's bytes on the wire cost next to nothing. Reading its header, not verifying",
      "  it:",
      `  ${times(paired(http, "header-read", "requestsPerSecond"))}; what is left of the`,
      `  verified`,
      `  route's cost is the check.`,
      `- **Login, in-isolate.** Login takes ${fmt(iso("login"))} µs per request against`,
      `  ${fmt(iso("pbkdf2"))} µs for a bare PBKDF2 hash. Its steps, timed one by one with the`,
      `  service's own code: rate limits ${fmt(m("login.rate-limits"))} µs, user lookup`,
      `  ${fmt(m("login.select-user"))} µs, \`hasher.verify\` ${fmt(m("login.hasher-verify"))}`,
      `  µs`,
      `  (bare PBKDF2 in`,
      `  the same runs: ${fmt(m("login.bare-pbkdf2"))} µs), session write`,
      `  ${fmt(m("login.write-session"))} µs,`,
      `  token response ${fmt(m("login.token-response"))} µs, log line`,
      `  ${fmt(m("login.log-line"))}`,
      `  µs;`,
      `  together ${fmt(loginSteps)} µs. The other ${fmt(iso("login") - loginSteps)} µs of the`,
      `  measured`,
      "  login are request handling (JSON body, middleware, the bindings' own JavaScript) and",
      "  the",
      "  machine's run-to-run variation (see the spread above). Beyond",
      `  the hash, the steps that cost are the bindings: ${fmt(bindingSteps)} µs for rate limits`,
      `  and`,
      `  D1`,
      `  (${share(bindingSteps, loginSteps)} of the steps). Local D1 and rate limits are`,
      `  emulated`,
      `  inside`,
      "  workerd (SQLite and JavaScript in the same process); in production they are network",
      "  calls",
      "  whose cost is latency rather than CPU, so this part of the ratio is specific to local",
      "  runs.",
      `  The login route with its hash skipped takes ${fmt(iso("login-without-hash"))} µs (the`,
      `  real`,
      `  route and`,
      "  code, with a service whose hasher accepts any password; bench only): that is everything",
      "  a",
      `  login does besides PBKDF2, ${times(iso("login-without-hash") / iso("pbkdf2"))} of a`,
      `  bare`,
      `  hash. The platform`,
      `  calls alone (rate limits overlapping the lookup, then the session write) are`,
      `  ${fmt(loginFloor)} µs,`,
      `  ${times(loginFloor / m("login.bare-pbkdf2"))} of a bare hash: more than the 0.10× the`,
      `  target leaves,`,
      "  before any of edge-auth's own code runs. None of them can move: the limits must pass",
      "  before",
      "  any hashing (so a refused client costs no hash), the salt comes from the lookup, and",
      "  the",
      "  session must exist before its tokens are handed out.",
    ].join("\n"),
  );

  /* caveats */
  const allHttp = [...http, ...fixed, ...dev];
  const sum = (runs, metric) => runs.reduce((total, run) => total + (run[metric] ?? 0), 0);
  const reusedIsolate = sum(isolate, "reusedTokens");
  const reusedHttp = sum([...http, ...fixed], "reusedTokens");
  const maxOther = Math.max(0, ...allHttp.map((run) => run.otherCores));
  const medianOther = median(allHttp.map((run) => run.otherCores));
  const otherTotals = new Map();
  for (const run of allHttp) {
    for (const other of run.others ?? []) {
      const name = other.name.replace(/ \d+$/, "").trim();
      otherTotals.set(name, (otherTotals.get(name) ?? 0) + other.cores * run.seconds);
    }
  }
  const disturbance =
    medianOther > 0.1
      ? "That is enough to disturb the numbers: rerun on an idle machine for figures to compare."
      : maxOther > 0.3
        ? "Some runs were disturbed; alternation and medians limit the effect."
        : "The machine was otherwise idle.";
  const busyTime = allHttp.reduce((total, run) => total + run.seconds, 0);
  // Other load is sampled during HTTP runs only; without them there is nothing to say.
  const otherLoadMeasured = () =>
    `Up to ${fmt(maxOther, 2)} cores were busy with other processes during an HTTP run (machine
  busy time minus the server and the bench process; median ${fmt(medianOther, 2)}). Busiest
  other processes that lived through a whole run: ${otherNames}. ${disturbance} In-isolate
  runs and micro-benchmarks are not watched this way; the load average at the start was
  ${machine.loadAverageAtStart.join(", ")}.`;
  const otherNames =
    [...otherTotals]
      .filter(([, seconds]) => seconds / busyTime >= 0.01)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([name, seconds]) => `${name} (${fmt(seconds / busyTime, 2)} cores on average)`)
      .join(", ") || "none above 0.01 cores on average";
  const otherLoad =
    allHttp.length > 0
      ? otherLoadMeasured()
      : "Not measured: this run made no HTTP runs. The load average at the start was " +
        `${machine.loadAverageAtStart.join(", ")}.`;
  const baseRuns = runsOf(http, "baseline");
  const serverCores = median(baseRuns.map((run) => run.serverCores));
  const clientCores = median(baseRuns.map((run) => run.clientCores));
  const pinning = results.pinned
    ? "Over HTTP workerd was pinned to one core and the load generator to another (taskset), " +
      "so they did not take turns on the same core."
    : "workerd and the load generator were not pinned to separate cores " +
      "(BENCH_PIN=0, one core, or no taskset).";
  const bottleneck =
    serverCores >= 0.9
      ? "the Worker's thread was the bottleneck, not the load generator."
      : "the Worker's thread was not saturated: cheap routes may be limited by the load " +
        "generator or by other processes, which compresses the differences between them over HTTP.";

  return `# edge-auth benchmark results

Written by \`npm run bench\` (bench/run.mjs) on ${results.date}; the run took
${fmt(results.durationSeconds)} s. Do not edit by hand: run it again. Raw numbers of every run
are in \`bench/results/\` (not committed).

## Machine and versions

| | |
| --- | --- |
| edge-auth | ${versions.source} |
| CPU | ${machine.cpuModel}, ${machine.cores} cores (${[`${machine.availableParallelism} available`, machine.cpuQuota].filter(Boolean).join(", ")}) |
| memory, kernel | ${machine.memoryGiB} GiB, ${machine.kernel} |
| load average at start | ${machine.loadAverageAtStart.join(", ")} |
| node | ${versions.node} |
| workerd | ${versions.workerd} |
| miniflare | ${versions.miniflare} |
| wrangler | ${versions.wrangler} |
| hono | ${versions.hono} |
| jose | ${versions.jose} |
| autocannon | ${versions.autocannon} |

## Targets

${targets}

Each ratio is a median over runs, each run compared with the baseline runs just before and
after it: ${settings.rounds} rounds over HTTP, ${settings.isolateBatches} short batches in-isolate
(login against PBKDF2: ${settings.slowIsolateBatches} batches of each, in turn). Throughput ratios:
higher is better; time and latency ratios: lower is better. A median of per-run ratios can
differ from the ratio of the medians shown beside it: the runs' baselines move.

## Over HTTP, workerd via Miniflare (no proxy)

workerd started through Miniflare's Node API, requests sent to a socket bound directly to the
bench Worker on 127.0.0.1 (no Miniflare entry worker, no wrangler proxy). autocannon,
${settings.connections} connections, ${settings.httpSeconds} s per run, ${settings.rounds} runs
per variant alternated with the baseline; medians. Latency percentiles are computed from every
response time (µs resolution). CPU is from \`/proc/<pid>/stat\` (10 ms ticks) divided by
completed requests.

${httpTable}

The same at a fixed offered load of ${fmt(settings.fixedRate)} req/s (autocannon's
\`overallRate\`, open loop), so latency is compared without the queueing that full load adds:

${fixedTable}

D1 and KV operations during the HTTP runs of the protected routes (verified, hono/jwt,
\`/auth/me\`): ${fmt(protectedD1)} D1 and ${fmt(protectedKv)} KV over ${fmt(protectedRequests)}
requests.

## In-isolate (the Worker's fetch handler, inside workerd)

A bench-only route loops over the Worker's own fetch handler (\`new Request\` →
\`fetch(request, env, ctx)\` → body read), timed with \`performance.now()\` inside workerd; no
HTTP. It runs in short batches, interleaved: ${settings.isolateBatches} batches of
${settings.isolateBatchMs} ms of each variant, every one between two batches of the baseline,
and ${settings.slowIsolateBatches} batches of ${settings.slowIsolateBatchMs} ms of each slow
variant (login, login without its hash, PBKDF2) in turn.
Times are medians over batches, ratios medians of each batch against its neighbours, and
CPU is workerd's over all of a variant's batches. D1, KV and rate-limit calls are counted by
proxies around those bindings.

${isolateTable}

## Through \`wrangler dev\`

${devSection}

## JWT sign and verify inside workerd

jose ${versions.jose}, keys imported once, the same claims and \`typ: at+jwt\` as edge-auth's
access tokens; verification checks issuer, audience, type and required claims. "WebCrypto" is
the bare signature operation on the same signing input. Medians of ${settings.rounds} runs of
${settings.microBudgetMs} ms each.

${microTable}

${ranking}

${extraTable}

## Where the per-request cost goes

${costs}

## Method and caveats

- **Alternation.** Over HTTP, variants run as A, B, A, C, A, D, ... (A = baseline),
  ${settings.rounds} rounds, after a warm-up run of each; in-isolate, as short interleaved batches
  (see that section). Each ratio compares a run with the baseline runs next to it, which
  cancels slow drift of the machine; what it cannot cancel is noise faster than a run, and
  on this kind of machine (a shared virtual machine) identical runs differ by 10% or more, so
  a ratio within a few hundredths of its target can land on either side of it from one full
  run to the next.
- **The load generator shares the machine.** autocannon runs in the bench's own Node process on
  the same ${machine.cores} cores as workerd. During baseline runs workerd used
  ${fmt(serverCores, 2)} cores and the load generator ${fmt(clientCores, 2)} cores (median). workerd
  runs one Worker's requests on one thread, so ${bottleneck}
  ${pinning}
  The in-isolate and CPU-per-request columns do not depend on the load generator.
- **Other load.** ${otherLoad}
- **Fresh tokens.** The "different token each request" variant cycles through
  ${fmt(results.freshPool.isolate)} distinct valid tokens in-isolate and another
  ${fmt(results.freshPool.http)} over HTTP, minted by the bench with the service's signing key
  in the shape of the token signup issued (same header and claims, own \`jti\`).
  ${fmt(reusedIsolate)} in-isolate and ${fmt(reusedHttp)} HTTP requests reused a token after its
  pool started over; a
  memo of verified tokens smaller than the pool (first-in-first-out or least-recently-used)
  still misses on every one of them.
- **Timers.** \`performance.now()\` in workerd has millisecond resolution: one in-isolate
  batch of ${settings.isolateBatchMs} ms can be off by ${fmt(100 / settings.isolateBatchMs)}%,
  which the median over ${settings.isolateBatches} batches evens out.
- **Locally emulated platform.** Local D1, KV and rate limits run inside workerd, so their
  cost here is CPU, not network. Rate limits are raised in the bench so login is never
  refused; the binding is still called.
- **PBKDF2.** The bare PBKDF2 variant hashes with the service's configured iterations
  (\`PBKDF2_ITERATIONS\`) and a fresh 16-byte salt, like \`hasher.hash\` without the pepper.
`;
}
