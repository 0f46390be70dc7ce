'use strict';
// BullMQ with no-op jobs on this machine, measured the way `bin/beamline-worker loadgen`
// measures the worker, so the two can be read side by side (docs/benchmarks-peer.md):
//   - ONE worker process (worker.js, forked here) with a fixed concurrency;
//   - this process is the producer and the client that waits for outcomes: it adds jobs with
//     addBulk and hears "active" (our ack) and "completed" (our result) from QueueEvents;
//   - unpaced case: a closed loop of at most --window jobs without a "completed" event, for
//     --duration-ms after a warm-up of --warmup jobs; throughput counts distinct completions from
//     the first add to the last completion; latency is from the add call to the event;
//   - fixed-rate case: --rate jobs/s due on a schedule, added as they fall due (addBulk of what
//     is due, not waiting for the previous add), latency from the time each job was DUE;
//   - drain case (--drain N): N jobs added while the queue is paused, then resumed; jobs/s from
//     the resume until nothing is waiting or active: the worker and Redis alone, no producer in
//     the loop (the events are still read, for the exactly-once check);
//   - exactly once: one "completed" event per job, no "failed"/"stalled"/"duplicated" event,
//     the processor ran exactly once per job (the worker counts), nothing left in the queue.
// Prints one JSON line on stdout; progress and a text summary go to stderr.
const { Queue, QueueEvents } = require('bullmq');
const { fork } = require('node:child_process');
const { performance } = require('node:perf_hooks');
const path = require('node:path');
const os = require('node:os');

const USAGE = `usage: node bench.js --redis-port PORT [--window 1000] [--batch 1000] [--duration-ms 12000]
       [--warmup 5000] [--rate 5000 (0 = skip the fixed-rate case)] [--concurrency 100]
       [--drain 30000 (0 = skip)] [--timeout-ms 30000] [--label bullmq]`;
const QUEUE = `bench-peer-${process.pid}`;
const SETTLE_MS = 300;          // keep listening this long after the last outcome, for late duplicates
const MAX_UNPACED = 2_000_000;  // ids the unpaced case can send (as loadgen --count 2000000)
const EVENTS_MAX_LEN = 200_000; // events kept in the stream; QueueEvents must never miss one

function parseArgs(argv) {
  const o = { redisPort: 0, window: 1000, batch: 1000, durationMs: 12000, warmup: 5000, rate: 5000,
    concurrency: 100, drain: 30000, timeoutMs: 30000, label: 'bullmq' };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (!(key in o) || argv[i + 1] === undefined) fail(`unknown or incomplete option ${argv[i]}\n${USAGE}`);
    o[key] = key === 'label' ? argv[i + 1] : Number(argv[i + 1]);
    if (key !== 'label' && !(o[key] >= 0)) fail(`${argv[i]} must be a number >= 0, got ${argv[i + 1]}`);
  }
  if (!(o.redisPort > 0)) fail(USAGE);
  if (!(o.window > 0) || !(o.batch > 0) || !(o.concurrency > 0)) fail('--window, --batch, --concurrency must be > 0');
  return o;
}

function fail(message) {
  console.error(`bench/peer: ${message}`);
  process.exit(2);
}

/** Everything one phase sent and observed, indexed by the job's sequence number. */
class Phase {
  constructor(name, capacity) {
    this.name = name;
    this.sentAt = new Float64Array(capacity);  // performance.now() of the add call, or the due time
    this.activeSeen = new Uint8Array(capacity);
    this.completedSeen = new Uint8Array(capacity);
    this.ackMs = [];
    this.resultMs = [];
    this.sent = 0;
    this.settled = 0;
    this.firstSend = 0;
    this.lastResult = 0;
    this.v = { missing_result: 0, duplicate_result: 0, duplicate_active: 0, failed: 0, stalled: 0, duplicated: 0,
      unknown_id: 0 };
    this.onSettled = () => {};
  }

  active(n, now) {
    if (!this.known(n)) return;
    if (this.activeSeen[n]++ > 0) { this.v.duplicate_active++; return; }
    this.ackMs.push(now - this.sentAt[n]);
  }

  completed(n, now) {
    if (!this.known(n)) return;
    if (this.completedSeen[n]++ > 0) { this.v.duplicate_result++; return; }
    this.resultMs.push(now - this.sentAt[n]);
    this.lastResult = now;
    this.settled++;
    this.onSettled();
  }

