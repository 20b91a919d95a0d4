// V8's sampling CPU profiler on the bench Worker's isolate, through workerd's
// inspector on 127.0.0.1: where one variant's time goes, by function.

/** Opens the inspector session of the Worker named `worker`. */
async function connect(inspectorPort, worker) {
  const targets = await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json();
  const target = targets.find((entry) => entry.title?.includes(worker)) ?? targets[0];
  if (!target) throw new Error("workerd's inspector lists no Worker");
  const socket = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve, { once: true });
    socket.addEventListener("error", reject, { once: true });
  });
  let nextId = 1;
  const pending = new Map();
  // A closed inspector socket fails every call still waiting, rather than leaving it hanging.
  socket.addEventListener("close", () => {
    for (const waiter of pending.values()) waiter.reject(new Error("the inspector closed"));
    pending.clear();
  });
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error) waiter.reject(new Error(message.error.message));
    else waiter.resolve(message.result);
  });
  const send = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, method, params }));
    });
  return { send, close: () => socket.close() };
}

const frameName = (frame) => {
  const file = frame.url.split("/").at(-1) || "(native)";
  return `${frame.functionName || "(anonymous)"}  ${file}:${frame.lineNumber + 1}`;
};

/**
 * Self and total (self plus callees) time per function, in microseconds,
 * largest first. A function on the stack twice counts once in its total.
 */
function timesByFunction(profile) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parents.set(child, node.id);
  }
  const self = new Map();
  const total = new Map();
  const add = (map, key, us) => map.set(key, (map.get(key) ?? 0) + us);
  // timeDeltas[i] is the time from sample i - 1 to sample i: a sample stands
  // for the time until the next one, as Chrome's DevTools counts it.
  for (let i = 0; i < profile.samples.length; i++) {
    const us = profile.timeDeltas[i + 1] ?? 0;
    let id = profile.samples[i];
    add(self, frameName(nodes.get(id).callFrame), us);
    const seen = new Set();
    for (; id !== undefined; id = parents.get(id)) {
      const key = frameName(nodes.get(id).callFrame);
      if (!seen.has(key)) add(total, key, us);
      seen.add(key);
    }
  }
  const sorted = (map) => [...map].sort((a, b) => b[1] - a[1]);
  return { self: sorted(self), total: sorted(total) };
}

/**
 * Runs `work` under the profiler; returns self and total times per function
 * and the time sampled, in microseconds.
 */
export async function profile(inspectorPort, worker, work) {
  const session = await connect(inspectorPort, worker);
  try {
    await session.send("Profiler.enable");
    await session.send("Profiler.setSamplingInterval", { interval: 50 });
    await session.send("Profiler.start");
    await work();
    const { profile: result } = await session.send("Profiler.stop");
    const times = timesByFunction(result);
    const sampled = times.self.reduce((sum, [, us]) => sum + us, 0);
    return { ...times, sampled };
  } finally {
    session.close();
  }
}
