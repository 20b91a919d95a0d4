import { readFileSync } from "node:fs";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { generatePepper, generateSigningKey } from "./scripts/lib/keygen.mjs";

// Tests run inside workerd against real local D1 and KV. Secrets are made
// fresh for every run; the migrations are handed to test/setup.ts to apply.
const migrations = await readD1Migrations("./migrations");
const signingKey = await generateSigningKey();
const retiredKey = await generateSigningKey();

// Test secrets are bindings, which take precedence over a developer's own
// .dev.vars (wrangler still prints "Using secrets defined in .dev.vars" when
// one exists); process.env only quiets wrangler's check for required secrets.
const secrets = {
  JWT_SIGNING_KEYS: JSON.stringify({ keys: [signingKey] }),
  PASSWORD_PEPPER: generatePepper(),
};
Object.assign(process.env, secrets);

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: {
          ...secrets,
          TEST_MIGRATIONS: migrations,
          // Another key, for rotation tests.
          TEST_RETIRED_KEY: JSON.stringify(retiredKey),
          // Fixed by default so runs are repeatable; FUZZ_SEED=n explores others.
          // So a test can check that run_worker_first covers PROTECTED_PATHS.
          TEST_WRANGLER_TOML: readFileSync("./wrangler.toml", "utf8"),
          TEST_FUZZ_SEED: process.env.FUZZ_SEED ?? "20261204",
        },
      },
    }),
  ],
  test: {
    setupFiles: ["./test/setup.ts"],
    // The service's JSON log lines are shown only for failing tests.
    silent: "passed-only",
  },
});
