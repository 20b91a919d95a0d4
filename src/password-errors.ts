import { AppError } from "./errors";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, type PasswordProblem } from "./password";

const TITLES: Record<PasswordProblem, string> = {
  password_too_short: `The password must be at least ${PASSWORD_MIN_LENGTH} characters long.`,
  password_too_long: `The password must be at most ${PASSWORD_MAX_LENGTH} characters long.`,
};

/** The 400 for a password that breaks the rules in src/password.ts. */
export const passwordError = (problem: PasswordProblem) =>
  new AppError(400, problem, TITLES[problem]);
