// First-run setup for `npm run dev`: creates `.dev.vars` (git-ignored) with a
// local signing key and password pepper when they are missing. Existing values
// are never replaced, so sessions survive restarts of the dev server.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { generatePepper, generateSigningKey } from "./lib/keygen.mjs";

const file = process.argv[2] ?? ".dev.vars";
const current = existsSync(file) ? readFileSync(file, "utf8") : "";
const has = (name) => new RegExp(`^${name}=`, "m").test(current);

const additions = [];
if (!has("JWT_SIGNING_KEYS")) {
  const keys = JSON.stringify({ keys: [await generateSigningKey()] });
  additions.push(`JWT_SIGNING_KEYS='${keys}'`);
}
if (!has("PASSWORD_PEPPER")) additions.push(`PASSWORD_PEPPER=${generatePepper()}`);

if (additions.length > 0) {
  const separator = current === "" || current.endsWith("\n") ? "" : "\n";
  writeFileSync(file, `${current}${separator}${additions.join("\n")}\n`, { mode: 0o600 });
  console.log(`${file}: created ${additions.map((line) => line.split("=")[0]).join(", ")}`);
}
