/**
 * What a signed-in user can do to their own account: change the password,
 * list and revoke sessions, log out everywhere. Every route here checks
 * revocation (see requireAccessToken), since each one changes or reveals
 * session state.
 */

import { eq } from "drizzle-orm";
import { toStatement } from "./db/client";
import { users } from "./db/schema";
import { AppError } from "./errors";
import { log } from "./log";
import { checkPassword } from "./password";
import { passwordError, presentedPassword } from "./password-errors";
import { revokeSessionId, revokeUserTokensBefore } from "./revocations";
import type { Service } from "./service";
import { listLiveSessions, revokeOwnSession, revokeUserSessionsQuery } from "./sessions";
import { type AccessClaims, signAccessToken } from "./tokens/access";

/** Publishes revoked sessions and the user's cut-off to KV, for revocation-checking routes. */
async function publishRevocations(
  service: Service,
  userId: string,
  sessionIds: string[],
  now: number,
) {
  const maxAge = service.config.accessTokenMaxAge;
  await Promise.all([
    revokeUserTokensBefore(service.kv, userId, now, maxAge),
    ...sessionIds.map((id) => revokeSessionId(service.kv, id, now, maxAge)),
  ]);
}

/**
 * Changes the password after checking the current one. Every other session is
 * revoked and every access token issued before now is void on routes that
 * check revocation; the caller gets a fresh access token for its own session.
 */
export async function changePassword(
  service: Service,
  claims: AccessClaims,
  input: { currentPassword: string; newPassword: string },
) {
  const checked = checkPassword(input.newPassword);
  if ("problem" in checked) throw passwordError(checked.problem);
  const candidate = presentedPassword(input.currentPassword);

  const { db, d1, hasher } = service;
  const [user] = await db.select().from(users).where(eq(users.id, claims.sub)).limit(1);
  if (!user) throw new AppError(404, "user_not_found", "This account no longer exists.");

  if (!(await hasher.verify(candidate, user.passwordHash)).ok) {
    log("info", "password_change", { outcome: "wrong_password", user_id: user.id });
    throw new AppError(403, "wrong_password", "The current password is incorrect.");
  }

  const now = service.now();
  const passwordHash = await hasher.hash(checked.password);
  const update = db
    .update(users)
    .set({ passwordHash, updatedAt: now })
    .where(eq(users.id, user.id));
  const revoke = revokeUserSessionsQuery(db, user.id, now, claims.sid);
  const [, revoked] = await d1.batch<{ id: string }>([
    toStatement(d1, update),
    toStatement(d1, revoke),
  ]);
  const revokedIds = (revoked?.results ?? []).map((row) => row.id);
  await publishRevocations(service, user.id, revokedIds, now);

  log("info", "password_change", {
    outcome: "success",
    user_id: user.id,
    sessions_revoked: revokedIds.length,
  });
  const { issuer, audience, accessTokenTtl } = service.config;
  const subject = { sub: user.id, sid: claims.sid, email: user.email, roles: user.roles };
  const accessToken = await signAccessToken(service.keys.signer, subject, {
    issuer,
    audience,
    ttl: accessTokenTtl,
    now,
  });
  return { access_token: accessToken, token_type: "Bearer", expires_in: accessTokenTtl };
}

/** Revokes every session of the caller, the current one included. */
export async function logoutEverywhere(service: Service, claims: AccessClaims): Promise<void> {
  const now = service.now();
  const revoked = await revokeUserSessionsQuery(service.db, claims.sub, now);
  await publishRevocations(
    service,
    claims.sub,
    revoked.map((row) => row.id),
    now,
  );
  log("info", "logout_all", { user_id: claims.sub, sessions_revoked: revoked.length });
}

/** The caller's live sessions, marking the one the token belongs to. */
export async function listSessions(service: Service, claims: AccessClaims) {
  const rows = await listLiveSessions(service.db, claims.sub, service.now());
  return rows.map((row) => ({
    id: row.id,
    created_at: row.createdAt,
    last_used_at: row.lastUsedAt,
    expires_at: row.expiresAt,
    user_agent: row.userAgent,
    current: row.id === claims.sid,
  }));
}

/** Revokes one of the caller's sessions; 404 for anyone else's or an unknown id. */
export async function revokeSessionOf(
  service: Service,
  claims: AccessClaims,
  sessionId: string,
): Promise<void> {
  const now = service.now();
  if (!(await revokeOwnSession(service.db, claims.sub, sessionId, now))) {
    throw new AppError(404, "session_not_found", "No such live session on this account.");
  }
  await revokeSessionId(service.kv, sessionId, now, service.config.accessTokenMaxAge);
  log("info", "session_revoked", { user_id: claims.sub, session_id: sessionId });
}
