import { GitSpawner } from './gitSpawner';

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

/** Every git command of this process starts from one small helper (see {@link GitSpawner}). */
const spawner = new GitSpawner();

/**
 * Runs the git CLI and returns its standard output as a Buffer.
 *
 * Never prompts (a missing credential fails fast instead of hanging the request), and rejects
 * with git's own stderr, credentials removed.
 */
export async function runGit(options: RunGitOptions): Promise<Buffer> {
  const { stdout, stderr, error } = await spawner.run({
    args: options.args,
    cwd: options.cwd,
    input: options.input,
    signal: options.signal,
    timeoutMs: options.timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
    env: {
      GIT_TERMINAL_PROMPT: '0',
      GIT_ASKPASS: 'echo',
      LC_ALL: 'C',
      ...options.env,
    },
  });
  if (error) {
    const reason = error.killed
      ? `timed out after ${options.timeoutMs} ms`
      : stderr.toString('utf8').trim() || error.message;
    throw new GitCommandError(
      redactCredentials(`git ${options.args[0]} failed: ${reason}`),
      stderr.toString('utf8'),
    );
  }
  return stdout;
}
