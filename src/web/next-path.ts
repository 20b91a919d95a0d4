/**
 * Where to send a browser after login: only a path on this same site, so a
 * crafted `?next=` can never become an open redirect (to another host, a
 * scheme-relative `//host`, a backslash trick, or a `javascript:` URL).
 */

export const DEFAULT_NEXT = "/app/";

const hasControlCharacter = (text: string) =>
  [...text].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f);

/**
 * A same-origin path (with its query) from an untrusted `next`, or the default.
 *
 * @example
 * safeNext("/app/settings?tab=2") // "/app/settings?tab=2"
 * safeNext("//evil.example/")     // "/app/"
 */
export function safeNext(next: string | null | undefined): string {
  if (!next || next.length > 1024) return DEFAULT_NEXT;
  // Browsers treat "\" like "/" and drop tabs and newlines: refuse them outright.
  if (!next.startsWith("/") || next.includes("\\") || hasControlCharacter(next)) {
    return DEFAULT_NEXT;
  }
  if (next.startsWith("//")) return DEFAULT_NEXT;

  const base = "https://same-origin.invalid";
  let url: URL;
  try {
    url = new URL(next, base);
  } catch {
    return DEFAULT_NEXT;
  }
  // Check what will actually be sent, not only what came in: dot segments can
  // collapse "/.//evil.example" into the scheme-relative "//evil.example".
  if (url.origin !== base || url.pathname.startsWith("//")) return DEFAULT_NEXT;
  return `${url.pathname}${url.search}`;
}
