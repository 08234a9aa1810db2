import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A TCP port nothing listens on now (never the shared 5432/6379). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A private redis-server without persistence: killing it loses every queue and schedule, as a crash of an in-memory Redis does. */
export class PrivateRedis {
  private child: ChildProcess | null = null;
  private constructor(readonly port: number, private readonly dir: string) {}

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort(), await mkdtemp(path.join(os.tmpdir(), 'phat-fault-redis-')));
    await redis.up();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir], { stdio: 'ignore' });
    await waitForPort(this.port);
  }

  /** SIGKILL: no shutdown save, the data is gone. */
  async crash(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    await new Promise<void>((resolve) => { child.once('exit', () => resolve()); child.kill('SIGKILL'); });
  }

  async stop(): Promise<void> {
    await this.crash();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** A private PostgreSQL cluster (initdb into a temp dir, pg_ctl on a free port). */
export class PrivatePostgres {
  private constructor(readonly port: number, private readonly dir: string, private readonly bin: string) {}

  static async start(): Promise<PrivatePostgres> {
    const versions = (await readdir('/usr/lib/postgresql')).sort((a, b) => Number(b) - Number(a));
    const bin = `/usr/lib/postgresql/${versions[0]}/bin`;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'phat-fault-pg-'));
    const pg = new PrivatePostgres(await freePort(), dir, bin);
    if (asRoot()) await chown(dir, 101, 104).catch(async () => { await run('chown', ['postgres:postgres', dir]); });
    await pg.exec('initdb', ['-D', path.join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
    await pg.up();
    return pg;
  }

  get adminUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  url(database: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async up(): Promise<void> {
    await this.exec('pg_ctl', ['-D', path.join(this.dir, 'data'), '-l', path.join(this.dir, 'log'), '-w', '-t', '30', 'start',
      '-o', `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=60`]);
  }

  /** `pg_ctl stop -m fast`: every session is terminated, as in a real restart. */
  async down(): Promise<void> {
    await this.exec('pg_ctl', ['-D', path.join(this.dir, 'data'), '-w', '-t', '30', 'stop', '-m', 'fast']);
  }

  async stop(): Promise<void> {
    await this.exec('pg_ctl', ['-D', path.join(this.dir, 'data'), '-w', 'stop', '-m', 'immediate']).catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }

  private async exec(tool: string, args: string[]): Promise<void> {
    const file = path.join(this.bin, tool);
    // PostgreSQL refuses to run as root
    if (asRoot()) await run('runuser', ['-u', 'postgres', '--', file, ...args]);
    else await run(file, args);
  }
}

function asRoot(): boolean {
  return process.getuid?.() === 0;
}

async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => { socket.destroy(); resolve(true); });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > until) throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
