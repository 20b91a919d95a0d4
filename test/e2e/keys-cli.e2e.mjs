// scripts/keys.mjs from the outside: the key set a rotation goes through, and
// arguments it must refuse rather than quietly produce the wrong key.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const script = fileURLToPath(new URL("../../scripts/keys.mjs", import.meta.url));

/** Runs the script with `args` and `input` on stdin. */
function keys(args, input = "") {
  const result = spawnSync(process.execPath, [script, ...args], { input, encoding: "utf8" });
  return {
    status: result.status,
    set: result.status === 0 ? JSON.parse(result.stdout) : null,
    error: result.stderr.trim(),
  };
}

test("makes a key of each algorithm and rotates from one to another", () => {
  const first = keys(["new"]);
  assert.equal(first.status, 0);
  assert.deepEqual(
    first.set.keys.map((key) => key.alg),
    ["EdDSA"],
  );

  const added = keys(["add", "--alg", "RS256"], JSON.stringify(first.set));
  assert.deepEqual(
    added.set.keys.map((key) => key.alg),
    ["EdDSA", "RS256"],
  );
  const promoted = keys(["promote"], JSON.stringify(added.set));
  assert.deepEqual(
    promoted.set.keys.map((key) => key.alg),
    ["RS256", "EdDSA"],
  );
  const dropped = keys(["drop", first.set.keys[0].kid], JSON.stringify(promoted.set));
  assert.deepEqual(
    dropped.set.keys.map((key) => key.alg),
    ["RS256"],
  );

  assert.equal(keys(["new", "--alg=ES256"]).set.keys[0].alg, "ES256");
});

test("refuses arguments that would otherwise make a key of another algorithm", () => {
  for (const args of [
    ["new", "--ALG", "RS256"],
    ["new", "RS256"],
    ["new", "--alg", "HS256"],
    ["new", "--alg"],
    ["new", "--alg", "RS256", "--alg", "ES256"],
    ["promote", "--alg", "RS256"],
  ]) {
    const result = keys(args, '{"keys":[{"kid":"a"}]}');
    assert.equal(result.status, 1, `${args.join(" ")} should fail`);
    assert.match(result.error, /^keys: /);
  }
});

test("will not drop the key that signs", () => {
  const set = keys(["add"], JSON.stringify(keys(["new"]).set)).set;
  const result = keys(["drop", set.keys[0].kid], JSON.stringify(set));
  assert.equal(result.status, 1);
  assert.match(result.error, /is the signing key: promote another key/);
});
