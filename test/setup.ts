import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { PBKDF2_MAX_ITERATIONS } from "../src/config";

// Idempotent: migrations already applied are skipped.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);

// Production Workers refuse PBKDF2 above 100,000 iterations; local workerd
// does not. Hold the tests to the production limit, or a too-high setting
// would pass here and fail on the first real login.
const deriveBits = crypto.subtle.deriveBits.bind(crypto.subtle);
crypto.subtle.deriveBits = (algorithm, baseKey, length) => {
  const iterations = (algorithm as { iterations?: number }).iterations ?? 0;
  if ((algorithm as { name?: string }).name === "PBKDF2" && iterations > PBKDF2_MAX_ITERATIONS) {
    throw new DOMException(
      `PBKDF2 iteration counts above ${PBKDF2_MAX_ITERATIONS} are not supported`,
      "NotSupportedError",
    );
  }
  return deriveBits(algorithm, baseKey, length);
};
