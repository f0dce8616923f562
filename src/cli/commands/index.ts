/** @module Every `hivestate` command, each a `register(program)` function; main.ts registers them all. */
export { register as registerDemo } from './demo.js';
export { register as registerStatus } from './status.js';
export { register as registerReport } from './report.js';
export { register as registerAgents } from './agents.js';
export { register as registerTasks } from './tasks.js';
export { register as registerPost } from './post.js';
export { register as registerCancel } from './cancel.js';
export { register as registerRetry } from './retry.js';
export { register as registerSignal } from './signal.js';
export { register as registerDashboard } from './dashboard.js';
export { register as registerReplay } from './replay.js';
export { register as registerServe } from './serve.js';
export { register as registerDoctor } from './doctor.js';
export { register as registerBackup } from './backup.js';
export { register as registerHive } from './hive.js';
export { register as registerWorker } from './worker.js';