  known(n) {
    if (Number.isInteger(n) && n >= 0 && n < this.sent) return true;
    this.v.unknown_id++;
    return false;
  }

  summary(workerStats) {
    this.v.missing_result = this.sent - this.settled;
    const runs = workerStats.byPhase[this.name] || { distinct: 0, calls: 0 };
    this.v.processor_not_run = this.sent - runs.distinct;
    this.v.processor_extra_runs = runs.calls - runs.distinct;
    const seconds = this.settled > 0 ? (this.lastResult - this.firstSend) / 1000 : 0;
    return {
      sent: this.sent,
      completed: this.settled,
      throughput_per_s: round(seconds > 0 ? this.settled / seconds : 0),
      seconds: round(seconds),
      ack: percentiles(this.ackMs),
      result: percentiles(this.resultMs),
      violations: { ...this.v },
      ok: this.sent > 0 && Object.values(this.v).every((x) => x === 0),
    };
  }
}

function percentiles(values) {
  if (values.length === 0) return { n: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  const sorted = Float64Array.from(values).sort();
  const at = (q) => round3(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]);
  return { n: sorted.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), p999: at(0.999), max: round3(sorted[sorted.length - 1]) };
}

const round = (x) => Math.round(x * 10) / 10;
const round3 = (x) => Math.round(x * 1000) / 1000;

/** Shaped like the load generator's fs.get assignment body; the id travels as the BullMQ job id. */
function job(phase, n) {
  return {
    name: 'fs.get',
    data: { version: '1', tenant_id: `bench-${n % 4}`, executor: { provider_id: 'bench' },
      job: { type: 'fs.get', path: '/bench/small.txt' } },
    opts: { jobId: `${phase.name}-${n}` },
  };
}

/** Closed loop: at most `window` jobs without a completion; one addBulk in flight at a time, so
 *  completions that arrive meanwhile are refilled together in the next batch. */
function sendWindowed(queue, phase, o, count, durationMs) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    phase.firstSend = start;
    let adding = false;
    let done = false;
    const pump = async () => {
      if (adding || done) return;
      adding = true;
      try {
        for (;;) {
          const now = performance.now();
          if (phase.sent >= count || (durationMs > 0 && now - start >= durationMs)) {
            done = true;
            resolve();
            return;
          }
          const room = Math.min(o.window - (phase.sent - phase.settled), o.batch, count - phase.sent);
          if (room <= 0) return;
          const jobs = [];
          for (let i = 0; i < room; i++) {
            phase.sentAt[phase.sent + i] = now;
            jobs.push(job(phase, phase.sent + i));
          }
          phase.sent += room;
          await queue.addBulk(jobs);
        }
      } catch (err) {
        done = true;
        reject(err);
      } finally {
        adding = false;
      }
    };
    phase.onSettled = pump;
    if (durationMs > 0) setTimeout(pump, durationMs + 1);  // ends the phase even if nothing completes
    pump();
  });
}

/** Open loop on a schedule: job n is due at start + n / rate and is added as soon as it is due,
 *  without waiting for earlier adds (the schedule never waits for Redis). */
function sendPaced(queue, phase, count, rate) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const interval = 1000 / rate;
    const adds = [];
    phase.firstSend = start;
    const tick = () => {
      const due = Math.min(count, Math.floor((performance.now() - start) / interval) + 1);
      if (due > phase.sent) {
        const jobs = [];
        for (let n = phase.sent; n < due; n++) {
          phase.sentAt[n] = start + n * interval;
          jobs.push(job(phase, n));
        }
        phase.sent = due;
        adds.push(queue.addBulk(jobs));
      }
      if (phase.sent >= count) {
        Promise.all(adds).then(() => resolve(), reject);
        return;
      }
      setTimeout(tick, Math.max(0, start + phase.sent * interval - performance.now()));
    };
    tick();
  });
}

