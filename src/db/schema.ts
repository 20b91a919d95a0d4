/**
 * The D1 schema, in drizzle-orm. `npm run db:generate` turns changes here into
 * a new SQL file in `migrations/`, which wrangler applies (locally before
 * `npm run dev`, in tests before each run, remotely with `--remote`).
 *
 * Times are whole seconds since the Unix epoch, like JWT claims.
 * Refresh tokens are stored only as SHA-256 hashes: a copy of this database
 * does not let anyone refresh a session.
 */

import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  /** Trimmed and lower-cased; the unique index makes one account per email. */
  email: text("email").notNull().unique(),
  /** `$pbkdf2-sha256$i=…,p=…$salt$hash`, see src/password.ts. */
  passwordHash: text("password_hash").notNull(),
  /** JSON array of role names, copied into every access token. */
  roles: text("roles", { mode: "json" }).$type<string[]>().notNull().default(sql`'["user"]'`),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/** A login: one family of refresh tokens, each replacing the one before. */
export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    /** Set once, by logout or by reuse detection; never cleared. */
    revokedAt: integer("revoked_at"),
    userAgent: text("user_agent"),
  },
  (table) => [index("sessions_user_id").on(table.userId)],
);

/** Every refresh token ever issued, by hash, so a replayed one can be recognised. */
export const refreshTokens = sqliteTable(
  "refresh_tokens",
  {
    tokenHash: text("token_hash").primaryKey(),
    sessionId: text("session_id")
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
    issuedAt: integer("issued_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    /** When it was exchanged for its successor; a second exchange is reuse. */
    usedAt: integer("used_at"),
    /** Hash of the successor, written by the one rotation that won. */
    replacedBy: text("replaced_by"),
  },
  (table) => [index("refresh_tokens_session_id").on(table.sessionId)],
);

export type User = typeof users.$inferSelect;
export type Session = typeof sessions.$inferSelect;
