/**
 * Service configuration, read from `[vars]` and secrets once per isolate and
 * validated before the first request is served. A bad value raises a
 * `ConfigError` that names the variable, so a deploy with a typo fails loudly
 * instead of signing tokens nobody can verify.
 */

/**
 * PBKDF2 iterations above this are rejected by Workers in production, although
 * local workerd accepts them: enforce the cap here so tests see it too.
 */
export const PBKDF2_MAX_ITERATIONS = 100_000;

/** Below this PBKDF2 is too cheap to slow down an offline guessing attack. */
export const PBKDF2_MIN_ITERATIONS = 10_000;

export interface Config {
  /** `iss` of every access token and the issuer verifiers must expect. */
  issuer: string;
  /** `aud` of every access token. */
  audience: string;
  /** Access-token lifetime in seconds: minutes, not hours. */
  accessTokenTtl: number;
  /** Refresh-token (and session) lifetime in seconds. */
  refreshTokenTtl: number;
  /** PBKDF2-SHA256 iterations for new hashes; older hashes are upgraded at login. */
  pbkdf2Iterations: number;
  /** Seconds during which a just-rotated refresh token is a race, not theft. */
  refreshReuseGrace: number;
  /** Seconds of clock skew tolerated on `exp`, `nbf` and `iat`. */
  clockTolerance: number;
  /** Optional secret mixed into every password hash; null when not set. */
  pepper: string | null;
  /** How long an issued access token can still be accepted: lifetime plus skew. */
  accessTokenMaxAge: number;
  /** Exact browser origins allowed to call cross-origin, with credentials. */
  corsOrigins: ReadonlySet<string>;
  /** Static-site paths that need a session, most specific first. */
  protectedPaths: readonly ProtectedPath[];
}

/** A protected path pattern: `/app/*` (a prefix) or `/report.html` (exact), maybe with a role. */
export interface ProtectedPath {
  pattern: string;
  /** The pattern without its trailing `*`. */
  prefix: string;
  /** True for `/x/*`: any path below the prefix. */
  wildcard: boolean;
  /** A role the user must hold, or null for any signed-in user. */
  role: string | null;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`configuration ${variable} ${problem}`);
    this.name = "ConfigError";
  }
}

type Vars = Record<string, unknown>;

function readString(vars: Vars, name: string): string {
  const value = vars[name];
  if (typeof value !== "string" || value.trim() === "") {
    throw new ConfigError(name, "is missing or empty");
  }
  return value.trim();
}

function readInteger(vars: Vars, name: string, min: number, max: number): number {
  const text = readString(vars, name);
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

function readIssuer(vars: Vars): string {
  const text = readString(vars, "ISSUER");
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError("ISSUER", `must be an absolute http(s) URL, got "${text}"`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigError("ISSUER", `must be an absolute http(s) URL, got "${text}"`);
  }
  return text;
}

/** A comma-separated list of exact origins; empty means none. */
function readOrigins(vars: Vars, name: string): Set<string> {
  const text = typeof vars[name] === "string" ? (vars[name] as string) : "";
  const origins = new Set<string>();
  for (const entry of text.split(",").map((item) => item.trim())) {
    if (entry === "") continue;
    let origin: string | undefined;
    try {
      origin = new URL(entry).origin;
    } catch {
      // reported below
    }
    // Only exact origins: no paths, no wildcards, nothing a URL parser would rewrite.
    if (origin !== entry || !/^https?:/.test(entry)) {
      throw new ConfigError(name, `must list origins like https://app.example.com, got "${entry}"`);
    }
    origins.add(entry);
  }
  return origins;
}

const PATH_PATTERN = /^(\/[A-Za-z0-9._~\-/]*?)(\*?)(?:=([A-Za-z0-9_-]{1,64}))?$/;

/** `"/app/*, /admin/*=admin"`: comma-separated patterns, each maybe `=role`. */
function readProtectedPaths(vars: Vars, name: string): ProtectedPath[] {
  const text = typeof vars[name] === "string" ? (vars[name] as string) : "";
  const paths: ProtectedPath[] = [];
  for (const entry of text.split(",").map((item) => item.trim())) {
    if (entry === "") continue;
    const match = PATH_PATTERN.exec(entry);
    if (!match || match[1]?.includes("//")) {
      throw new ConfigError(name, `has a bad pattern "${entry}" (use /path/* or /path/*=role)`);
    }
    const [, prefix = "/", star, role] = match;
    const pattern = entry.split("=")[0] ?? entry;
    paths.push({ pattern, prefix, wildcard: star === "*", role: role ?? null });
  }
  // Most specific first, so "/app/admin/*=admin" wins over "/app/*".
  return paths.sort((a, b) => b.prefix.length - a.prefix.length);
}

/**
 * Builds the configuration from the Worker's environment.
 *
 * @example
 * const config = readConfig(env); // throws ConfigError("ACCESS_TOKEN_TTL", ...) on "15m"
 */
export function readConfig(vars: Vars): Config {
  const pepper = vars.PASSWORD_PEPPER;
  const accessTokenTtl = readInteger(vars, "ACCESS_TOKEN_TTL", 60, 3600);
  const clockTolerance = readInteger(vars, "CLOCK_TOLERANCE", 0, 300);
  return {
    issuer: readIssuer(vars),
    audience: readString(vars, "AUDIENCE"),
    accessTokenTtl,
    refreshTokenTtl: readInteger(vars, "REFRESH_TOKEN_TTL", 300, 366 * 86_400),
    pbkdf2Iterations: readInteger(
      vars,
      "PBKDF2_ITERATIONS",
      PBKDF2_MIN_ITERATIONS,
      PBKDF2_MAX_ITERATIONS,
    ),
    refreshReuseGrace: readInteger(vars, "REFRESH_REUSE_GRACE", 0, 60),
    clockTolerance,
    pepper: typeof pepper === "string" && pepper !== "" ? pepper : null,
    accessTokenMaxAge: accessTokenTtl + clockTolerance,
    corsOrigins: readOrigins(vars, "CORS_ORIGINS"),
    protectedPaths: readProtectedPaths(vars, "PROTECTED_PATHS"),
  };
}
