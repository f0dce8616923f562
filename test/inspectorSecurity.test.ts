/**
 * @module The inspector under attack from another process: the server runs in a child
 * (test/fixtures/inspectorChild.ts) and the test talks to it over raw TCP sockets with hand-written
 * HTTP requests and WebSocket frames. After every attack the child must still be alive and answer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { inspectorMaxPayload } from '../src/inspect/InspectorServer.js';
import { sleep, tempDir } from './helpers.js';

interface Child {
  proc: ChildProcess;
  port: number;
  token: string;
  stderr: () => string;
}

const children: ChildProcess[] = [];

afterEach(async () => {
  for (const proc of children.splice(0)) {
    if (proc.exitCode !== null || proc.signalCode !== null) continue;
    const gone = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await gone;
  }
});

/** Starts the inspector child (a hive with `inspect: { port: 0 }`, optionally on `host`) and reads its port and token. */
async function startChild(host?: string): Promise<Child> {
  const args = [join(import.meta.dirname, 'fixtures', 'inspectorChild.ts'), join(tempDir('inspector-sec-'), 'data'), ...(host ? [host] : [])];
  const proc = spawn(process.execPath, ['--import', 'tsx', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(proc);
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += d));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
    proc.once('exit', (code, signal) => reject(new Error(`inspector child exited (${code ?? signal}) before it was ready:\n${stderr}`)));
  });
  const { port, token } = JSON.parse(line) as { port: number; token: string };
  return { proc, port, token, stderr: () => stderr };
}

/** The child is still running and still serves an authenticated request and a socket. */
async function expectAlive(child: Child): Promise<void> {
  // A crash, if there is one, happens when the server handles the reset or the frame: give it a moment.
  await sleep(300);
  expect(child.proc.exitCode ?? child.proc.signalCode, `the inspector child died:\n${child.stderr()}`).toBeNull();
  const res = await fetch(`http://127.0.0.1:${child.port}/api/info?token=${child.token}`);
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ live: true });
  const ws = new WebSocket(`ws://127.0.0.1:${child.port}/ws?token=${child.token}`);
  const hello = await new Promise((resolve, reject) => {
    ws.once('message', (d) => resolve(JSON.parse(String(d))));
    ws.once('error', reject);
  });
  expect(hello).toMatchObject({ type: 'hello', live: true });
  ws.close();
}

/** Runs one step of an attack; when it fails, the error carries what the child printed as it died. */
async function step<T>(child: Child, label: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    await sleep(100);
    throw new Error(
      `${label}: ${(err as Error).message}\ninspector child ${child.proc.exitCode === null ? 'running' : `exited ${child.proc.exitCode}`}; its stderr:\n${child.stderr()}`,
    );
  }
}

interface Frame {
  opcode: number;
  payload: Buffer;
}

/** A raw TCP connection that buffers what the server sends; a reset by the server is recorded, not thrown. */
class Conn {
  private buf = Buffer.alloc(0);
  private wake: Array<() => void> = [];
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.notify();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
  }

  static open(port: number): Promise<Conn> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new Conn(socket)));
      socket.once('error', reject);
    });
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  private notify(): void {
    for (const w of this.wake.splice(0)) w();
  }

  /** Waits until `take` finds a whole item in the buffered bytes; undefined when the socket closes first. */
  private async read<T>(take: (buf: Buffer) => { value: T; used: number } | undefined): Promise<T | undefined> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const got = take(this.buf);
      if (got) {
        this.buf = this.buf.subarray(got.used);
        return got.value;
      }
      if (this.closed) return undefined;
      if (Date.now() > deadline) throw new Error(`no complete reply within 5 s; have ${JSON.stringify(this.buf.toString('latin1').slice(0, 200))}`);
      await new Promise<void>((resolve) => {
        this.wake.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  /** The response head and (for a Content-Length) its body. */
  async response(): Promise<{ status: number; headers: string; body: string }> {
    const r = await this.read((buf) => {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return undefined;
      const headers = buf.subarray(0, end).toString('latin1');
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(headers)?.[1] ?? 0);
      if (buf.length < end + 4 + length) return undefined;
      return { value: { status: Number(headers.split(' ')[1]), headers, body: buf.subarray(end + 4, end + 4 + length).toString() }, used: end + 4 + length };
    });
    if (!r) throw new Error('connection closed before a response');
    return r;
  }

  /** The next frame the server sends (server frames are unmasked); undefined when the socket closes. */
  frame(): Promise<Frame | undefined> {
    return this.read((buf) => {
      if (buf.length < 2) return undefined;
      let length = buf[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buf.length < 4) return undefined;
        length = buf.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buf.length < 10) return undefined;
        length = Number(buf.readBigUInt64BE(2));
        offset = 10;
      }
      if (buf.length < offset + length) return undefined;
      return { value: { opcode: buf[0]! & 0x0f, payload: buf.subarray(offset, offset + length) }, used: offset + length };
    });
  }

  /** Skips data frames until a control frame (close or pong) arrives. */
  async control(): Promise<Frame | undefined> {
    for (;;) {
      const f = await this.frame();
      if (!f || f.opcode >= 8) return f;
    }
  }

  async untilClosed(): Promise<void> {
    await this.read(() => undefined);
  }
}

