// Starts `wrangler dev` on 127.0.0.1 with throwaway state (its own D1/KV
// folder and secrets file), exactly as a developer would run it, and stops it
// again. Used by the end-to-end tests; talks to nothing but loopback.

import { execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = new URL("../..", import.meta.url).pathname;
const wrangler = join(root, "node_modules", ".bin", "wrangler");
const env = { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" };

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitUntilReady(url, child, output, deadline) {
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited:\n${output.join("")}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`wrangler dev did not become ready:\n${output.join("")}`);
}

/** Starts a dev server; returns its base URL, its log lines and a stop function. */
export async function startDevServer({ timeoutMs = 60_000 } = {}) {
  const state = await mkdtemp(join(tmpdir(), "edge-auth-e2e-"));
  const vars = join(state, "dev.vars");
  const common = ["--persist-to", state, "--env-file", vars];

  await run("node", [join(root, "scripts", "dev-setup.mjs"), vars], { cwd: root, env });
  await run(wrangler, ["d1", "migrations", "apply", "DB", "--local", ...common], {
    cwd: root,
    env,
  });

  const port = await freePort();
  const args = ["dev", "--ip", "127.0.0.1", "--port", String(port), ...common];
  const child = spawn(wrangler, args, { cwd: root, env, detached: true });
  const output = [];
  child.stdout.on("data", (chunk) => output.push(String(chunk)));
  child.stderr.on("data", (chunk) => output.push(String(chunk)));

  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      process.kill(-child.pid, "SIGTERM"); // the whole group: wrangler and its workerd
      await exited;
    }
    await rm(state, { recursive: true, force: true });
  };

  try {
    await waitUntilReady(`${base}/.well-known/jwks.json`, child, output, Date.now() + timeoutMs);
  } catch (error) {
    await stop();
    throw error;
  }
  return { base, output, stop };
}
