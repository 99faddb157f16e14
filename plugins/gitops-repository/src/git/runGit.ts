import { execFile } from 'node:child_process';

/** Options of {@link runGit}. */
export interface RunGitOptions {
  args: string[];
  cwd?: string;
  /** Written to git's standard input. */
  input?: string;
  signal?: AbortSignal;
  timeoutMs: number;
  /** Extra environment, e.g. `GIT_INDEX_FILE` or the commit author. */
  env?: Record<string, string>;
}

/** Removes `user:password@` from URLs so credentials never reach a message or a log line. */
export function redactCredentials(text: string): string {
  return text.replace(/(\w+:\/\/)[^/@\s]+@/g, '$1***@');
}

/** A git command exited with an error. */
export class GitCommandError extends Error {
  readonly name = 'GitCommandError';
  constructor(message: string, readonly stderr: string) {
    super(message);
  }
}

/**
 * Runs the git CLI and returns its standard output as a Buffer.
 *
 * Never prompts (a missing credential fails fast instead of hanging the request), and rejects
 * with git's own stderr, credentials removed.
 */
export function runGit(options: RunGitOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      options.args,
      {
        cwd: options.cwd,
        encoding: 'buffer',
        maxBuffer: 64 * 1024 * 1024,
        timeout: options.timeoutMs,
        signal: options.signal,
        env: {
          ...process.env,
          GIT_TERMINAL_PROMPT: '0',
          GIT_ASKPASS: 'echo',
          LC_ALL: 'C',
          ...options.env,
        },
      },
      (error, stdout, stderr) => {
        if (error) {
          const reason = error.killed
            ? `timed out after ${options.timeoutMs} ms`
            : stderr.toString('utf8').trim() || error.message;
          reject(
            new GitCommandError(
              redactCredentials(`git ${options.args[0]} failed: ${reason}`),
              stderr.toString('utf8'),
            ),
          );
          return;
        }
        resolve(stdout);
      },
    );
    if (options.input !== undefined) {
      child.stdin?.end(options.input);
    }
  });
}
