// One bounded load run with autocannon against a server on 127.0.0.1, with
// exact latency percentiles (from every response time, not autocannon's
// whole-millisecond histogram) and the CPU each side used.

import { readFileSync } from "node:fs";
import autocannon from "autocannon";
import { allCpuSeconds, busiestOthers, TICKS_PER_SECOND } from "./processes.mjs";
import { percentile } from "./stats.mjs";

/** Busy and total CPU seconds of the whole machine so far, from /proc/stat. */
export function machineCpuSeconds() {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return {
    busy: busy / TICKS_PER_SECOND,
    total: (busy + idle + iowait) / TICKS_PER_SECOND,
  };
}

/**
 * Runs autocannon for `seconds` against `url`.
 *
 * @param {object} options
 * @param {() => number} options.serverCpu CPU seconds of the server processes so far
 * @param {number} [options.rate] requests per second to offer in total (open loop)
 * @param {() => number[]} [options.serverPids] the server's processes, not "other load"
 */
export async function runLoad({
  url,
  request,
  connections,
  seconds,
  serverCpu,
  expect = 200,
  rate,
  serverPids = () => [],
}) {
  const latencies = [];
  let unexpected = 0;

  const server0 = serverCpu();
  const client0 = process.cpuUsage();
  const machine0 = machineCpuSeconds();
  const processes0 = allCpuSeconds();
  const started = performance.now();

  const result = await new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        method: request.method,
        headers: request.headers,
        body: request.body,
        connections,
        pipelining: 1,
        duration: seconds,
        timeout: 30,
        // Open loop at a fixed offered load when given, else as fast as answers come.
        ...(rate ? { overallRate: rate } : {}),
        // A different Authorization header on every request, when asked for.
        ...(request.nextAuthorization
          ? {
              requests: [
                {
                  setupRequest: (built) => ({
                    ...built,
                    headers: { ...built.headers, authorization: request.nextAuthorization() },
                  }),
                },
              ],
            }
          : {}),
      },
      (error, outcome) => (error ? reject(error) : resolve(outcome)),
    );
    instance.on("response", (_client, status, _bytes, milliseconds) => {
      if (status === expect) latencies.push(milliseconds);
      else unexpected++;
    });
  });

  const wallSeconds = (performance.now() - started) / 1000;
  const client = process.cpuUsage(client0);
  const serverSeconds = serverCpu() - server0;
  const machine1 = machineCpuSeconds();
  const exclude = new Set([process.pid, ...serverPids()]);
  const others = busiestOthers(processes0, allCpuSeconds(), exclude, wallSeconds);
  const clientSeconds = (client.user + client.system) / 1e6;
  const machineBusy = machine1.busy - machine0.busy;

  latencies.sort((a, b) => a - b);
  const completed = latencies.length;
  return {
    seconds: wallSeconds,
    completed,
    unexpected,
    errors: result.errors + result.timeouts,
    requestsPerSecond: completed / wallSeconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    serverCpuPerRequestUs: completed > 0 ? (serverSeconds * 1e6) / completed : null,
    clientCpuPerRequestUs: completed > 0 ? (clientSeconds * 1e6) / completed : null,
    serverCores: serverSeconds / wallSeconds,
    clientCores: clientSeconds / wallSeconds,
    /** Busy CPU of the whole machine (cores) that was neither server nor load generator. */
    otherCores: Math.max(0, machineBusy - serverSeconds - clientSeconds) / wallSeconds,
    /** The busiest of those other processes. */
    others,
  };
}
