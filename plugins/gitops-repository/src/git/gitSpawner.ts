import { ChildProcess, execFile, spawn } from 'node:child_process';

/** One git command for {@link GitSpawner.run}. */
export interface GitSpawnRequest {
  args: string[];
  cwd?: string;
  /** Written to git's standard input. */
  input?: string;
  /** Added to the environment the spawner was started with. */
  env: Record<string, string>;
  timeoutMs: number;
  maxBuffer: number;
  signal?: AbortSignal;
}

/** How a git command ended, as `execFile` reports it. */
export interface GitSpawnResult {
  stdout: Buffer;
  stderr: Buffer;
  /** Set when it failed: exited non-zero, was killed, or could not start. */
  error?: { message: string; killed: boolean };
}

/**
 * The helper's source, run with `node -e`: it reads framed requests on stdin, runs each with
 * `spawn('git', …)` and writes a framed answer on stdout. A frame is a 4-byte big-endian
 * length and that many bytes; a request's bytes are JSON, an answer's are a JSON header
 * followed by stdout and stderr. It exits when its stdin closes (the backend went away).
 */
const HELPER_SOURCE = `
const { spawn } = require('node:child_process');
const running = new Map();
let pending = Buffer.alloc(0);
const frame = parts => {
  const body = Buffer.concat(parts);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  process.stdout.write(Buffer.concat([length, body]));
};
const answer = (id, error, stdout, stderr) => {
  const header = Buffer.from(JSON.stringify({ id, error, stdout: stdout.length, stderr: stderr.length }));
  const size = Buffer.alloc(4);
  size.writeUInt32BE(header.length);
  frame([size, header, stdout, stderr]);
};
// Each git runs in its own process group, so a time-out or a cancel also stops what it started
// (a remote helper, an alias's shell) that would otherwise hold its output open.
const stop = entry => { entry.killed = true; try { process.kill(-entry.child.pid, 'SIGTERM'); } catch { entry.child.kill('SIGTERM'); } };
const handle = message => {
  if (message.kill) { const entry = running.get(message.id); if (entry) stop(entry); return; }
  const child = spawn('git', message.args, {
    cwd: message.cwd, detached: true, stdio: ['pipe', 'pipe', 'pipe'],
    env: Object.assign({}, process.env, message.env),
  });
  const entry = { child, killed: false, out: [], err: [], size: 0, failure: null };
  running.set(message.id, entry);
  const timer = setTimeout(() => stop(entry), message.timeoutMs);
  const collect = list => chunk => {
    entry.size += chunk.length;
    if (entry.size > message.maxBuffer) { entry.failure = 'stdout maxBuffer length exceeded'; stop(entry); return; }
    list.push(chunk);
  };
  child.stdout.on('data', collect(entry.out));
  child.stderr.on('data', collect(entry.err));
  child.on('error', error => { entry.failure = error.message; });
  child.on('close', (code, signal) => {
    clearTimeout(timer);
    running.delete(message.id);
    const stdout = Buffer.concat(entry.out);
    const stderr = Buffer.concat(entry.err);
    const failed = entry.failure || entry.killed || code !== 0;
    answer(message.id, failed ? {
      message: entry.failure || 'Command failed: git ' + message.args.join(' ') + (signal ? ' (' + signal + ')' : ' (exit code ' + code + ')'),
      killed: entry.killed && !entry.failure,
    } : null, stdout, stderr);
  });
  child.stdin.on('error', () => {});
  if (typeof message.input === 'string') child.stdin.end(message.input); else child.stdin.end();
};
process.stdin.on('data', chunk => {
  pending = Buffer.concat([pending, chunk]);
  while (pending.length >= 4 && pending.length >= 4 + pending.readUInt32BE(0)) {
    const length = pending.readUInt32BE(0);
    handle(JSON.parse(pending.subarray(4, 4 + length).toString('utf8')));
    pending = pending.subarray(4 + length);
  }
});
process.stdin.on('end', () => { for (const entry of running.values()) stop(entry); process.exit(0); });
`;

interface Waiting {
  resolve(result: GitSpawnResult): void;
}

/**
 * Runs git commands from a small helper process instead of from the backend itself. Starting a
 * process copies the page tables of the one that starts it: at 5,000 services the backend holds
 * about 1.4 GB, and each `git` it started cost ~19 ms of its CPU (100 starts: 1.9 s of system
 * time), which made an idle fleet's Git logs and fetches 5–10 % of a core and added ~150 ms to
 * a promotion's seven git commands. The helper holds ~40 MB, so the same starts cost it ~1 ms.
 *
 * One helper per process, started on first use and again after it died; the commands waiting on
 * a helper that died fail like a failed git. Where no helper can start, git runs directly.
 */
export class GitSpawner {
  private helper?: ChildProcess;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private buffered = Buffer.alloc(0);
  /** The helper could not start: git runs directly from now on. */
  private direct = false;

