/**
 * Refresh and logout: exchanging a refresh token for a new pair, and ending
 * the session it belongs to.
 *
 * Order of checks on refresh: KV first (cheap, edge-cached; knows rotated and
 * revoked tokens), then D1, which settles everything that must be exact.
 *
 * Reuse detection: a token that was already exchanged is presented again.
 * Within `REFRESH_REUSE_GRACE` seconds of its exchange that is taken for the
 * honest race of two tabs refreshing at once: refused, session kept. Later
 * than that it is taken for theft (RFC 9700 section 4.14.2): the whole session
 * is revoked, so neither the thief nor the victim can refresh any more.
 */

import { AppError } from "./errors";
import { log } from "./log";
import {
  findRevokedRefresh,
  isSessionRevoked,
  type RefreshRevocation,
  revokeRefresh,
  revokeSessionId,
} from "./revocations";
import type { Service } from "./service";
import { findRefreshToken, revokeSession, rotateRefreshToken } from "./sessions";
import { type TokenResponse, tokenResponse } from "./token-response";
import { hashRefreshToken, newRefreshToken } from "./tokens/refresh";

const invalidGrant = () =>
  new AppError(401, "invalid_grant", "The refresh token is invalid, expired or revoked.");

const superseded = () =>
  new AppError(
    401,
    "refresh_token_superseded",
    "This refresh token was just exchanged by another request; use the newer token.",
  );

/** Revokes a session in D1 and publishes the revocation to KV. */
async function endSession(service: Service, sessionId: string, now: number): Promise<boolean> {
  const revoked = await revokeSession(service.db, sessionId, now);
  await revokeSessionId(service.kv, sessionId, now, service.config.accessTokenMaxAge);
  return revoked;
}

/** A used token came back: a race inside the grace window, theft after it. */
async function handleReuse(
  service: Service,
  sessionId: string,
  usedAt: number,
  now: number,
): Promise<never> {
  if (now - usedAt <= service.config.refreshReuseGrace) {
    log("info", "refresh", { outcome: "superseded", session_id: sessionId });
    throw superseded();
  }
  const revoked = await endSession(service, sessionId, now);
  log("warn", "refresh_reuse_detected", { session_id: sessionId, revoked_now: revoked });
  throw invalidGrant();
}

/**
 * Exchanges a refresh token for a new pair; the presented token is dead afterwards.
 *
 * @example
 * const pair = await refresh(service, body.refresh_token);
 */
export async function refresh(service: Service, token: string): Promise<TokenResponse> {
  const oldHash = (await hashRefreshToken(token)) ?? invalid("malformed");
  const now = service.now();

  const known: RefreshRevocation | null = await findRevokedRefresh(service.kv, oldHash);
  if (known?.why === "revoked") return invalid("revoked", known.sid);
  if (known?.why === "rotated") {
    // A session that has ended is simply over: "use the newer token" would mislead.
    if (await isSessionRevoked(service.kv, known.sid)) return invalid("revoked", known.sid);
    return handleReuse(service, known.sid, known.at, now);
  }

  const stored = await findRefreshToken(service.db, oldHash);
  if (!stored) return invalid("unknown");
  if (stored.revokedAt !== null) return invalid("revoked", stored.sessionId);
  if (stored.usedAt !== null) return handleReuse(service, stored.sessionId, stored.usedAt, now);
  if (stored.expiresAt <= now || stored.sessionExpiresAt <= now) {
    return invalid("expired", stored.sessionId);
  }

  const next = await newRefreshToken();
  const expiresAt = now + service.config.refreshTokenTtl;
  const won = await rotateRefreshToken(service.d1, {
    oldHash,
    newHash: next.hash,
    sessionId: stored.sessionId,
    now,
    expiresAt,
  });
  // Losing means another request exchanged this token between our read and
  // our write: by definition that is within the grace window.
  if (!won) return handleReuse(service, stored.sessionId, now, now);

  const entry = { sid: stored.sessionId, at: now, why: "rotated" } as const;
  await revokeRefresh(service.kv, oldHash, entry, stored.expiresAt);

  log("info", "refresh", { outcome: "success", user_id: stored.userId, session_id: entry.sid });
  const subject = {
    userId: stored.userId,
    email: stored.email,
    roles: stored.roles,
    sessionId: stored.sessionId,
  };
  return tokenResponse(service, subject, next.token, now);
}

function invalid(reason: string, sessionId?: string): never {
  log("info", "refresh", { outcome: "rejected", reason, session_id: sessionId });
  throw invalidGrant();
}

/**
 * Ends the session the refresh token belongs to. Idempotent, and silent about
 * tokens it does not know (RFC 7009 section 2.2): the answer is always 204.
 */
export async function logout(service: Service, token: string): Promise<void> {
  const hash = await hashRefreshToken(token);
  const stored = hash ? await findRefreshToken(service.db, hash) : null;
  if (!hash || !stored) {
    log("info", "logout", { outcome: "unknown_token" });
    return;
  }

  const now = service.now();
  await endSession(service, stored.sessionId, now);
  const entry = { sid: stored.sessionId, at: now, why: "revoked" } as const;
  await revokeRefresh(service.kv, hash, entry, stored.expiresAt);
  log("info", "logout", { outcome: "success", user_id: stored.userId, session_id: entry.sid });
}
