import { createActor, transition, initialTransition } from 'xstate';
import { taskMachine } from '/work/main/machines/task.ts';
const N = 20000;
const gc = (globalThis as any).gc;
gc(); const h0 = process.memoryUsage().heapUsed;
const actors: any[] = [];
for (let i = 0; i < N; i++) { const a = createActor(taskMachine, { input: { id: 't' + i, type: 'noop', input: i, priority: 0, dependsOn: [], waitingOn: [], maxRetries: 2, backoffMs: 1000, verify: false, order: i, at: 1 } }); a.on('*', () => {}); a.start(); actors.push(a); }
gc(); const h1 = process.memoryUsage().heapUsed;
console.log('actor bytes each', Math.round((h1 - h0) / N));
const snaps: any[] = [];
for (let i = 0; i < N; i++) { const [s] = initialTransition(taskMachine, { id: 't' + i, type: 'noop', input: i, priority: 0, dependsOn: [], waitingOn: [], maxRetries: 2, backoffMs: 1000, verify: false, order: i, at: 1 } as any); snaps.push(s); }
gc(); const h2 = process.memoryUsage().heapUsed;
console.log('snapshot bytes each', Math.round((h2 - h1) / N));
const p: any[] = [];
for (const a of actors) p.push(a.getPersistedSnapshot());
gc(); const h3 = process.memoryUsage().heapUsed;
console.log('persisted bytes each', Math.round((h3 - h2) / N));
let t = performance.now(); for (let i=0;i<N;i++){ const [s2, acts] = transition(taskMachine, snaps[i], { type: 'hive.assign', agentId: 'a', at: 2 } as any); snaps[i]=s2; } console.log('transition us', (performance.now()-t)*1000/N);
t = performance.now(); for (let i=0;i<N;i++){ actors[i].send({ type: 'hive.assign', agentId: 'a', at: 2 }); } console.log('send us', (performance.now()-t)*1000/N);
