/**
 * The revocation list in Workers KV: the cheap, edge-cached fast path.
 *
 * KV key layout (namespace binding `REVOCATIONS`):
 *   rt:<sha256 of refresh token>  -> {"sid": …, "at": …, "why": "rotated" | "revoked"}
 *   sid:<session id>              -> {"at": …}   (session logged out or revoked)
 *   usr:<user id>                 -> {"before": …} (access tokens issued earlier are void)
 *
 * Every entry expires with what it describes, so the list cleans itself.
 * KV is eventually consistent (a write can take about a minute to reach every
 * location), so nothing that must be exact is decided here alone: refresh
 * rotation and reuse detection are settled in D1, and KV only lets the common
 * rejections skip the database.
 */

/** KV rejects `expirationTtl` below 60 seconds in production. */
export const KV_MIN_TTL = 60;

export type RefreshRevocation = { sid: string; at: number; why: "rotated" | "revoked" };

/** Seconds to keep an entry about something that expires at `expiresAt`. */
function ttlUntil(expiresAt: number, now: number): number {
  // Clamp up rather than fail: a token that expires in 5 s still needs an entry.
  return Math.max(KV_MIN_TTL, Math.ceil(expiresAt - now));
}

/** Looks up a refresh-token hash; null when KV knows nothing about it. */
export async function findRevokedRefresh(
  kv: KVNamespace,
  tokenHash: string,
): Promise<RefreshRevocation | null> {
  return kv.get<RefreshRevocation>(`rt:${tokenHash}`, "json");
}

/** Records that a refresh token may no longer be exchanged. */
export async function revokeRefresh(
  kv: KVNamespace,
  tokenHash: string,
  entry: RefreshRevocation,
  expiresAt: number,
): Promise<void> {
  await kv.put(`rt:${tokenHash}`, JSON.stringify(entry), {
    expirationTtl: ttlUntil(expiresAt, entry.at),
  });
}

/**
 * Records a revoked session for routes that check access tokens against it.
 * The entry only has to outlive the access tokens already issued.
 */
export async function revokeSessionId(
  kv: KVNamespace,
  sessionId: string,
  now: number,
  accessTokenMaxAge: number,
): Promise<void> {
  await kv.put(`sid:${sessionId}`, JSON.stringify({ at: now }), {
    expirationTtl: ttlUntil(now + accessTokenMaxAge, now),
  });
}

/** True when KV has heard that a session was revoked (logout, reuse, revoke). */
export async function isSessionRevoked(kv: KVNamespace, sessionId: string): Promise<boolean> {
  return (await kv.get(`sid:${sessionId}`)) !== null;
}

/**
 * Voids every access token of a user issued before `before` (a password
 * change, "log out everywhere"), on routes that check revocation.
 */
export async function revokeUserTokensBefore(
  kv: KVNamespace,
  userId: string,
  before: number,
  accessTokenMaxAge: number,
): Promise<void> {
  await kv.put(`usr:${userId}`, JSON.stringify({ before }), {
    expirationTtl: ttlUntil(before + accessTokenMaxAge, before),
  });
}

/**
 * True when an access token's session was revoked, or its user voided tokens
 * issued before it. Two KV reads, in parallel; see the module comment for
 * how stale they can be.
 */
export async function isAccessRevoked(
  kv: KVNamespace,
  token: { sid: string; sub: string; iat: number },
): Promise<boolean> {
  const [session, user] = await Promise.all([
    kv.get(`sid:${token.sid}`),
    kv.get<{ before: number }>(`usr:${token.sub}`, "json"),
  ]);
  return session !== null || (user !== null && token.iat < user.before);
}