  async run(request: GitSpawnRequest): Promise<GitSpawnResult> {
    if (request.signal?.aborted) {
      return aborted();
    }
    const helper = this.direct ? undefined : this.start();
    if (!helper) return runDirectly(request);
    const id = this.nextId++;
    return new Promise<GitSpawnResult>(resolve => {
      const onAbort = () => {
        this.send({ id, kill: true });
      };
      request.signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.set(id, {
        resolve: result => {
          request.signal?.removeEventListener('abort', onAbort);
          // As execFile does: an aborted command fails as aborted, whatever it printed.
          resolve(request.signal?.aborted ? aborted() : result);
        },
      });
      // A command is waited for: the helper keeps the process alive until it answers.
      this.setReferenced(true);
      this.send({
        id,
        args: request.args,
        cwd: request.cwd,
        input: request.input,
        env: request.env,
        timeoutMs: request.timeoutMs,
        maxBuffer: request.maxBuffer,
      });
    });
  }

  /** Stops the helper (tests; the helper also exits when the backend does). */
  close(): void {
    this.helper?.stdin?.end();
    this.helper = undefined;
  }

  private start(): ChildProcess | undefined {
    if (this.helper) return this.helper;
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, ['-e', HELPER_SOURCE], {
        stdio: ['pipe', 'pipe', 'inherit'],
        // Not the backend's own node options (a heap size, an inspector port, loaders).
        env: { ...process.env, NODE_OPTIONS: '' },
      });
    } catch {
      this.direct = true;
      return undefined;
    }
    this.helper = child;
    this.buffered = Buffer.alloc(0);
    child.stdout!.on('data', chunk => this.receive(chunk));
    child.stdin!.on('error', () => undefined);
    child.on('error', () => {
      // Could not start at all (no executable): run git directly from now on.
      if (this.helper === child) {
        this.direct = true;
        this.helper = undefined;
      }
      this.failWaiting('the git helper could not start');
    });
    child.on('exit', (code, signal) => {
      if (this.helper === child) this.helper = undefined;
      this.failWaiting(
        `the git helper exited (${
          signal ?? `code ${code}`
        }) before git answered`,
      );
    });
    this.setReferenced(false);
    return child;
  }

  private send(message: object) {
    const body = Buffer.from(JSON.stringify(message));
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length);
    this.helper?.stdin?.write(Buffer.concat([length, body]));
  }

  private receive(chunk: Buffer) {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 4) {
      const length = this.buffered.readUInt32BE(0);
      if (this.buffered.length < 4 + length) return;
      const frame = this.buffered.subarray(4, 4 + length);
      this.buffered = this.buffered.subarray(4 + length);
      const headerLength = frame.readUInt32BE(0);
      const header = JSON.parse(
        frame.subarray(4, 4 + headerLength).toString('utf8'),
      ) as {
        id: number;
        error: GitSpawnResult['error'] | null;
        stdout: number;
        stderr: number;
      };
      const start = 4 + headerLength;
      // Copied out of the frame, so a kept answer does not hold the whole buffer.
      const stdout = Buffer.from(frame.subarray(start, start + header.stdout));
      const stderr = Buffer.from(
        frame.subarray(
          start + header.stdout,
          start + header.stdout + header.stderr,
        ),
      );
      const waiting = this.waiting.get(header.id);
      this.waiting.delete(header.id);
      if (this.waiting.size === 0) this.setReferenced(false);
      waiting?.resolve({ stdout, stderr, error: header.error ?? undefined });
    }
  }

  private failWaiting(message: string) {
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of waiting) {
      w.resolve({
        stdout: Buffer.alloc(0),
        stderr: Buffer.from(message),
        error: { message, killed: false },
      });
    }
  }

  /** An idle helper must not keep the process from exiting; a busy one must. */
  private setReferenced(referenced: boolean) {
    const helper = this.helper;
    if (!helper) return;
    const streams = [helper.stdin, helper.stdout] as Array<
      { ref?(): void; unref?(): void } | null | undefined
    >;
    if (referenced) {
      helper.ref();
      streams.forEach(s => s?.ref?.());
    } else {
      helper.unref();
      streams.forEach(s => s?.unref?.());
    }
  }
}

function aborted(): GitSpawnResult {
  return {
    stdout: Buffer.alloc(0),
    stderr: Buffer.alloc(0),
    error: { message: 'The operation was aborted', killed: false },
  };
}

/** `execFile` from this process: where no helper could start. */
function runDirectly(request: GitSpawnRequest): Promise<GitSpawnResult> {
  return new Promise(resolve => {
    const child = execFile(
      'git',
      request.args,
      {
        cwd: request.cwd,
        encoding: 'buffer',
        maxBuffer: request.maxBuffer,
        timeout: request.timeoutMs,
        signal: request.signal,
        env: { ...process.env, ...request.env },
      },
      (error, stdout, stderr) =>
        resolve({
          stdout,
          stderr,
          error: error
            ? { message: error.message, killed: !!error.killed }
            : undefined,
        }),
    );
    child.stdin?.on('error', () => undefined);
    if (request.input !== undefined) child.stdin?.end(request.input);
    else child.stdin?.end();
  });
}