/** Adds `count` jobs to the paused queue, resumes it and times the worker until the queue is empty. */
async function drain(queue, phase, o, count) {
  await queue.pause();
  for (let n = 0; n < count; n += o.batch) {
    const jobs = [];
    const now = performance.now();
    for (let i = n; i < Math.min(count, n + o.batch); i++) {
      phase.sentAt[i] = now;
      jobs.push(job(phase, i));
    }
    phase.sent = n + jobs.length;
    await queue.addBulk(jobs);
  }
  const start = performance.now();
  await queue.resume();
  for (;;) {
    const c = await queue.getJobCounts('waiting', 'active', 'paused');
    if (c.waiting + c.active + c.paused === 0) break;
    if (performance.now() - start > o.timeoutMs + count) break;  // a stuck worker: the check fails later
    await sleep(10);
  }
  const seconds = (performance.now() - start) / 1000;
  return { jobs: count, seconds: round(seconds), throughput_per_s: round(count / seconds) };
}

async function redisServerInfo(port) {
  const Redis = require('ioredis');
  const client = new Redis({ host: '127.0.0.1', port });
  try { return await client.info('server'); } finally { client.disconnect(); }
}

async function awaitSettled(phase, timeoutMs) {
  const deadline = performance.now() + timeoutMs;
  while (phase.settled < phase.sent && performance.now() < deadline) await sleep(5);
  await sleep(SETTLE_MS);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function startWorker(o) {
  const child = fork(path.join(__dirname, 'worker.js'), [QUEUE, String(o.redisPort), String(o.concurrency)]);
  let exited = false;
  child.on('exit', () => { exited = true; });
  const ready = new Promise((resolve, reject) => {
    child.once('message', (m) => (m.ready ? resolve() : reject(new Error('unexpected message'))));
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
  // A worker that died mid-run reports nothing: every job then counts as "processor_not_run".
  const stats = () => new Promise((resolve) => {
    if (exited) { resolve({ byPhase: {}, duplicateRuns: 0, exited: true }); return; }
    child.once('message', (m) => resolve({ ...m.stats, exited: false }));
    child.send('stats');
  });
  const close = () => new Promise((resolve) => {
    if (exited) { resolve(); return; }
    child.once('exit', resolve);
    child.send('close');
  });
  return { child, ready, stats, close };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const connection = { host: '127.0.0.1', port: o.redisPort };
  const queue = new Queue(QUEUE, {
    connection,
    streams: { events: { maxLen: EVENTS_MAX_LEN } },
    // Completed jobs are removed as BullMQ's docs advise for high volume; our worker keeps no
    // per-assignment record either. Failed jobs are kept (there must be none).
    defaultJobOptions: { removeOnComplete: true, removeOnFail: false, attempts: 1 },
  });
  await queue.waitUntilReady();
  const events = new QueueEvents(QUEUE, { connection, lastEventId: '0-0' });
  await events.waitUntilReady();
  const phases = {};
  const route = (jobId) => {
    const dash = jobId.indexOf('-');
    return [phases[jobId.slice(0, dash)], Number(jobId.slice(dash + 1))];
  };
  events.on('active', ({ jobId }) => { const [p, n] = route(jobId); if (p) p.active(n, performance.now()); });
  events.on('completed', ({ jobId }) => { const [p, n] = route(jobId); if (p) p.completed(n, performance.now()); });
  for (const kind of ['failed', 'stalled', 'duplicated']) {
    events.on(kind, ({ jobId }) => { const [p] = route(jobId); if (p) p.v[kind]++; });
  }

  const worker = startWorker(o);
  await worker.ready;
  const run = async (name, capacity, send) => {
    const phase = (phases[name] = new Phase(name, capacity));
    await send(phase);
    await awaitSettled(phase, o.timeoutMs);
    return phase;
  };

  console.error(`bench/peer: warm-up, ${o.warmup} jobs`);
  const warm = o.warmup > 0 ? await run('w', o.warmup, (p) => sendWindowed(queue, p, o, o.warmup, 0)) : null;
  console.error(`bench/peer: unpaced, window ${o.window}, ${o.durationMs} ms`);
  const unpaced = await run('m', MAX_UNPACED, (p) => sendWindowed(queue, p, o, MAX_UNPACED, o.durationMs));
  const rateCount = Math.round(o.rate * o.durationMs / 1000);
  let paced = null;
  if (o.rate > 0) {
    console.error(`bench/peer: fixed rate, ${o.rate}/s, ${rateCount} jobs`);
    paced = await run('r', rateCount, (p) => sendPaced(queue, p, rateCount, o.rate));
  }

  let drained = null;
  if (o.drain > 0) {
    console.error(`bench/peer: drain, ${o.drain} jobs added to the paused queue, then resumed`);
    await run('d', o.drain, async (p) => { drained = await drain(queue, p, o, o.drain); });
  }

  const stats = await worker.stats();
  const left = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed');
  const leftOver = Object.values(left).reduce((a, b) => a + b, 0);
  const redisInfo = await redisServerInfo(o.redisPort);
  await worker.close();
  await events.close();
  await queue.obliterate({ force: true });
  await queue.close();

  const u = unpaced.summary(stats);
  const w = warm ? warm.summary(stats) : { ok: true, violations: {} };
  const r = paced ? paced.summary(stats) : null;
  const d = drained ? { ...phases.d.summary(stats), ...drained } : null;
  const ok = u.ok && w.ok && (r ? r.ok : true) && (d ? d.ok : true) && leftOver === 0 && stats.duplicateRuns === 0 && !stats.exited;
  const line = {
    label: o.label,
    ok,
    throughput_per_s: u.throughput_per_s,
    result_p50_ms: u.result.p50,
    result_p90_ms: u.result.p90,
    result_p99_ms: u.result.p99,
    result_p999_ms: u.result.p999,
    result_max_ms: u.result.max,
    ack_p50_ms: u.ack.p50,
    ack_p99_ms: u.ack.p99,
    sent: u.sent,
    seconds: u.seconds,
    violations: u.violations,
    warmup_violations: Object.values(w.violations).reduce((a, b) => a + b, 0),
    fixed_rate_per_s: o.rate,
    fixed_rate_throughput_per_s: r ? r.throughput_per_s : null,
    fixed_rate_result_p50_ms: r ? r.result.p50 : null,
    fixed_rate_result_p99_ms: r ? r.result.p99 : null,
    fixed_rate_ack_p50_ms: r ? r.ack.p50 : null,
    fixed_rate_ack_p99_ms: r ? r.ack.p99 : null,
    fixed_rate: r,
    drain_throughput_per_s: d ? d.throughput_per_s : null,
    drain_violations: d ? d.violations : null,
    left_in_queue: left,
    processor_duplicate_runs: stats.duplicateRuns,
    worker_exited: stats.exited,
    max_in_flight: o.window,
    add_batch_max: o.batch,
    concurrency: o.concurrency,
    warmup: o.warmup,
    duration_ms: o.durationMs,
    bullmq: require('bullmq/package.json').version,
    ioredis: require('ioredis/package.json').version,
    redis: (/redis_version:(\S+)/.exec(redisInfo) || [])[1] || 'unknown',
    node: process.version,
    nproc: os.cpus().length,
    loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
  console.error(text(o, u, r, d, ok, left));
  process.stdout.write(`${JSON.stringify(line)}\n`);
  process.exit(ok ? 0 : 1);
}

function text(o, u, r, d, ok, left) {
  const lat = (k, l) => `  ${k.padEnd(8)} ms  p50 ${l.p50}  p90 ${l.p90}  p99 ${l.p99}  p99.9 ${l.p999}  max ${l.max}  (n=${l.n})`;
  const lines = [`bullmq (concurrency ${o.concurrency}): ${ok ? 'OK' : 'FAILED'}`,
    `  unpaced, window ${o.window}: ${u.completed}/${u.sent} completed, ${u.throughput_per_s} jobs/s over ${u.seconds} s`,
    lat('active', u.ack), lat('complete', u.result), `  violations ${JSON.stringify(u.violations)}`];
  if (r) {
    lines.push(`  fixed rate ${o.rate}/s: ${r.completed}/${r.sent} completed, ${r.throughput_per_s} jobs/s`,
      lat('active', r.ack), lat('complete', r.result), `  violations ${JSON.stringify(r.violations)}`);
  }
  if (d) {
    lines.push(`  drain: ${d.jobs} jobs in ${d.seconds} s, ${d.throughput_per_s} jobs/s; violations ${JSON.stringify(d.violations)}`);
  }
  lines.push(`  left in queue ${JSON.stringify(left)}`);
  return lines.join('\n');
}

main().catch((err) => {
  console.error(`bench/peer: ${err.stack || err}`);
  process.exit(1);
});
