// Process bookkeeping for the bench: CPU time from /proc, the processes a
// child started, and cleanup that runs however the bench ends.

import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second of /proc/<pid>/stat and /proc/stat (USER_HZ). */
export const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Fields of /proc/<pid>/stat after the command name, or null if the process is gone. */
function statFields(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    return {
      comm: text.slice(text.indexOf("(") + 1, text.lastIndexOf(")")),
      rest: text.slice(text.lastIndexOf(")") + 2).split(" "),
    };
  } catch {
    return null;
  }
}

/** User plus system CPU seconds a process has used so far (0 if it is gone). */
export function cpuSeconds(pid) {
  const stat = statFields(pid);
  if (!stat) return 0;
  // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
  return (Number(stat.rest[11]) + Number(stat.rest[12])) / TICKS_PER_SECOND;
}

/** Every live process as { pid, ppid, comm }. */
function processTable() {
  const table = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = statFields(entry);
    if (stat) table.push({ pid: Number(entry), ppid: Number(stat.rest[1]), comm: stat.comm });
  }
  return table;
}

/** The processes below `pid` (children, grandchildren, ...), not `pid` itself. */
export function descendants(pid) {
  const table = processTable();
  const found = [];
  let frontier = [pid];
  while (frontier.length > 0) {
    const children = table.filter((entry) => frontier.includes(entry.ppid));
    found.push(...children);
    frontier = children.map((entry) => entry.pid);
  }
  return found;
}

/** CPU seconds of a process and all its descendants. */
export function treeCpuSeconds(pid) {
  return [pid, ...descendants(pid).map((entry) => entry.pid)].reduce(
    (sum, each) => sum + cpuSeconds(each),
    0,
  );
}

export const isAlive = (pid) => statFields(pid) !== null;

/** CPU seconds of a process and each of its descendants, as { pid, comm, seconds }. */
export function treeCpuByProcess(pid) {
  const root = { pid, comm: statFields(pid)?.comm ?? "?", ppid: 0 };
  return [root, ...descendants(pid)].map((entry) => ({
    pid: entry.pid,
    comm: entry.comm,
    seconds: cpuSeconds(entry.pid),
  }));
}

/** CPU seconds of every live process, by pid, with its name. */
export function allCpuSeconds() {
  const table = new Map();
  for (const entry of processTable()) {
    table.set(entry.pid, { comm: entry.comm, seconds: cpuSeconds(entry.pid) });
  }
  return table;
}

/**
 * The busiest processes between two `allCpuSeconds()` snapshots, leaving out
 * `exclude` (pids), as { name, cores } over `seconds` of wall time.
 */
export function busiestOthers(before, after, exclude, seconds, count = 3) {
  const busy = [];
  for (const [pid, { comm, seconds: cpu }] of after) {
    if (exclude.has(pid)) continue;
    const used = cpu - (before.get(pid)?.seconds ?? 0);
    if (used > 0) busy.push({ name: `${comm} ${pid}`, cores: used / seconds });
  }
  return busy.sort((a, b) => b.cores - a.cores).slice(0, count);
}

/**
 * The CPUs a process may run on, as numbers (from `taskset --cpu-list --pid`),
 * or null when that cannot be read here (no taskset).
 */
export function allowedCpus(pid) {
  try {
    const text = execFileSync("taskset", ["--cpu-list", "--pid", String(pid)], {
      encoding: "utf8",
    });
    const list = text.slice(text.lastIndexOf(":") + 1).trim();
    return list.split(",").flatMap((part) => {
      const [first, last = first] = part.split("-").map(Number);
      return Array.from({ length: last - first + 1 }, (_, i) => first + i);
    });
  } catch {
    return null;
  }
}

/**
 * Restricts every thread of a process to `cpus` (numbers). Returns false when
 * that is not possible here (no taskset).
 */
export function pinToCpus(pid, cpus) {
  try {
    execFileSync("taskset", ["--all-tasks", "--cpu-list", "--pid", cpus.join(","), String(pid)], {
      stdio: "ignore",
    });
    return true;
  } catch {
    return false;
  }
}
