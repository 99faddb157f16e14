import { execFile } from 'node:child_process';
import { UpstreamError } from '../errors';

/** Options of {@link gitCommand}. */
export interface GitCommandOptions {
  args: string[];
  cwd?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** A git command exited with an error; `stderr` is git's own, credentials removed. */
export class GitCompareError extends UpstreamError {
  constructor(message: string, readonly stderr: string, statusCode = 502) {
    super(message, undefined, statusCode);
  }
}

/** Removes `user:password@` from URLs so credentials never reach a message or a log line. */
export function redact(text: string): string {
  return text.replace(/(\w+:\/\/)[^/@\s]+@/g, '$1***@');
}

/**
 * Runs the git CLI under a time-out and returns its output. Never prompts, and only speaks
 * the protocols a source repository may use: `ext::` and the like never run, whatever a URL
 * says.
 */
export function gitCommand(options: GitCommandOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      options.args,
      {
        cwd: options.cwd,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        timeout: options.timeoutMs,
        signal: options.signal,
        env: {
          ...process.env,
          GIT_TERMINAL_PROMPT: '0',
          GIT_ASKPASS: 'echo',
          GIT_ALLOW_PROTOCOL: 'file:https:http:ssh:git',
          LC_ALL: 'C',
        },
      },
      (error, stdout, stderr) => {
        if (!error) {
          resolve(stdout);
          return;
        }
        const timedOut = error.killed && !options.signal?.aborted;
        const command =
          options.args.find(a => !a.startsWith('-') && !a.includes('=')) ??
          options.args[0];
        const reason = timedOut
          ? `timed out after ${options.timeoutMs} ms`
          : stderr.trim() || error.message;
        reject(
          new GitCompareError(
            redact(`git ${command} failed: ${reason}`),
            redact(stderr),
            timedOut ? 504 : 502,
          ),
        );
      },
    );
  });
}
