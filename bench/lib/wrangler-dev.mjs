// Starts `wrangler dev` on 127.0.0.1 for the bench Worker, with throwaway
// state (its own --persist-to folder and --env-file), the way
// test/e2e/wrangler-dev.mjs starts the real Worker. That module is not reused
// because it always runs src/index.ts, which has no bench routes. Requests
// then go through wrangler's dev proxy, which is what these figures are for.

import { execFile, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import { killAtExit, onCleanup } from "./cleanup.mjs";
import { freePort } from "./ports.mjs";

const run = promisify(execFile);

/**
 * No metrics, no Request.cf download; the project's own Node first on PATH
 * (wrangler needs Node 22, the system one may be older).
 */
const wranglerEnv = (root, state) => ({
  ...process.env,
  PATH: [join(root, "node_modules", ".bin"), process.env.PATH].join(delimiter),
  // A registry of its own, so this Worker never stands in for another session's.
  WRANGLER_REGISTRY_PATH: join(state, "registry"),
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  NO_COLOR: "1",
});

/**
 * Starts `wrangler dev bench/worker.ts`; returns its base URL, its pid (the
 * leader of its own process group) and a stop function (also registered for
 * cleanup).
 */
export async function startWranglerDev({ root, secrets, timeoutMs = 60_000 }) {
  // Run by this very Node (the bench insists on Node 22), not by the shebang's.
  const wrangler = [join(root, "node_modules", "wrangler", "bin", "wrangler.js")];
  const state = await mkdtemp(join(tmpdir(), "edge-auth-bench-"));
  const env = wranglerEnv(root, state);
  const removeState = () => rm(state, { recursive: true, force: true });
  const unregisterState = onCleanup(removeState);

  const vars = join(state, "dev.vars");
  const lines = Object.entries(secrets).map(([name, value]) => `${name}='${value}'`);
  await writeFile(vars, `${lines.join("\n")}\n`, { mode: 0o600 });
  const common = ["--persist-to", state, "--env-file", vars];
  await run(
    process.execPath,
    [...wrangler, "d1", "migrations", "apply", "DB", "--local", ...common],
    {
      cwd: root,
      env,
    },
  );

  const port = await freePort();
  const args = ["dev", "bench/worker.ts", "--name", "edge-auth-bench", "--ip", "127.0.0.1"];
  args.push("--port", String(port), ...common);
  const child = spawn(process.execPath, [...wrangler, ...args], { cwd: root, env, detached: true });
  const forgetGroup = killAtExit(child.pid, { group: true });
  const output = [];
  child.stdout.on("data", (chunk) => output.push(String(chunk)));
  child.stderr.on("data", (chunk) => output.push(String(chunk)));
  const exited = new Promise((resolve) => child.once("exit", resolve));

  const stopProcess = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, "SIGTERM"); // the whole group: wrangler and its workerd
      } catch {
        // already gone
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }, 5_000);
      await exited;
      clearTimeout(timer);
    }
    forgetGroup();
  };
  const unregisterProcess = onCleanup(stopProcess);
  const stop = async () => {
    unregisterProcess();
    unregisterState();
    await stopProcess();
    await removeState();
  };

  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`wrangler dev exited:\n${output.join("")}`);
    }
    try {
      if ((await fetch(`${base}/bench/baseline`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev did not become ready:\n${output.join("")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { url: new URL(base), pid: child.pid, output, stop };
}