/** A hand-written HTTP/1.1 request; `headers` override the defaults (Host names the listener), `null` leaves one out. */
function request(port: number, target: string, headers: Record<string, string | null> = {}, version = '1.1'): string {
  const all: Record<string, string | null> = { Host: `127.0.0.1:${port}`, ...headers };
  const lines = Object.entries(all).flatMap(([k, v]) => (v === null ? [] : [`${k}: ${v}`]));
  return [`GET ${target} HTTP/${version}`, ...lines, '', ''].join('\r\n');
}

const upgradeHeaders = () => ({
  Upgrade: 'websocket',
  Connection: 'Upgrade',
  'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
  'Sec-WebSocket-Version': '13',
});

function upgrade(port: number, target: string, headers: Record<string, string | null> = {}): string {
  return request(port, target, { ...upgradeHeaders(), ...headers });
}

/** A client frame (masked, as RFC 6455 requires); `declared` claims a payload length other than the one sent. */
function clientFrame(opcode: number, payload: Buffer, declared = payload.length): Buffer {
  let head: Buffer;
  if (declared < 126) head = Buffer.from([0x80 | opcode, 0x80 | declared]);
  else if (declared < 65536) {
    head = Buffer.from([0x80 | opcode, 0x80 | 126, 0, 0]);
    head.writeUInt16BE(declared, 2);
  } else {
    head = Buffer.alloc(10);
    head[0] = 0x80 | opcode;
    head[1] = 0x80 | 127;
    head.writeBigUInt64BE(BigInt(declared), 2);
  }
  const mask = randomBytes(4);
  return Buffer.concat([head, mask, Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!))]);
}

const OP_TEXT = 0x1;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;

/** An authenticated raw socket on /ws, past the handshake and the hello message. */
async function openSocket(child: Child): Promise<Conn> {
  const conn = await Conn.open(child.port);
  conn.write(upgrade(child.port, `/ws?token=${child.token}`));
  expect((await conn.response()).status).toBe(101);
  expect((await conn.frame())?.opcode).toBe(OP_TEXT);
  return conn;
}

async function expectPong(conn: Conn, data: string): Promise<void> {
  conn.write(clientFrame(OP_PING, Buffer.from(data)));
  const f = await conn.control();
  expect(f?.opcode).toBe(OP_PONG);
  expect(f?.payload.toString()).toBe(data);
}

async function expectClosedWith(conn: Conn, code: number): Promise<void> {
  const f = await conn.control();
  expect(f?.opcode).toBe(OP_CLOSE);
  expect(f!.payload.readUInt16BE(0)).toBe(code);
  await conn.untilClosed();
  expect(conn.closed).toBe(true);
}

