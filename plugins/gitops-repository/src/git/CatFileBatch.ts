import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';

type Pending = {
  spec: string;
  resolve: (value: { type: string; content: Buffer } | undefined) => void;
  reject: (error: Error) => void;
};

/**
 * One long-running `git cat-file --batch` per mirror: reading a file costs a line on a pipe
 * instead of starting a git process, which is what makes a cold fleet view (hundreds of
 * overlay files) take milliseconds instead of seconds.
 */
export class CatFileBatch {
  private child?: ChildProcessWithoutNullStreams;
  private readonly queue: Pending[] = [];
  private buffer = Buffer.alloc(0);

  constructor(private readonly cwd: string) {}

  /** Reads `<revision>:<path>`; undefined when no such object exists. */
  read(spec: string): Promise<{ type: string; content: Buffer } | undefined> {
    if (spec.includes('\n')) {
      return Promise.reject(new Error('object names cannot contain a newline'));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ spec, resolve, reject });
      const child = this.process();
      this.hold(child, true);
      child.stdin.write(`${spec}\n`);
    });
  }

  close() {
    this.child?.stdin.end();
    this.child = undefined;
  }

  private process(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    const child = spawn('git', ['cat-file', '--batch'], {
      cwd: this.cwd,
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
    });
    // A reader waiting for work must not keep the backend (or a test run) alive; one with a
    // read in flight must, or a process with nothing else to do exits before the answer.
    this.hold(child, false);
    child.stdout.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.drain();
    });
    const fail = (error: Error) => {
      if (this.child === child) this.child = undefined;
      this.buffer = Buffer.alloc(0);
      this.queue.splice(0).forEach(p => p.reject(error));
    };
    child.on('error', fail);
    child.on('exit', code =>
      fail(new Error(`git cat-file exited with ${code}`)),
    );
    child.stdin.on('error', fail);
    this.child = child;
    return child;
  }

  private hold(child: ChildProcessWithoutNullStreams, busy: boolean) {
    const method = busy ? 'ref' : 'unref';
    child[method]();
    for (const stream of [child.stdin, child.stdout, child.stderr]) {
      (stream as unknown as Record<string, (() => void) | undefined>)[
        method
      ]?.();
    }
  }

  /** Answers queued requests in order while complete answers are buffered. */
  private drain() {
    for (;;) {
      const pending = this.queue[0];
      const newline = this.buffer.indexOf(10);
      if (!pending && this.child) this.hold(this.child, false);
      if (!pending || newline < 0) return;
      const header = this.buffer.subarray(0, newline).toString('utf8');
      if (header.endsWith(' missing') || header.endsWith(' ambiguous')) {
        this.buffer = this.buffer.subarray(newline + 1);
        this.queue.shift();
        pending.resolve(undefined);
        continue;
      }
      const [, type, sizeText] = header.split(' ');
      const size = Number(sizeText);
      if (newline + 1 + size + 1 > this.buffer.length) return; // wait for the rest
      const content = Buffer.from(
        this.buffer.subarray(newline + 1, newline + 1 + size),
      );
      this.buffer = this.buffer.subarray(newline + 1 + size + 1);
      this.queue.shift();
      pending.resolve({ type, content });
    }
  }
}
