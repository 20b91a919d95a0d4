/** Small byte helpers shared by the password and token code. */

const encoder = new TextEncoder();

/** UTF-8 bytes of a string. */
// encode() always returns a fresh, non-shared buffer; the lib type is just wider.
export const utf8 = (text: string) => encoder.encode(text) as Uint8Array<ArrayBuffer>;

/**
 * Unpadded base64url (RFC 4648 section 5), the alphabet JWTs use.
 *
 * @example
 * toBase64Url(new Uint8Array([251, 255])) // "-_8"
 */
export function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Decodes unpadded base64url; returns null for anything that is not. */
export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** `n` bytes from the platform CSPRNG. */
export function randomBytes(n: number): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(n));
}

/** SHA-256 of a string, base64url-encoded. */
export async function sha256Base64Url(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", utf8(text));
  return toBase64Url(new Uint8Array(digest));
}
