/**
 * Brute-force protection with the Workers Rate Limiting binding: one counter
 * per client IP and one per account, checked before any password hashing.
 * The binding does not say when a window ends, so `Retry-After` is the
 * configured period (60 s), an upper bound.
 */

import { AppError } from "../errors";
import { log } from "../log";

export const RETRY_AFTER_SECONDS = 60;

/** The client's IP as Cloudflare's edge reports it (it overwrites any client-sent value). */
export const clientIp = (request: Request) => request.headers.get("CF-Connecting-IP") ?? "unknown";

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
    limiters.ip.limit({ key: `ip:${clientIp(request)}` }),
    accountKey === undefined ? { success: true } : limiters.account.limit({ key: accountKey }),
  ]);
  if (byIp.success && byAccount.success) return;

  log("warn", "rate_limited", { action, by: byIp.success ? "account" : "ip" });
  throw new AppError(429, "rate_limited", "Too many attempts. Try again later.", {
    "Retry-After": String(RETRY_AFTER_SECONDS),
  });
}
