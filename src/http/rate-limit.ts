/**
 * Brute-force protection with the Workers Rate Limiting binding: one counter
 * per client IP and one per account, checked before any password hashing.
 * The binding does not say when a window ends, so `Retry-After` is the
 * configured period (60 s), an upper bound.
 */

import { normaliseEmail } from "../email";
import { AppError } from "../errors";
import { log } from "../log";

export const RETRY_AFTER_SECONDS = 60;

/** The client's IP as Cloudflare's edge reports it (it overwrites any client-sent value). */
export const clientIp = (request: Request) => request.headers.get("CF-Connecting-IP") ?? "unknown";

/**
 * The rate-limit bucket for an address. One IPv6 subscriber usually holds a
 * whole /64, so counting per address would let it rotate past the limit:
 * count per /64 instead. IPv4-mapped IPv6 counts as the IPv4 address.
 *
 * @example
 * ipBucket("2001:db8:1:2:aaaa::1") // "2001:db8:1:2::/64"
 */
export function ipBucket(ip: string): string {
  const lower = ip.trim().toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(lower);
  if (mapped?.[1]) return mapped[1];
  if (!lower.includes(":")) return lower;

  // Expand "::" so the first four groups can be read off.
  const [head = "", tail] = lower.split("::");
  const headGroups = head === "" ? [] : head.split(":");
  const tailGroups = tail === undefined || tail === "" ? [] : tail.split(":");
  const missing = Math.max(0, 8 - headGroups.length - tailGroups.length);
  const groups = [...headGroups, ...Array<string>(missing).fill("0"), ...tailGroups];
  const prefix = groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, ""));
  return `${prefix.join(":")}::/64`;
}

export interface Limiters {
  ip: RateLimit;
  account: RateLimit;
}

/**
 * Counts one attempt against the client IP and, when given, an account key;
 * throws a 429 problem when either is over its limit.
 *
 * @example
 * await enforceRateLimits(service.limiters, "login", request, `email:${email}`);
 */
export async function enforceRateLimits(
  limiters: Limiters,
  action: string,
  request: Request,
  accountKey?: string,
): Promise<void> {
  const [byIp, byAccount] = await Promise.all([
    limiters.ip.limit({ key: `ip:${ipBucket(clientIp(request))}` }),
    accountKey === undefined ? { success: true } : limiters.account.limit({ key: accountKey }),
  ]);
  if (byIp.success && byAccount.success) return;

  log("warn", "rate_limited", { action, by: byIp.success ? "account" : "ip" });
  throw new AppError(429, "rate_limited", "Too many attempts. Try again later.", {
    "Retry-After": String(RETRY_AFTER_SECONDS),
  });
}

/**
 * Counts a signup or login attempt against the client IP and the account it
 * names. Returns the verdict unawaited: the flow awaits it before any hashing
 * (login alongside its user lookup, so the two round trips overlap).
 *
 * @example
 * const admitted = admitCredentials(service.limiters, "login", request, email);
 */
export function admitCredentials(
  limiters: Limiters,
  action: string,
  request: Request,
  email: string,
): Promise<void> {
  const account = normaliseEmail(email) ?? email.trim().toLowerCase();
  const admitted = enforceRateLimits(limiters, action, request, `email:${account}`);
  // Keeps an early failure elsewhere (say, a password too long) from leaving
  // this rejection unhandled; the flow still sees it when it awaits.
  admitted.catch(() => {});
  return admitted;
}
