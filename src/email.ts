/**
 * Email addresses as account keys: trimmed and lower-cased, so `Ann@Example.com `
 * and `ann@example.com` are one account (the unique index enforces it).
 * Lower-casing the local part is stricter than RFC 5321 allows, and matches what
 * users expect and every major provider does.
 */

/** RFC 5321 caps a forward path at 254 characters. */
export const EMAIL_MAX_LENGTH = 254;

/** One `@`, something on each side, a dot in the domain, no spaces or controls. */
const SHAPE = /^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+\.[^\s@\p{Cc}]+$/u;

/**
 * The canonical form of an email, or null when it cannot be one.
 *
 * @example
 * normaliseEmail("  Ann@Example.COM ") // "ann@example.com"
 */
export function normaliseEmail(input: string): string | null {
  const email = input.trim().toLowerCase();
  if (email.length > EMAIL_MAX_LENGTH || !SHAPE.test(email)) return null;
  return email;
}
