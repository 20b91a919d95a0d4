import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { generatePepper, generateSigningKey } from "./scripts/lib/keygen.mjs";

// Tests run inside workerd against real local D1 and KV. Secrets are made
// fresh for every run; the migrations are handed to test/setup.ts to apply.
const migrations = await readD1Migrations("./migrations");
const signingKey = await generateSigningKey();
const retiredKey = await generateSigningKey();

// wrangler reads required secrets from process.env when there is no .dev.vars.
process.env.JWT_SIGNING_KEYS = JSON.stringify({ keys: [signingKey] });
process.env.PASSWORD_PEPPER = generatePepper();

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: {
          TEST_MIGRATIONS: migrations,
          // Another key, for rotation tests.
          TEST_RETIRED_KEY: JSON.stringify(retiredKey),
        },
      },
    }),
  ],
  test: {
    setupFiles: ["./test/setup.ts"],
  },
});