describe('inspector security (attacked from another process over raw sockets)', () => {
  it('survives clients that reset the TCP connection on any path, with or without the token', async () => {
    const child = await startChild();
    const { port, token } = child;
    const attacks: Array<[string, (c: Conn) => Promise<void>]> = [
      [
        'refused upgrade (no token), reset after the 401',
        async (c) => {
          c.write(upgrade(port, '/ws'));
          expect((await c.response()).status).toBe(401);
        },
      ],
      [
        'refused upgrade (foreign Origin), reset after the 403',
        async (c) => {
          c.write(upgrade(port, `/ws?token=${token}`, { Origin: 'http://evil.example' }));
          expect((await c.response()).status).toBe(403);
        },
      ],
      [
        'refused upgrade (unknown path), reset after the 404',
        async (c) => {
          c.write(upgrade(port, `/elsewhere?token=${token}`));
          expect((await c.response()).status).toBe(404);
        },
      ],
      ['upgrade reset before the server answers', async (c) => c.write(upgrade(port, `/ws?token=${token}`))],
      [
        'accepted upgrade, reset after the handshake',
        async (c) => {
          c.write(upgrade(port, `/ws?token=${token}`));
          expect((await c.response()).status).toBe(101);
        },
      ],
      [
        'accepted upgrade, reset in the middle of a frame',
        async (c) => {
          c.write(upgrade(port, `/ws?token=${token}`));
          expect((await c.response()).status).toBe(101);
          c.write(clientFrame(OP_TEXT, Buffer.alloc(100)).subarray(0, 20));
        },
      ],
      ['HTTP request reset half-way through its headers', async (c) => c.write(`GET /api/info?token=${token} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`)],
      [
        'keep-alive HTTP connection reset after a response',
        async (c) => {
          c.write(request(port, `/api/info?token=${token}`));
          expect((await c.response()).status).toBe(200);
        },
      ],
      [
        'HTTP request without the token, reset after the 401',
        async (c) => {
          c.write(request(port, '/api/info'));
          expect((await c.response()).status).toBe(401);
        },
      ],
    ];
    for (const [name, attack] of attacks) {
      for (let round = 0; round < 3; round++) {
        const conn = await step(child, name, () => Conn.open(port));
        await step(child, name, () => attack(conn));
        conn.socket.resetAndDestroy();
        await sleep(50);
        expect(child.proc.exitCode ?? child.proc.signalCode, `${name}: the inspector child died:\n${child.stderr()}`).toBeNull();
      }
    }
    await expectAlive(child);
  });

  it('answers request targets the URL parser rejects (`//`) instead of crashing; absolute-form targets get 400', async () => {
    const child = await startChild();
    const send = (label: string, text: string) =>
      step(child, label, async () => {
        const conn = await Conn.open(child.port);
        conn.write(text);
        const res = await conn.response();
        conn.socket.destroy();
        return res.status;
      });
    const cases: Array<[string, number]> = [
      ['//', 401],
      [`//?token=${child.token}`, 404],
      [`//x/?token=${child.token}`, 404],
      [`http://evil.example/?token=${child.token}`, 400],
    ];
    for (const [target, expected] of cases) {
      expect(await send(target, request(child.port, target)), target).toBe(expected);
      expect(await send(`upgrade ${target}`, upgrade(child.port, target)), `upgrade ${target}`).toBe(expected);
    }
    await expectAlive(child);
  });

  it('a malformed frame closes that socket only (1002), the process and other sockets go on', async () => {
    const child = await startChild();
    const bystander = await openSocket(child);
    const attacker = await openSocket(child);
    // FIN, RSV1-3 set, opcode 0xF, masked, length 0, mask 00000000: "RSV2 and RSV3 must be clear".
    attacker.write(Buffer.from([0xff, 0x80, 0x00, 0x00, 0x00, 0x00]));
    await expectClosedWith(attacker, 1002);
    await expectAlive(child);
    await expectPong(bystander, 'still here');
  });

  it(`frames over maxPayload (${inspectorMaxPayload} bytes) close that socket only (1009); smaller ones are read`, async () => {
    const child = await startChild();
    const bystander = await openSocket(child);

    // A frame that claims 200 MB: refused from its header alone, nothing is buffered.
    const huge = await openSocket(child);
    huge.write(clientFrame(OP_TEXT, Buffer.alloc(0), 200_000_000).subarray(0, 14));
    await expectClosedWith(huge, 1009);
    await expectAlive(child);

    // Exactly at the limit is read (the socket stays open and answers a ping); one byte more is refused.
    const edge = await openSocket(child);
    edge.write(clientFrame(OP_TEXT, Buffer.alloc(inspectorMaxPayload, 'a')));
    await expectPong(edge, 'at the limit');
    edge.write(clientFrame(OP_TEXT, Buffer.alloc(0), inspectorMaxPayload + 1).subarray(0, 14));
    await expectClosedWith(edge, 1009);

    await expectAlive(child);
    await expectPong(bystander, 'still here');
  });

  it('refuses a token given more than once (400), whichever comes first, in the query or a header', async () => {
    const child = await startChild();
    const { port, token } = child;
    const cases: Array<[string, Record<string, string>]> = [
      [`/api/info?token=${token}&token=wrong-wrong-wrong-wrong`, {}],
      [`/api/info?token=wrong-wrong-wrong-wrong&token=${token}`, {}],
      [`/api/info?token=${token}&token=${token}`, {}],
      [`/api/info?token=${token}`, { Authorization: `Bearer ${token}` }],
    ];
    for (const [target, headers] of cases) {
      const conn = await Conn.open(port);
      conn.write(request(port, target, headers));
      const res = await conn.response();
      expect(res.status, target).toBe(400);
      expect(res.body).toMatch(/more than once/);
      conn.socket.destroy();
      const up = await Conn.open(port);
      up.write(upgrade(port, target.replace('/api/info', '/ws'), headers));
      expect((await up.response()).status, `upgrade ${target}`).toBe(400);
      up.socket.destroy();
    }
    // Two Authorization headers (Node keeps only the first in req.headers).
    const conn = await Conn.open(port);
    conn.write(`GET /api/info HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${token}\r\nAuthorization: Bearer wrong-wrong-wrong\r\n\r\n`);
    expect((await conn.response()).status).toBe(400);
    conn.socket.destroy();
    await expectAlive(child);
  });

  it('checks Host and Origin against the listener (DNS rebinding): 403 for others, HTTP and upgrade', async () => {
    const child = await startChild();
    const { port, token } = child;
    const status = async (text: string) => {
      const conn = await Conn.open(port);
      conn.write(text);
      const res = await conn.response();
      conn.socket.destroy();
      return res;
    };
    const api = `/api/info?token=${token}`;
    const ws = `/ws?token=${token}`;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LocalHost:${port}`, `[::1]:${port}`]) {
      expect((await status(request(port, api, { Host: host }))).status, host).toBe(200);
      expect((await status(upgrade(port, ws, { Host: host }))).status, `upgrade ${host}`).toBe(101);
    }
    for (const host of [
      `evil.example:${port}`,
      'evil.example',
      `127.0.0.1:${port + 1}`,
      `localhost`,
      `127.0.0.1.nip.io:${port}`,
      `localhost:${port}@evil.example`,
    ]) {
      const res = await status(request(port, api, { Host: host }));
      expect(res.status, host).toBe(403);
      expect(res.body).toContain('Host');
      expect((await status(upgrade(port, ws, { Host: host }))).status, `upgrade ${host}`).toBe(403);
      // Refused before the token is looked at.
      expect((await status(request(port, '/', { Host: host }))).status, host).toBe(403);
    }
    // HTTP/1.0 allows leaving Host out; the inspector does not.
    expect((await status(request(port, api, { Host: null }, '1.0'))).status).toBe(403);

    for (const origin of [`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`]) {
      expect((await status(request(port, api, { Origin: origin }))).status, origin).toBe(200);
      expect((await status(upgrade(port, ws, { Origin: origin }))).status, `upgrade ${origin}`).toBe(101);
    }
    for (const origin of [
      'http://evil.example',
      `http://evil.example:${port}`,
      `http://127.0.0.1:${port + 1}`,
      'http://localhost',
      'null',
      `file://localhost:${port}`,
      'garbage',
    ]) {
      const res = await status(request(port, api, { Origin: origin }));
      expect(res.status, origin).toBe(403);
      expect(res.body).toContain('Origin');
      expect((await status(upgrade(port, ws, { Origin: origin }))).status, `upgrade ${origin}`).toBe(403);
    }
    await expectAlive(child);
  });

  it('on a wildcard listener (0.0.0.0) also accepts IP-literal Hosts on its port, still no names', async () => {
    const child = await startChild('0.0.0.0');
    const { port, token } = child;
    const status = async (host: string, origin?: string) => {
      const conn = await Conn.open(port);
      conn.write(request(port, `/api/info?token=${token}`, { Host: host, ...(origin ? { Origin: origin } : {}) }));
      const res = await conn.response();
      conn.socket.destroy();
      return res.status;
    };
    expect(await status(`10.1.2.3:${port}`)).toBe(200);
    expect(await status(`[fe80::1]:${port}`)).toBe(200);
    expect(await status(`10.1.2.3:${port}`, `http://10.1.2.3:${port}`)).toBe(200);
    expect(await status(`localhost:${port}`)).toBe(200);
    expect(await status(`10.1.2.3:${port + 1}`)).toBe(403);
    expect(await status(`evil.example:${port}`)).toBe(403);
    expect(await status(`10.1.2.3:${port}`, `http://evil.example:${port}`)).toBe(403);
    await expectAlive(child);
  });
});
