import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where Debian and Ubuntu put PostgreSQL 15's server binaries. */
export const POSTGRES_15_BIN = '/usr/lib/postgresql/15/bin';

/** True when the server binaries a private PostgreSQL needs are installed. */
export function privatePostgresAvailable(binDir = POSTGRES_15_BIN): boolean {
  return ['initdb', 'pg_ctl', 'postgres'].every(binary =>
    fs.existsSync(path.join(binDir, binary)),
  );
}

/** A PostgreSQL server of one test's own, which it may stop and start at will. */
export interface PrivatePostgres {
  readonly host: string;
  readonly port: number;
  /** `postgresql://postgres@127.0.0.1:<port>` (trust authentication, no password). */
  readonly connectionString: string;
  /** The folder holding the data directory, the socket and the server log. */
  readonly dir: string;
  /** How long initdb took, in milliseconds. */
  readonly initdbMs: number;
  /** Starts the server and waits until it accepts connections; resolves to the milliseconds taken. */
  start(): Promise<number>;
  /**
   * A fast shutdown (`pg_ctl stop -m fast`): the server ends every session — clients get
   * 57P01 admin_shutdown or a closed socket — checkpoints and exits; resolves to the
   * milliseconds taken.
   */
  stop(): Promise<number>;
  /** Stop, then start; resolves to the milliseconds each took. */
  restart(): Promise<{ stopMs: number; startMs: number }>;
  /** Whether the server is up, as pg_ctl sees it. */
  running(): Promise<boolean>;
  /** The server log so far (for a failing test's message). */
  log(): string;
  /** Stops the server (immediately) when it runs and removes its folder. */
  cleanup(): Promise<void>;
}

/** A port nobody listens on right now, as the kernel hands it out. */
async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The numeric user and group ids of an OS user (`id`, so no native module is needed). */
function idsOf(user: string): { uid: number; gid: number } {
  const id = (flag: string) =>
    Number(execFileSync('id', [flag, user], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/**
 * Creates (initdb) a private PostgreSQL cluster in a new temporary folder, on a free port of
 * 127.0.0.1 with its socket in that folder, so stopping it touches nobody else's database.
 * Not started yet: call `start()`.
 *
 * initdb and the server refuse to run as root; under root they run as the `postgres` OS user
 * (`runuser`), which then owns the folder. Otherwise they run as the current user.
 */
export async function createPrivatePostgres(
  options: { binDir?: string; host?: string; user?: string } = {},
): Promise<PrivatePostgres> {
  const binDir = options.binDir ?? POSTGRES_15_BIN;
  const host = options.host ?? '127.0.0.1';
  const osUser = options.user ?? 'postgres';
  const asRoot = process.getuid?.() === 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-private-pg-'));
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  if (asRoot) {
    const { uid, gid } = idsOf(osUser);
    fs.chownSync(dir, uid, gid);
  }

  /** A server binary's command line, as the user PostgreSQL accepts (root is refused). */
  const commandOf = (binary: string, args: string[]): [string, string[]] => {
    const file = path.join(binDir, binary);
    if (!asRoot) return [file, args];
    return ['runuser', ['-u', osUser, '--', file, ...args]];
  };
  /** Runs a server binary in the folder: the postgres user may not enter our working directory. */
  const pg = (binary: string, args: string[], timeout = 30_000) => {
    const [command, commandArgs] = commandOf(binary, args);
    return run(command, commandArgs, {
      cwd: dir,
      timeout,
      encoding: 'utf8',
      env: { ...process.env, LC_ALL: 'C' },
    });
  };

  const initdbStarted = Date.now();
  try {
    // --no-sync: nothing of the fresh cluster needs to survive a machine crash, and it is
    // seconds faster on a busy disk. The server itself keeps its default durability.
    await pg('initdb', [
      '-D',
      dataDir,
      '-A',
      'trust',
      '-U',
      'postgres',
      '-E',
      'UTF8',
      '--no-sync',
      '--no-instructions',
    ]);
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  const initdbMs = Date.now() - initdbStarted;
  const port = await freePort(host);
  const connectionString = `postgresql://postgres@${host}:${port}`;

  // A test process that ends without cleanup (a crash, a process.exit) must not leave a
  // server running on the shared machine: stop it on the way out, synchronously, as `exit`
  // handlers cannot wait. pg_ctl says "no server running" when there is none; fine.
  const stopOnExit = () => {
    const [command, args] = commandOf('pg_ctl', [
      '-D',
      dataDir,
      'stop',
      '-m',
      'immediate',
      '-w',
      '-t',
      '10',
    ]);
    try {
      execFileSync(command, args, {
        cwd: dir,
        stdio: 'ignore',
        timeout: 15_000,
      });
    } catch {
      // Not running.
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stopOnExit);

  const pgCtl = (args: string[]) => pg('pg_ctl', ['-D', dataDir, ...args]);

  const readLog = () => {
    try {
      return fs.readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };

  const running = async () => {
    try {
      await pgCtl(['status']);
      return true;
    } catch {
      return false;
    }
  };

  const start = async () => {
    const started = Date.now();
    try {
      await pgCtl([
        'start',
        '-w',
        '-t',
        '30',
        '-l',
        logFile,
        '-o',
        // Only TCP on 127.0.0.1 and a socket in our folder: nothing shared with the
        // machine's own server (/var/run/postgresql, port 5432).
        `-p ${port} -k ${dir} -c listen_addresses=${host}`,
      ]);
    } catch (error) {
      throw new Error(
        `private PostgreSQL did not start on ${host}:${port}: ${
          (error as Error).message
        }\n${readLog()}`,
      );
    }
    return Date.now() - started;
  };

  const stop = async () => {
    const started = Date.now();
    await pgCtl(['stop', '-m', 'fast', '-w', '-t', '30']);
    return Date.now() - started;
  };

  return {
    host,
    port,
    connectionString,
    dir,
    initdbMs,
    start,
    stop,
    running,
    log: readLog,
    async restart() {
      const stopMs = await stop();
      const startMs = await start();
      return { stopMs, startMs };
    },
    async cleanup() {
      process.removeListener('exit', stopOnExit);
      if (await running()) {
        await pgCtl(['stop', '-m', 'immediate', '-w', '-t', '30']).catch(
          () => undefined,
        );
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
