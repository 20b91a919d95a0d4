/**
 * Sessions and their refresh-token families in D1.
 *
 * Rotation is decided by one conditional UPDATE (mark the presented token
 * used, only if it is still unused, unexpired and its session is live), run
 * in a D1 batch (one transaction) with the insert of its successor, which
 * only happens if that UPDATE named this request's successor. Two requests
 * racing with one token therefore yield exactly one successor.
 */

import { and, desc, eq, gt, isNull, ne } from "drizzle-orm";
import type { Database } from "./db/client";
import { refreshTokens, sessions, users } from "./db/schema";

/** User agents are informational; keep the column small. */
const USER_AGENT_MAX = 256;

export interface NewSession {
  sessionId: string;
  userId: string;
  tokenHash: string;
  userAgent: string | null;
  now: number;
  expiresAt: number;
}

/**
 * Statements that create a session and its first refresh token, guarded so
 * they write nothing when the user row is absent (a signup that lost the
 * race for its email). Run them in the same batch as the user insert.
 */
export function insertSessionStatements(d1: D1Database, s: NewSession): D1PreparedStatement[] {
  const agent = s.userAgent?.slice(0, USER_AGENT_MAX) ?? null;
  return [
    d1
      .prepare(
        `INSERT INTO sessions (id, user_id, created_at, last_used_at, expires_at, user_agent)
         SELECT ?1, ?2, ?3, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM users WHERE id = ?2)`,
      )
      .bind(s.sessionId, s.userId, s.now, s.expiresAt, agent),
    d1
      .prepare(
        `INSERT INTO refresh_tokens (token_hash, session_id, issued_at, expires_at)
         SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM sessions WHERE id = ?2)`,
      )
      .bind(s.tokenHash, s.sessionId, s.now, s.expiresAt),
  ];
}

/** A stored refresh token with what a refresh needs to know about its session and user. */
export async function findRefreshToken(db: Database, tokenHash: string) {
  const rows = await db
    .select({
      tokenHash: refreshTokens.tokenHash,
      expiresAt: refreshTokens.expiresAt,
      usedAt: refreshTokens.usedAt,
      sessionId: sessions.id,
      sessionExpiresAt: sessions.expiresAt,
      revokedAt: sessions.revokedAt,
      userId: users.id,
      email: users.email,
      roles: users.roles,
    })
    .from(refreshTokens)
    .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(refreshTokens.tokenHash, tokenHash))
    .limit(1);
  return rows[0] ?? null;
}

export type StoredRefreshToken = NonNullable<Awaited<ReturnType<typeof findRefreshToken>>>;

/**
 * Exchanges a refresh token for its successor; true only for the one request
 * that won. The session's expiry slides forward with each rotation.
 */
export async function rotateRefreshToken(
  d1: D1Database,
  r: { oldHash: string; newHash: string; sessionId: string; now: number; expiresAt: number },
): Promise<boolean> {
  const [claimed] = await d1.batch([
    // The one conditional write that decides the race.
    d1
      .prepare(
        `UPDATE refresh_tokens SET used_at = ?3, replaced_by = ?2
         WHERE token_hash = ?1 AND used_at IS NULL AND expires_at > ?3
           AND session_id IN (SELECT id FROM sessions
                              WHERE id = ?4 AND revoked_at IS NULL AND expires_at > ?3)`,
      )
      .bind(r.oldHash, r.newHash, r.now, r.sessionId),
    d1
      .prepare(
        `INSERT INTO refresh_tokens (token_hash, session_id, issued_at, expires_at)
         SELECT ?2, session_id, ?3, ?4 FROM refresh_tokens
         WHERE token_hash = ?1 AND replaced_by = ?2`,
      )
      .bind(r.oldHash, r.newHash, r.now, r.expiresAt),
    d1
      .prepare(
        `UPDATE sessions SET last_used_at = ?3, expires_at = ?4
         WHERE id = ?1 AND EXISTS (SELECT 1 FROM refresh_tokens WHERE token_hash = ?2)`,
      )
      .bind(r.sessionId, r.newHash, r.now, r.expiresAt),
  ]);
  return claimed?.meta.changes === 1;
}

/** Marks a session revoked; true when this call revoked it. */
export async function revokeSession(db: Database, sessionId: string, now: number) {
  const result = await db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)));
  return result.meta.changes === 1;
}

/** A user's sessions that can still refresh, newest activity first. */
export async function listLiveSessions(db: Database, userId: string, now: number) {
  return db
    .select({
      id: sessions.id,
      createdAt: sessions.createdAt,
      lastUsedAt: sessions.lastUsedAt,
      expiresAt: sessions.expiresAt,
      userAgent: sessions.userAgent,
    })
    .from(sessions)
    .where(
      and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)),
    )
    .orderBy(desc(sessions.lastUsedAt));
}

/** Revokes one session, only if it belongs to `userId`; true when it was live. */
export async function revokeOwnSession(
  db: Database,
  userId: string,
  sessionId: string,
  now: number,
) {
  const result = await db
    .update(sessions)
    .set({ revokedAt: now })
    .where(
      and(eq(sessions.id, sessionId), eq(sessions.userId, userId), isNull(sessions.revokedAt)),
    );
  return result.meta.changes === 1;
}

/** The statement that revokes a user's live sessions, all or all but one; returns their ids. */
export function revokeUserSessionsQuery(
  db: Database,
  userId: string,
  now: number,
  keepSessionId?: string,
) {
  const mine = and(eq(sessions.userId, userId), isNull(sessions.revokedAt));
  return db
    .update(sessions)
    .set({ revokedAt: now })
    .where(keepSessionId ? and(mine, ne(sessions.id, keepSessionId)) : mine)
    .returning({ id: sessions.id });
}
