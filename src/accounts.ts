/**
 * Signup and login: the two places a password is checked. Both end in a new
 * session with its first refresh token.
 */

import { eq } from "drizzle-orm";
import { toStatement } from "./db/client";
import { users } from "./db/schema";
import { normaliseEmail } from "./email";
import { AppError } from "./errors";
import { log } from "./log";
import { checkPassword } from "./password";
import { passwordError, presentedPassword } from "./password-errors";
import type { Service } from "./service";
import { insertSessionStatements } from "./sessions";
import { type TokenResponse, tokenResponse } from "./token-response";
import { newRefreshToken } from "./tokens/refresh";

export const DEFAULT_ROLES = ["user"];

export interface Credentials {
  email: string;
  password: string;
  userAgent: string | null;
  /**
   * Settles when the attempt has passed the rate limits (rejects with a 429
   * otherwise). Login awaits it together with its user lookup, so the two
   * round trips overlap; no password is hashed before it has settled.
   */
  admitted?: Promise<void>;
}

const invalidEmail = () => new AppError(400, "invalid_email", "The email address is not valid.");

/** The one answer to every failed login, so it cannot tell which part was wrong. */
const invalidCredentials = () =>
  new AppError(401, "invalid_credentials", "The email or password is incorrect.");

function fail(error: AppError): never {
  throw error;
}

/**
 * Creates an account and its first session in one D1 batch: either all of it
 * is written or none (a lost race for the email writes nothing).
 */
export async function signup(service: Service, input: Credentials): Promise<TokenResponse> {
  const email = normaliseEmail(input.email) ?? fail(invalidEmail());
  const checked = checkPassword(input.password);
  if ("problem" in checked) throw passwordError(checked.problem);
  const { password } = checked;

  await input.admitted; // never hash for an attempt over the rate limits
  const passwordHash = await service.hasher.hash(password);
  const now = service.now();
  const userId = crypto.randomUUID();
  const sessionId = crypto.randomUUID();
  const refresh = await newRefreshToken();
  const expiresAt = now + service.config.refreshTokenTtl;

  // Tokens first: if signing failed after the write, the account would exist
  // without its owner ever getting in, and a retry would find the email taken.
  const subject = { userId, email, roles: DEFAULT_ROLES, sessionId };
  const response = await tokenResponse(service, subject, refresh.token, now);

  const { db, d1 } = service;
  const insertUser = db
    .insert(users)
    .values({
      id: userId,
      email,
      passwordHash,
      roles: DEFAULT_ROLES,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing({ target: users.email })
    .returning({ id: users.id });
  const [inserted] = await d1.batch([
    toStatement(d1, insertUser),
    ...insertSessionStatements(d1, {
      sessionId,
      userId,
      tokenHash: refresh.hash,
      userAgent: input.userAgent,
      now,
      expiresAt,
    }),
  ]);
  if (!inserted?.results.length) {
    log("info", "signup", { outcome: "email_taken" });
    throw new AppError(409, "email_taken", "An account with this email already exists.");
  }

  log("info", "signup", { outcome: "success", user_id: userId, session_id: sessionId });
  return response;
}

/**
 * Checks credentials and opens a new session. An unknown email costs the same
 * hashing work as a known one, and both failures get the same answer.
 */
export async function login(service: Service, input: Credentials): Promise<TokenResponse> {
  const email = normaliseEmail(input.email);
  const candidate = presentedPassword(input.password);

  const { db, d1, hasher } = service;
  const lookup = email
    ? db.select().from(users).where(eq(users.email, email)).limit(1)
    : Promise.resolve([]);
  const [, rows] = await Promise.all([input.admitted, lookup]);
  const user = rows[0];
  if (!user) {
    await hasher.burn(candidate);
    log("info", "login", { outcome: "failure", reason: "unknown_email" });
    throw invalidCredentials();
  }

  const verdict = await hasher.verify(candidate, user.passwordHash);
  if (!verdict.ok) {
    log("info", "login", { outcome: "failure", reason: "wrong_password", user_id: user.id });
    throw invalidCredentials();
  }

  const now = service.now();
  const sessionId = crypto.randomUUID();
  const refresh = await newRefreshToken();
  const subject = { userId: user.id, email: user.email, roles: user.roles, sessionId };
  // Signing does not depend on the write: do it while D1 works. (Unlike signup,
  // a signing failure here would leave only an unused session behind, not an
  // account; keys are checked at startup, so it should not happen.)
  const response = tokenResponse(service, subject, refresh.token, now);
  const statements = insertSessionStatements(d1, {
    sessionId,
    userId: user.id,
    tokenHash: refresh.hash,
    userAgent: input.userAgent,
    now,
    expiresAt: now + service.config.refreshTokenTtl,
  });
  if (verdict.rehash) {
    // Parameters changed since this hash was made: upgrade it while we hold the password.
    const passwordHash = await hasher.hash(candidate);
    const upgrade = db
      .update(users)
      .set({ passwordHash, updatedAt: now })
      .where(eq(users.id, user.id));
    await d1.batch([toStatement(d1, upgrade), ...statements]);
    log("info", "password_rehashed", { user_id: user.id });
  } else {
    await d1.batch(statements);
  }

  log("info", "login", { outcome: "success", user_id: user.id, session_id: sessionId });
  return response;
}
