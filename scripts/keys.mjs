// Signing-key management for JWT_SIGNING_KEYS. Prints a JWK set on stdout,
// ready for `wrangler secret put JWT_SIGNING_KEYS`; the current set, where one
// is needed, is read from stdin (Cloudflare never shows a secret again, so
// keep the set in your password manager).
//
//   node scripts/keys.mjs new            a set with one new key
//   node scripts/keys.mjs add     < set  append a new key (verifies, does not sign yet)
//   node scripts/keys.mjs promote < set  move the newest key to the front (it signs)
//   node scripts/keys.mjs drop KID < set remove a retired key
//   node scripts/keys.mjs rotate  < set  add and promote in one step (see README)
//
// new, add and rotate make an EdDSA key unless given --alg ES256 or --alg RS256.

import { generateSigningKey, KEY_ALGORITHMS } from "./lib/keygen.mjs";

async function readSet() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString("utf8").trim();
  if (text === "") throw new Error("pipe the current JWK set into stdin, e.g. < current.json");
  let set;
  try {
    set = JSON.parse(text);
  } catch {
    throw new Error("stdin is not JSON: pipe in the current JWK set");
  }
  if (!Array.isArray(set?.keys) || set.keys.length === 0) {
    throw new Error('stdin must be the current JWK set: {"keys": [...]}');
  }
  return set;
}

/** Commands that make a key (and so take --alg), and how many arguments each takes. */
const MAKES_KEY = new Set(["new", "add", "rotate"]);
const ARGUMENTS = { new: 0, add: 0, promote: 0, drop: 1, rotate: 0 };

/**
 * Reads `--alg X` (or `--alg=X`) and the command's own arguments, refusing
 * anything else: a typo must not quietly produce a key of another algorithm.
 */
function parseArguments(name, args) {
  let chosen;
  const rest = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--alg" || arg.startsWith("--alg=")) {
      if (!MAKES_KEY.has(name)) throw new Error(`${name} makes no key: --alg does not apply`);
      if (chosen !== undefined) throw new Error("--alg given twice");
      chosen = arg === "--alg" ? args[++i] : arg.slice("--alg=".length);
      if (!KEY_ALGORITHMS.includes(chosen)) {
        throw new Error(`--alg needs one of ${KEY_ALGORITHMS.join(", ")}`);
      }
    } else if (arg.startsWith("-")) {
      throw new Error(`unknown option ${arg}`);
    } else {
      rest.push(arg);
    }
  }
  if (rest.length !== ARGUMENTS[name]) {
    throw new Error(`${name} takes ${ARGUMENTS[name] === 1 ? "one argument" : "no arguments"}`);
  }
  return { alg: chosen ?? "EdDSA", rest };
}

const newKey = (alg) => generateSigningKey(new Date(), alg);

/** Each command, given the parsed --alg and its own arguments. */
const commands = {
  new: async (alg) => ({ keys: [await newKey(alg)] }),
  add: async (alg) => {
    const set = await readSet();
    return { keys: [...set.keys, await newKey(alg)] };
  },
  promote: async () => {
    const set = await readSet();
    const newest = set.keys.at(-1);
    return { keys: [newest, ...set.keys.slice(0, -1)] };
  },
  drop: async (_alg, kid) => {
    const set = await readSet();
    const keys = set.keys.filter((key) => key.kid !== kid);
    if (keys.length === set.keys.length) throw new Error(`no key with kid "${kid}"`);
    if (keys.length === 0) throw new Error("refusing to drop the last key");
    if (set.keys[0].kid === kid) {
      // Its tokens would stop verifying at once, and the next key would start signing.
      throw new Error(`"${kid}" is the signing key: promote another key before dropping it`);
    }
    return { keys };
  },
  rotate: async (alg) => {
    const set = await readSet();
    return { keys: [await newKey(alg), ...set.keys] };
  },
};

const [name, ...args] = process.argv.slice(2);
const command = commands[name];
if (!command) {
  console.error(
    "usage: node scripts/keys.mjs new | add | promote | drop KID | rotate" +
      "  [--alg EdDSA|ES256|RS256]",
  );
  process.exit(2);
}
try {
  const { alg, rest } = parseArguments(name, args);
  process.stdout.write(`${JSON.stringify(await command(alg, ...rest))}\n`);
} catch (error) {
  console.error(`keys: ${error.message}`);
  process.exit(1);
}
