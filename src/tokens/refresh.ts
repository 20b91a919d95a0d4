/**
 * Refresh tokens: 256 random bits, shown to the client once and stored only
 * as their SHA-256. A hash is enough (no salt, no KDF) because the input is
 * uniformly random: there is nothing to guess.
 */

import { randomBytes, sha256Base64Url, toBase64Url } from "../encoding";

const TOKEN_BYTES = 32;
/** Unpadded base64url of 32 bytes. */
const TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}$/;

/** A new refresh token and the hash to store for it. */
export async function newRefreshToken(): Promise<{ token: string; hash: string }> {
  const token = toBase64Url(randomBytes(TOKEN_BYTES));
  return { token, hash: await sha256Base64Url(token) };
}

/** The stored hash of a presented token, or null when it cannot be one of ours. */
export async function hashRefreshToken(token: string): Promise<string | null> {
  return TOKEN_FORMAT.test(token) ? sha256Base64Url(token) : null;
}
