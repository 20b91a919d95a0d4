// Everything the bench starts is registered here and stopped however the run
// ends: normally, on an error, on Ctrl-C, or (as a last resort) at exit.

const tasks = [];
const lastResort = new Map();

/** Runs `task` at cleanup (last registered, first run); returns a function that unregisters it. */
export function onCleanup(task) {
  tasks.push(task);
  return () => {
    const index = tasks.indexOf(task);
    if (index >= 0) tasks.splice(index, 1);
  };
}

/**
 * Remembers a process to SIGKILL synchronously at exit if it is still there
 * (`group`: the whole process group it leads). Returns a function that forgets it.
 */
export function killAtExit(pid, { group = false } = {}) {
  const key = `${group ? "-" : ""}${pid}`;
  lastResort.set(key, group ? -pid : pid);
  return () => lastResort.delete(key);
}

/** Runs every registered task once, newest first; errors are reported, not thrown. */
export async function cleanUp() {
  while (tasks.length > 0) {
    const task = tasks.pop();
    try {
      await task();
    } catch (error) {
      console.error(`cleanup: ${error instanceof Error ? error.message : error}`);
    }
  }
}

process.on("exit", () => {
  for (const target of lastResort.values()) {
    try {
      process.kill(target, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.once(signal, () => {
    console.error(`\nbench: ${signal}, stopping everything it started`);
    cleanUp().finally(() => process.exit(130));
  });
}
