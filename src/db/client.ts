import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Database = DrizzleD1Database<typeof schema>;

/** Wraps the D1 binding; cheap, but built once per isolate with the rest. */
export const openDatabase = (d1: D1Database): Database => drizzle(d1, { schema });

/**
 * A drizzle query as a D1 statement, for `D1Database.batch`. drizzle's own
 * batch cannot carry raw `sql` statements with parameters (drizzle-orm 0.45),
 * and the guarded inserts below need raw SQL, so batches go through D1 itself.
 */
export function toStatement(
  d1: D1Database,
  query: { toSQL(): { sql: string; params: unknown[] } },
) {
  const { sql, params } = query.toSQL();
  return d1.prepare(sql).bind(...params);
}
