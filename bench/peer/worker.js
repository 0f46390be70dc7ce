'use strict';
// The BullMQ side of bench/peer: ONE worker process running a no-op processor with a fixed
// concurrency, the counterpart of one `serve --sandbox` process. It counts how often the
// processor ran for each job id so the producer (bench.js, our parent over IPC) can check that
// every job ran exactly once, not only that one "completed" event arrived per job.
const { Worker } = require('bullmq');

const [queueName, port, concurrency] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
if (!queueName || !(port > 0) || !(concurrency > 0)) {
  console.error('usage: node worker.js QUEUE REDIS_PORT CONCURRENCY');
  process.exit(2);
}

const runs = new Map();  // job id -> processor calls
let duplicateRuns = 0;

// The result mirrors what the sandbox block returns: a small object, stored by BullMQ with the
// job and carried in its "completed" event, as our worker publishes one result per assignment.
const RESULT = { status: 'success', result: { echo: true } };

const worker = new Worker(queueName, async (job) => {
  const seen = runs.get(job.id) || 0;
  if (seen > 0) duplicateRuns++;
  runs.set(job.id, seen + 1);
  return RESULT;
}, {
  connection: { host: '127.0.0.1', port },
  concurrency,
  autorun: false,
});
worker.on('error', (err) => console.error(`bullmq worker: ${err.message}`));

process.on('message', async (message) => {
  if (message === 'stats') {
    process.send({ stats: { byPhase: byPhase(runs), duplicateRuns } });
  } else if (message === 'close') {
    await worker.close();
    process.exit(0);
  }
});

// Job ids are PHASE-N (w-17, m-4711): distinct ids and processor calls per phase.
function byPhase(map) {
  const phases = {};
  for (const [id, calls] of map) {
    const phase = id.slice(0, id.indexOf('-'));
    const p = phases[phase] || (phases[phase] = { distinct: 0, calls: 0 });
    p.distinct++;
    p.calls += calls;
  }
  return phases;
}

// The parent (bench.js) is gone, whatever the reason: never outlive it.
process.on('disconnect', () => process.exit(1));

worker.waitUntilReady().then(() => {
  worker.run().catch((err) => { console.error(`bullmq worker stopped: ${err.message}`); process.exit(1); });
  process.send({ ready: true });
});
