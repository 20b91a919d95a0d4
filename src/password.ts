/**
 * Password hashing with PBKDF2-SHA256 from WebCrypto, the only KDF Workers
 * offer natively.
 *
 * A stored hash is one self-describing string,
 *   `$pbkdf2-sha256$i=<iterations>,p=<0|1>$<salt>$<hash>`
 * (salt and hash unpadded base64url; `p=1` when a pepper was mixed in), so the
 * parameters can be raised later and old hashes upgraded at the next login.
 *
 * Normalisation: passwords are NFKC-normalised before hashing, so the same
 * characters typed as composed or decomposed code points (or as full-width
 * forms on some keyboards) give the same hash. Length is counted in code
 * points after normalisation.
 *
 * Pepper: when a `PASSWORD_PEPPER` secret is set, the password is first run
 * through HMAC-SHA256 keyed with it. A leaked database alone then cannot be
 * attacked offline: the pepper lives in Workers secrets, not in D1.
 */

import { PBKDF2_MAX_ITERATIONS, PBKDF2_MIN_ITERATIONS } from "./config";
import { fromBase64Url, randomBytes, toBase64Url, utf8 } from "./encoding";

export const PASSWORD_MIN_LENGTH = 8;
/** Bounds hashing work and rejects pasted garbage; generous for passphrases. */
export const PASSWORD_MAX_LENGTH = 256;

const SALT_BYTES = 16;
const HASH_BITS = 256;
const FORMAT = /^\$pbkdf2-sha256\$i=(\d{1,9}),p=([01])\$([A-Za-z0-9_-]{16,})\$([A-Za-z0-9_-]{43})$/;

export type PasswordProblem = "password_too_short" | "password_too_long";

/**
 * Normalises a password and checks its length; returns the normalised text or
 * the reason it is refused.
 *
 * @example
 * checkPassword("short") // { problem: "password_too_short" }
 */
export function checkPassword(
  password: string,
): { password: string } | { problem: PasswordProblem } {
  // Check the raw length first so a huge input is refused before normalising it.
  if (password.length > PASSWORD_MAX_LENGTH * 4) return { problem: "password_too_long" };

  const normalised = password.normalize("NFKC");
  const length = [...normalised].length;
  if (length < PASSWORD_MIN_LENGTH) return { problem: "password_too_short" };
  if (length > PASSWORD_MAX_LENGTH) return { problem: "password_too_long" };
  return { password: normalised };
}

interface ParsedHash {
  iterations: number;
  peppered: boolean;
  salt: Uint8Array<ArrayBuffer>;
  hash: Uint8Array<ArrayBuffer>;
}

/** Parses a stored hash; null when it is malformed or its parameters are unsafe. */
export function parseHash(stored: string): ParsedHash | null {
  const match = FORMAT.exec(stored);
  if (!match) return null;

  const iterations = Number(match[1]);
  // Above the cap the platform would throw in production; below the floor the
  // hash is too weak to trust. Either way, refuse rather than guess.
  if (iterations < PBKDF2_MIN_ITERATIONS || iterations > PBKDF2_MAX_ITERATIONS) return null;

  const salt = fromBase64Url(match[3] ?? "");
  const hash = fromBase64Url(match[4] ?? "");
  if (!salt || !hash || hash.length !== HASH_BITS / 8) return null;
  return { iterations, peppered: match[2] === "1", salt, hash };
}

/** Hashes and verifies passwords with fixed parameters; build one per isolate. */
export interface PasswordHasher {
  /** Hashes an already normalised password with a fresh salt. */
  hash(password: string): Promise<string>;
  /** Checks a password against a stored hash; `rehash` asks for an upgrade. */
  verify(password: string, stored: string): Promise<{ ok: boolean; rehash: boolean }>;
  /** Spends the same work as `verify`, for logins to unknown accounts. */
  burn(password: string): Promise<void>;
}

/**
 * @example
 * const hasher = createPasswordHasher({ iterations: 100_000, pepper: null });
 * const stored = await hasher.hash("correct horse battery staple");
 */
export function createPasswordHasher(options: {
  iterations: number;
  pepper: string | null;
}): PasswordHasher {
  const { iterations, pepper } = options;
  let pepperKey: Promise<CryptoKey> | undefined;

  async function keyMaterial(password: string, peppered: boolean): Promise<Uint8Array> {
    if (!peppered) return utf8(password);
    if (!pepper) throw new Error("hash was peppered but no PASSWORD_PEPPER is configured");
    pepperKey ??= crypto.subtle.importKey(
      "raw",
      utf8(pepper),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    return new Uint8Array(await crypto.subtle.sign("HMAC", await pepperKey, utf8(password)));
  }

  async function derive(
    password: string,
    salt: Uint8Array<ArrayBuffer>,
    rounds: number,
    peppered: boolean,
  ): Promise<Uint8Array<ArrayBuffer>> {
    const material = await keyMaterial(password, peppered);
    const key = await crypto.subtle.importKey("raw", material, "PBKDF2", false, ["deriveBits"]);
    const bits = await crypto.subtle.deriveBits(
      { name: "PBKDF2", hash: "SHA-256", salt, iterations: rounds },
      key,
      HASH_BITS,
    );
    return new Uint8Array(bits);
  }

  const burn = async (password: string) => {
    await derive(password, randomBytes(SALT_BYTES), iterations, pepper !== null);
  };

  return {
    async hash(password) {
      const salt = randomBytes(SALT_BYTES);
      const hash = await derive(password, salt, iterations, pepper !== null);
      const params = `i=${iterations},p=${pepper === null ? 0 : 1}`;
      return `$pbkdf2-sha256$${params}$${toBase64Url(salt)}$${toBase64Url(hash)}`;
    },

    async verify(password, stored) {
      const parsed = parseHash(stored);
      if (!parsed || (parsed.peppered && pepper === null)) {
        await burn(password);
        return { ok: false, rehash: false };
      }

      const candidate = await derive(password, parsed.salt, parsed.iterations, parsed.peppered);
      const ok = crypto.subtle.timingSafeEqual(candidate, parsed.hash);
      const rehash = parsed.iterations !== iterations || parsed.peppered !== (pepper !== null);
      return { ok, rehash };
    },

    burn,
  };
}
