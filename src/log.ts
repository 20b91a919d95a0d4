/**
 * Structured logging: one JSON object per line, so `grep '"event":"login"'`
 * finds every login. Callers pass identifiers (user id, session id), never a
 * password, token, hash or key; `redact` is a second line of defence for
 * field names that must never be written even by mistake.
 */

type Level = "info" | "warn" | "error";
type Fields = Record<string, string | number | boolean | null | undefined>;

const SECRET_FIELD = /pass|token|secret|hash|key|pepper|authorization|cookie/i;

function redact(fields: Fields): Fields {
  const out: Fields = {};
  for (const [name, value] of Object.entries(fields)) {
    // Only text can carry a secret; a flag such as `peppered: true` cannot.
    out[name] = typeof value === "string" && SECRET_FIELD.test(name) ? "[redacted]" : value;
  }
  return out;
}

/**
 * Writes one log line.
 *
 * @example
 * log("info", "login", { outcome: "success", user_id: user.id });
 */
export function log(level: Level, event: string, fields: Fields = {}): void {
  // Always console.log: wrangler dev decorates console.error/warn output with
  // colours and prefixes, which would break "one JSON object per line".
  console.log(JSON.stringify({ ts: new Date().toISOString(), level, event, ...redact(fields) }));
}
