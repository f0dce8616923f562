import { describe, expect, it } from 'vitest';
import { processHandler } from '../src/index.js';
import { openHive, sleep, until } from './helpers.js';

const node = process.execPath;

describe('processHandler', () => {
  it('sends the input as JSON on stdin and takes JSON stdout as the output', async () => {
    const script = `let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const x=JSON.parse(s);console.log(JSON.stringify({sum:x.a+x.b,attempt:process.env.HIVE_ATTEMPT}))})`;
    const hive = await openHive();
    await hive.spawnAgent({ name: 'adder', capabilities: ['add'], handler: processHandler({ command: node, args: ['-e', script] }) });
    const t = await hive.postTask({ type: 'add', input: { a: 2, b: 3 } });
    expect(await hive.waitForTask(t.id, { timeoutMs: 10_000 })).toMatchObject({ status: 'completed', output: { sum: 5, attempt: '1' } });
  });

  it('a non-zero exit fails the attempt with the exit code and stderr', async () => {
    const hive = await openHive();
    await hive.spawnAgent({ name: 'bad', capabilities: ['bad'], handler: processHandler({ command: node, args: ['-e', 'console.error("no such file"); process.exit(3)'] }) });
    const t = await hive.postTask({ type: 'bad', maxRetries: 0 });
    expect(await hive.waitForTask(t.id, { timeoutMs: 10_000 })).toMatchObject({ status: 'failed', error: { code: 'exit_3', message: expect.stringContaining('no such file') } });
  });

  it('cancel kills the process', async () => {
    const hive = await openHive();
    await hive.spawnAgent({ name: 'sleeper', capabilities: ['sleep'], handler: processHandler({ command: node, args: ['-e', 'console.log(process.pid); setTimeout(()=>{}, 60000)'], killGraceMs: 200 }) });
    const t = await hive.postTask({ type: 'sleep' });
    await until(async () => (await hive.getTask(t.id)).status === 'running');
    await sleep(200);
    const started = Date.now();
    await hive.cancelTask(t.id);
    expect((await hive.getTask(t.id)).status).toBe('cancelled');
    await until(async () => (await hive.getAgent((await hive.listAgents())[0]!.id)).load === 0);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a command that is not JSON on stdout fails with bad_output', async () => {
    const hive = await openHive();
    await hive.spawnAgent({ name: 'chatty', capabilities: ['chat'], handler: processHandler({ command: node, args: ['-e', 'console.log("hello")'] }) });
    const t = await hive.postTask({ type: 'chat', maxRetries: 0 });
    expect(await hive.waitForTask(t.id, { timeoutMs: 10_000 })).toMatchObject({ status: 'failed', error: { code: 'bad_output' } });
  });
});
