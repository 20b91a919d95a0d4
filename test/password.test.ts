import { describe, expect, it } from "vitest";
import { checkPassword, createPasswordHasher, parseHash } from "../src/password";

const hasher = createPasswordHasher({ iterations: 100_000, pepper: "pepper-1" });

describe("password hashing", () => {
  it("round-trips and rejects a wrong password", async () => {
    const stored = await hasher.hash("correct horse");
    expect(await hasher.verify("correct horse", stored)).toEqual({ ok: true, rehash: false });
    expect((await hasher.verify("correct hors", stored)).ok).toBe(false);
  });

  it("salts: the same password never hashes the same way twice", async () => {
    expect(await hasher.hash("same password")).not.toBe(await hasher.hash("same password"));
  });

  it("asks for a rehash when the iterations or the pepper change", async () => {
    const old = await createPasswordHasher({ iterations: 50_000, pepper: "pepper-1" }).hash("pw");
    expect(await hasher.verify("pw", old)).toEqual({ ok: true, rehash: true });

    const unpeppered = await createPasswordHasher({ iterations: 100_000, pepper: null }).hash("pw");
    expect(await hasher.verify("pw", unpeppered)).toEqual({ ok: true, rehash: true });
  });

  it("the pepper matters: another pepper does not verify", async () => {
    const stored = await hasher.hash("pw");
    const other = createPasswordHasher({ iterations: 100_000, pepper: "pepper-2" });
    expect((await other.verify("pw", stored)).ok).toBe(false);
  });

  it.each([
    ["$pbkdf2-sha256$i=600000,p=1$AAAAAAAAAAAAAAAAAAAAAA$" + "A".repeat(43), "above the cap"],
    ["$pbkdf2-sha256$i=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$" + "A".repeat(43), "absurdly low"],
    ["$pbkdf2-sha256$i=100000,p=1$AAAA$" + "A".repeat(43), "short salt"],
    ["$bcrypt$whatever", "another scheme"],
    ["", "empty"],
  ])("refuses the stored hash %j (%s)", async (stored) => {
    expect(parseHash(stored)).toBeNull();
    expect(await hasher.verify("pw", stored)).toEqual({ ok: false, rehash: false });
  });
});

describe("checkPassword", () => {
  it.each([
    ["seven!!", { problem: "password_too_short" }],
    ["eight!!!", { password: "eight!!!" }],
    ["x".repeat(256), { password: "x".repeat(256) }],
    ["x".repeat(257), { problem: "password_too_long" }],
    // NFKC folds the full-width letters to ASCII.
    ["\uff50\uff41\uff53\uff53\uff57\uff4f\uff52\uff44", { password: "password" }],
    ["cafe\u0301 noir", { password: "caf\u00e9 noir" }],
  ])("%j -> %j", (input, expected) => {
    expect(checkPassword(input)).toEqual(expected);
  });
});
