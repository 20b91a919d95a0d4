/**
 * Email addresses as account keys: NFKC-normalised, trimmed and lower-cased, so
 * `Ann@Example.com ` and `ann@example.com` are one account (the unique index
 * enforces it).
 * Lower-casing the local part is stricter than RFC 5321 allows, and matches what
 * users expect and every major provider does.
 */

/** RFC 5321 caps a forward path at 254 characters. */
export const EMAIL_MAX_LENGTH = 254;

/**
 * One `@`; a local part and dot-separated, non-empty domain labels; no white
 * space, control or invisible format characters (zero-width, bidi overrides,
 * soft hyphens), which would let look-alike addresses become separate accounts.
 */
const SHAPE = /^[^\s@\p{Cc}\p{Cf}]+@(?:[^\s@.\p{Cc}\p{Cf}]+\.)+[^\s@.\p{Cc}\p{Cf}]+$/u;

/**
 * The canonical form of an email, or null when it cannot be one.
 *
 * @example
 * normaliseEmail("  Ann@Example.COM ") // "ann@example.com"
 */
export function normaliseEmail(input: string): string | null {
  if (!input.isWellFormed()) return null;
  // NFKC first, so composed and decomposed (or full-width) forms are one address.
  const email = input.normalize("NFKC").trim().toLowerCase();
  if (email.length > EMAIL_MAX_LENGTH || !SHAPE.test(email)) return null;
  return email;
}
