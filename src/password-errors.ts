import { AppError } from "./errors";
import {
  checkPassword,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  type PasswordProblem,
} from "./password";

const TITLES: Record<PasswordProblem, string> = {
  password_too_short: `The password must be at least ${PASSWORD_MIN_LENGTH} characters long.`,
  password_too_long: `The password must be at most ${PASSWORD_MAX_LENGTH} characters long.`,
};

/** The 400 for a password that breaks the rules in src/password.ts. */
export const passwordError = (problem: PasswordProblem) =>
  new AppError(400, problem, TITLES[problem]);

/**
 * A password presented to be checked against a stored hash (login, the
 * current password of a change), normalised. Too long is refused before any
 * hashing; too short may still be an account made under an older policy, so
 * that is left to the hash to decide.
 */
export function presentedPassword(password: string): string {
  const checked = checkPassword(password);
  if ("password" in checked) return checked.password;
  if (checked.problem === "password_too_long") throw passwordError(checked.problem);
  return password.normalize("NFKC");
}
