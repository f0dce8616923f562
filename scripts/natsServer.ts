/**
 * @module natsServer: starts Debian's `nats-server -js` on 127.0.0.1 on a free port with a temp
 * store directory, for tests, the torture harness and benchmarks; restarts it on the same port and
 * store (messages survive), and stops it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface NatsServer {
  url: string;
  port: number;
  /** The server process's pid now (it changes with a restart). */
  readonly pid: number;
  /** Kills the server (SIGKILL by default) and starts it again on the same port and store, after `downMs`. */
  restart(signal?: NodeJS.Signals, downMs?: number): Promise<void>;
  /** Stops the server and removes its store. */
  stop(): Promise<void>;
}

/** The nats-server binary, or undefined when it is not installed (`apt-get install nats-server`). */
export function findNatsServer(): string | undefined {
  for (const bin of ['nats-server', '/usr/bin/nats-server', '/usr/sbin/nats-server']) {
    if (spawnSync(bin, ['--version'], { stdio: 'ignore' }).status === 0) return bin;
  }
  return undefined;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

function launch(bin: string, port: number, storeDir: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const p = spawn(bin, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`nats-server did not get ready in 10 s:\n${log}`));
    }, 10_000);
    p.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.includes('Server is ready')) {
        clearTimeout(timer);
        p.stderr!.removeAllListeners('data');
        p.stderr!.resume();
        resolve(p);
      }
    });
    p.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`nats-server exited with code ${code}:\n${log}`));
    });
  });
}

const exited = (p: ChildProcess) => new Promise<void>((r) => (p.exitCode !== null || p.signalCode !== null ? r() : p.once('exit', () => r())));

/**
 * @example const nats = await startNatsServer(); createHive({ nats: { servers: nats.url } }); await nats.stop()
 */
export async function startNatsServer(): Promise<NatsServer> {
  const bin = findNatsServer();
  if (!bin) throw new Error('nats-server is not installed; on Debian: apt-get install nats-server');
  const storeDir = mkdtempSync(join(tmpdir(), 'hive-nats-'));
  let port = 0;
  let proc: ChildProcess | undefined;
  for (let i = 0; i < 5 && !proc; i++) {
    port = await freePort();
    proc = await launch(bin, port, storeDir).catch((err: Error) => (i === 4 ? Promise.reject(err) : undefined));
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    get pid() {
      return proc!.pid!;
    },
    async restart(signal = 'SIGKILL', downMs = 0) {
      proc!.kill(signal);
      await exited(proc!);
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      proc = await launch(bin, port, storeDir);
    },
    async stop() {
      proc!.kill('SIGTERM');
      await exited(proc!);
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}
