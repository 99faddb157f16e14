import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';

/** An object as `git cat-file --batch` answers it; undefined when there is none. */
export type CatFileObject = { type: string; content: Buffer } | undefined;

type Pending = {
  spec: string;
  resolve: (value: CatFileObject) => void;
  reject: (error: Error) => void;
};

/**
 * A read asked of a reader that was closed (replaced after a fetch) and ended before it
 * answered. Nothing is wrong with the read: ask the reader that replaced it.
 */
export class CatFileBatchClosedError extends Error {
  readonly name = 'CatFileBatchClosedError';
}

/**
 * One `git cat-file --batch` process and what was asked of it. Each process keeps its own
 * queue and buffer: answers of a process being closed never mix with a newer one's.
 */
interface Reader {
  child: ChildProcessWithoutNullStreams;
  queue: Pending[];
  buffer: Buffer;
  /** close() ended its input: what it does not answer is retried elsewhere, not an error. */
  closing: boolean;
  /** The last lines git wrote to stderr, for the error of a reader that died. */
  stderr: string;
  error?: Error;
}

/**
 * One long-running `git cat-file --batch` per mirror: reading a file costs a line on a pipe
 * instead of starting a git process, which is what makes a cold fleet view (hundreds of
 * overlay files) take milliseconds instead of seconds.
 */
export class CatFileBatch {
  private reader?: Reader;
  private closed = false;

  constructor(private readonly cwd: string) {}

  /** Reads asked and not answered yet. */
  get pending(): number {
    return this.reader?.queue.length ?? 0;
  }

  /**
   * Reads `<revision>:<path>`; undefined when no such object exists. Rejects with
   * {@link CatFileBatchClosedError} when this reader was closed before it could answer.
   */
  read(spec: string): Promise<CatFileObject> {
    if (spec.includes('\n')) {
      return Promise.reject(new Error('object names cannot contain a newline'));
    }
    if (this.closed) {
      return Promise.reject(
        new CatFileBatchClosedError(`The reader of ${this.cwd} was closed`),
      );
    }
    return new Promise((resolve, reject) => {
      const reader = this.current();
      reader.queue.push({ spec, resolve, reject });
      hold(reader.child, true);
      reader.child.stdin.write(`${spec}\n`);
    });
  }

  /**
   * Takes no more reads. Those already asked are still answered: git answers every line of
   * its input before it sees the end of it and exits, and they are settled only once its
   * output has been read to the end (the `close` event), not when the process exits — the
   * exit can be seen while answers are still in the pipe.
   */
  close() {
    this.closed = true;
    const reader = this.reader;
    this.reader = undefined;
    if (!reader) return;
    reader.closing = true;
    reader.child.stdin.end();
  }

  private current(): Reader {
    if (this.reader) return this.reader;
    const child = spawn('git', ['cat-file', '--batch'], {
      cwd: this.cwd,
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
    });
    const reader: Reader = {
      child,
      queue: [],
      buffer: Buffer.alloc(0),
      closing: false,
      stderr: '',
    };
    // A reader waiting for work must not keep the backend (or a test run) alive; one with a
    // read in flight must, or a process with nothing else to do exits before the answer.
    hold(child, false);
    child.stdout.on('data', (chunk: Buffer) => {
      reader.buffer = Buffer.concat([reader.buffer, chunk]);
      this.drain(reader);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      reader.stderr = (reader.stderr + chunk.toString('utf8')).slice(-500);
    });
    const detach = () => {
      // A reader that died is replaced by the next read; one being closed is detached already.
      if (this.reader === reader) this.reader = undefined;
    };
    child.on('error', error => {
      // Failed to start (no git, no such folder) or to be signalled: no answer will come.
      detach();
      reader.error ??= error;
      this.settle(reader);
    });
    child.stdin.on('error', error => {
      // The process is gone or going; `close` reports it with its exit status.
      reader.error ??= error;
    });
    child.on('close', (code, signal) => {
      detach();
      this.settle(reader, signal ?? code);
    });
    this.reader = reader;
    return reader;
  }

  /** Rejects what a reader that ended left unanswered. */
  private settle(reader: Reader, status?: string | number | null) {
    const unanswered = reader.queue.splice(0);
    reader.buffer = Buffer.alloc(0);
    if (unanswered.length === 0) return;
    const stderr = reader.stderr.trim();
    const error = reader.closing
      ? new CatFileBatchClosedError(
          `The reader of ${this.cwd} was closed before it answered`,
        )
      : new Error(
          `git cat-file exited with ${status ?? reader.error?.message}${
            stderr ? `: ${stderr}` : ''
          }`,
        );
    unanswered.forEach(pending => pending.reject(error));
  }

  /** Answers queued requests in order while complete answers are buffered. */
  private drain(reader: Reader) {
    for (;;) {
      const pending = reader.queue[0];
      if (!pending) {
        hold(reader.child, false);
        return;
      }
      const newline = reader.buffer.indexOf(10);
      if (newline < 0) return;
      const header = reader.buffer.subarray(0, newline).toString('utf8');
      if (header.endsWith(' missing') || header.endsWith(' ambiguous')) {
        reader.buffer = reader.buffer.subarray(newline + 1);
        reader.queue.shift();
        pending.resolve(undefined);
        continue;
      }
      const [, type, sizeText] = header.split(' ');
      const size = Number(sizeText);
      if (newline + 1 + size + 1 > reader.buffer.length) return; // wait for the rest
      const content = Buffer.from(
        reader.buffer.subarray(newline + 1, newline + 1 + size),
      );
      reader.buffer = reader.buffer.subarray(newline + 1 + size + 1);
      reader.queue.shift();
      pending.resolve({ type, content });
    }
  }
}

function hold(child: ChildProcessWithoutNullStreams, busy: boolean) {
  const method = busy ? 'ref' : 'unref';
  child[method]();
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    (stream as unknown as Record<string, (() => void) | undefined>)[method]?.();
  }
}
