// Bundles bench/worker.ts and runs it in workerd through Miniflare's Node API,
// on 127.0.0.1 only, with local D1, KV and rate limiters, and the migrations
// applied. Requests go to a socket bound directly to the Worker (no Miniflare
// entry worker, no wrangler proxy).

import { readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { killAtExit, onCleanup } from "./cleanup.mjs";
import { freePort } from "./ports.mjs";
import { descendants } from "./processes.mjs";

/** High enough that no bench run is ever rate limited; the binding is still called. */
const BENCH_RATE_LIMIT = 1_000_000_000;

/** wrangler.toml as wrangler itself reads it. */
export async function readWranglerConfig(root) {
  process.env.WRANGLER_SEND_METRICS = "false";
  const { unstable_readConfig } = await import("wrangler");
  return unstable_readConfig({ config: join(root, "wrangler.toml") });
}

/**
 * Bundles the bench Worker with the esbuild wrangler uses (resolved through
 * wrangler's own dependencies, so the bench adds no dependency of its own).
 */
export async function bundleBenchWorker(root) {
  const fromWrangler = createRequire(join(root, "node_modules", "wrangler", "package.json"));
  const esbuild = fromWrangler("esbuild");
  const result = await esbuild.build({
    entryPoints: [join(root, "bench", "worker.ts")],
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    target: "es2024",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["browser", "module", "main"],
    external: ["cloudflare:*"],
    logLevel: "error",
  });
  await esbuild.stop(); // its service process is not needed any more
  return result.outputFiles[0].text;
}

/** D1 migrations in order, each split into statements the way drizzle writes them. */
async function readMigrations(directory) {
  const files = (await readdir(directory)).filter((name) => name.endsWith(".sql")).sort();
  const migrations = [];
  for (const name of files) {
    const text = await readFile(join(directory, name), "utf8");
    const statements = text
      .split("--> statement-breakpoint")
      .map((statement) => statement.trim())
      .filter((statement) => statement !== "");
    migrations.push({ name, statements });
  }
  return migrations;
}

/**
 * Starts the bench Worker; returns its direct URL, the workerd pid and a stop
 * function (also registered for cleanup).
 */
export async function startBenchWorker({ root, config, secrets, code, onLog, inspect = false }) {
  const inspectorPort = inspect ? await freePort() : undefined;
  const d1 = config.d1_databases.find((entry) => entry.binding === "DB");
  const ratelimits = Object.fromEntries(
    (config.ratelimits ?? []).map((entry) => [
      entry.name,
      { namespace_id: entry.namespace_id, simple: { limit: BENCH_RATE_LIMIT, period: 60 } },
    ]),
  );
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: "127.0.0.1",
      port: 0,
      enableDevRegistry: false,
      cf: false,
      ...(inspectorPort === undefined ? {} : { inspectorPort, inspectorHost: "127.0.0.1" }),
      handleStructuredLogs: onLog,
      workers: [
        {
          name: "bench",
          modules: [{ type: "ESModule", path: join(root, "bench", "worker.js"), contents: code }],
          compatibilityDate: config.compatibility_date,
          compatibilityFlags: config.compatibility_flags ?? [],
          bindings: { ...config.vars, ...secrets },
          d1Databases: { DB: "bench-db" },
          kvNamespaces: Object.fromEntries(
            config.kv_namespaces.map((entry) => [entry.binding, `bench-${entry.binding}`]),
          ),
          ratelimits,
          unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
        },
      ],
    }),
  );
  let forgetPid = () => {};
  const stop = async () => {
    await mf.dispose();
    forgetPid();
  };
  const unregister = onCleanup(stop);

  await mf.ready;
  const url = await mf.unsafeGetDirectURL("bench");
  const workerd = descendants(process.pid).filter((entry) => entry.comm === "workerd");
  if (workerd.length !== 1) throw new Error(`expected one workerd child, found ${workerd.length}`);
  const { pid } = workerd[0];
  forgetPid = killAtExit(pid);

  const db = await mf.getD1Database("DB");
  const migrations = await readMigrations(join(root, d1?.migrations_dir ?? "migrations"));
  for (const migration of migrations) {
    await db.batch(migration.statements.map((statement) => db.prepare(statement)));
  }

  return {
    url: new URL(url.href),
    pid,
    inspectorPort,
    migrations: migrations.map((migration) => migration.name),
    stop: async () => {
      unregister();
      await stop();
    },
  };
}
