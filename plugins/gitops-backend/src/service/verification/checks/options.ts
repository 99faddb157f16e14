import {
  VerificationCheckOutcome,
  VerificationCheckSpec,
} from '@gitops-backstage/plugin-gitops-node';

/**
 * A check's options are unusable as written. Thrown by `validate` at start-up; at run time it
 * becomes an `Inconclusive` outcome, since retrying cannot fix a config mistake.
 */
export class CheckConfigError extends Error {
  name = 'CheckConfigError';
}

/** Reads a check's options, with errors that name the check and the key. */
export class CheckOptions {
  constructor(private readonly spec: VerificationCheckSpec) {}

  fail(key: string, message: string): never {
    throw new CheckConfigError(
      `${this.spec.kind} check ${this.spec.name}: ${key} ${message}`,
    );
  }

  string(key: string): string | undefined {
    const value = this.spec.options[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' || value.trim() === '') {
      return this.fail(key, 'must be a non-empty string');
    }
    return value.trim();
  }

  requiredString(key: string): string {
    return this.string(key) ?? this.fail(key, 'is required');
  }

  positiveNumber(key: string, fallback: number): number {
    const value = this.spec.options[key];
    if (value === undefined || value === null) return fallback;
    const number = typeof value === 'string' ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isFinite(number) || number <= 0) {
      return this.fail(key, 'must be a positive number');
    }
    return number;
  }

  stringList(key: string): string[] | undefined {
    const value = this.spec.options[key];
    if (value === undefined || value === null) return undefined;
    const list = Array.isArray(value) ? value : [value];
    if (!list.every(item => typeof item === 'string' && item.trim() !== '')) {
      return this.fail(key, 'must be a list of non-empty strings');
    }
    return list.map(item => (item as string).trim());
  }

  stringMap(key: string): Record<string, string> | undefined {
    const value = this.spec.options[key];
    if (value === undefined || value === null) return undefined;
    if (
      typeof value !== 'object' ||
      Array.isArray(value) ||
      !Object.values(value).every(item => typeof item === 'string')
    ) {
      return this.fail(key, 'must be a map of strings');
    }
    return value as Record<string, string>;
  }

  oneOf<T extends string>(key: string, allowed: T[], fallback: T): T {
    const value = this.string(key);
    if (value === undefined) return fallback;
    if (!(allowed as string[]).includes(value)) {
      return this.fail(key, `must be one of ${allowed.join(', ')}`);
    }
    return value as T;
  }
}

/** The outcome of a check whose config (or a template's placeholder) is unusable. */
export function configErrorOutcome(error: unknown): VerificationCheckOutcome {
  return {
    state: 'Inconclusive',
    value: null,
    threshold: null,
    detail: `config error: ${messageOf(error)}`,
  };
}

/**
 * The fields of a thrown value. Errors from Node's own fetch (and DOMExceptions) come from
 * another realm than the caller's `Error` under a test sandbox, so `instanceof` is no use.
 */
function fieldsOf(value: unknown): {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  cause?: unknown;
} {
  return typeof value === 'object' && value !== null ? value : {};
}

/**
 * Why a `fetch` failed, in a few words: Node's fetch throws `TypeError('fetch failed')` and
 * keeps the reason (ECONNREFUSED, ENOTFOUND, a TLS error) in `cause`.
 */
export function describeFetchError(error: unknown, timeoutMs: number): string {
  if (fieldsOf(error).name === 'TimeoutError') {
    return `no answer within ${formatSeconds(timeoutMs)}`;
  }
  const cause = fieldsOf(fieldsOf(error).cause);
  const known: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'DNS lookup failed',
    ECONNRESET: 'connection reset',
    ETIMEDOUT: 'connection timed out',
    UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
    UND_ERR_SOCKET: 'connection closed',
  };
  if (typeof cause.code === 'string') {
    return `${known[cause.code] ?? messageOf(cause)} (${cause.code})`;
  }
  if (typeof cause.message === 'string') return cause.message;
  return messageOf(error);
}

/** Why the caller's signal aborted a request. */
export function describeAbort(signal: AbortSignal): string {
  if (fieldsOf(signal.reason).name === 'TimeoutError') {
    return 'no answer within the verification time-out';
  }
  return `aborted (${messageOf(signal.reason)})`;
}

export function messageOf(error: unknown): string {
  const message = fieldsOf(error).message;
  return typeof message === 'string' ? message : String(error);
}

export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))}s`;
}

/**
 * The caller's signal together with the check's own time-out. When the caller's signal ends
 * the request (the runner's time-out for the whole check, or shutdown), {@link describeAbort}
 * says so: the outcome is an `Error` like any other unanswered request.
 */
export function withTimeout(signal: AbortSignal, timeoutMs: number) {
  return AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
}

/** A number in an outcome's detail: 3 significant digits is what a reader compares. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return String(Number(value.toPrecision(3)));
}
