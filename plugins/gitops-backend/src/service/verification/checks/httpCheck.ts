import {
  VerificationCheckKind,
  VerificationCheckOutcome,
  VerificationCheckSpec,
  VerificationContext,
} from '@gitops-backstage/plugin-gitops-node';
import {
  CheckConfigError,
  CheckOptions,
  configErrorOutcome,
  describeAbort,
  describeFetchError,
  withTimeout,
} from './options';
import { checkTemplateValues, fillCheckTemplate } from './template';

/** Only the start of a body is searched: a health page, not a download. */
export const BODY_MATCH_LIMIT_BYTES = 64 * 1024;

const DEFAULT_TIMEOUT_SECONDS = 10;

interface HttpCheckOptions {
  url: string;
  expectStatus: number[];
  bodyMatch: RegExp | null;
  headers: Record<string, string>;
  timeoutMs: number;
}

function readOptions(spec: VerificationCheckSpec): HttpCheckOptions {
  const options = new CheckOptions(spec);
  const url = options.requiredString('url');
  // The URL is a template, so only a scheme written out can be checked before it is filled.
  const scheme = url.match(/^([a-z][a-z0-9+.-]*):/i)?.[1].toLowerCase();
  if (scheme && scheme !== 'http' && scheme !== 'https') {
    options.fail('url', `must be an http or https URL, not ${scheme}:`);
  }
  const rawStatus = spec.options.expectStatus ?? 200;
  const expectStatus = (Array.isArray(rawStatus) ? rawStatus : [rawStatus]).map(
    Number,
  );
  if (
    expectStatus.length === 0 ||
    !expectStatus.every(s => Number.isInteger(s) && s >= 100 && s <= 599)
  ) {
    options.fail(
      'expectStatus',
      'must be an HTTP status code or a list of them',
    );
  }
  const pattern = options.string('bodyMatch');
  let bodyMatch: RegExp | null = null;
  if (pattern !== undefined) {
    try {
      bodyMatch = new RegExp(pattern);
    } catch (error) {
      options.fail('bodyMatch', `is not a regular expression: ${error}`);
    }
  }
  return {
    url,
    expectStatus,
    bodyMatch,
    headers: options.stringMap('headers') ?? {},
    timeoutMs:
      options.positiveNumber('timeoutSeconds', DEFAULT_TIMEOUT_SECONDS) * 1000,
  };
}

/**
 * `kind: http`: GETs a URL (a template: `https://{service}.{env}.example.com/health`) and
 * passes when the status is one of `expectStatus` (default 200) and, with `bodyMatch`, the
 * start of the body matches the regular expression.
 *
 * An unreachable endpoint (refused, DNS, time-out) is `Error`, so the run is retried: right
 * after a rollout the new pods' ingress may not route yet.
 */
export function createHttpCheck(): VerificationCheckKind {
  return {
    kind: 'http',
    validate(spec) {
      readOptions(spec);
    },
    async run(spec, context, signal) {
      let options: HttpCheckOptions;
      let url: URL;
      try {
        options = readOptions(spec);
        url = fillUrl(spec, options.url, context);
      } catch (error) {
        return configErrorOutcome(error);
      }
      return await probe(options, url, signal);
    },
  };
}

function fillUrl(
  spec: VerificationCheckSpec,
  template: string,
  context: VerificationContext,
): URL {
  const values = checkTemplateValues(context);
  const text = fillCheckTemplate(template, values);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CheckConfigError(
      `http check ${spec.name}: url "${text}" is not a URL`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CheckConfigError(
      `http check ${spec.name}: url "${text}" must be http or https`,
    );
  }
  return url;
}

async function probe(
  options: HttpCheckOptions,
  url: URL,
  signal: AbortSignal,
): Promise<VerificationCheckOutcome> {
  const expected = options.expectStatus.join(' or ');
  const threshold = options.bodyMatch
    ? `${expected}, body ~ ${options.bodyMatch}`
    : expected;
  const request = `GET ${url.href}`;
  const requestSignal = withTimeout(signal, options.timeoutMs);
  try {
    const response = await fetch(url, {
      headers: options.headers,
      signal: requestSignal,
      redirect: 'follow',
    });
    const status = response.status;
    if (!options.expectStatus.includes(status)) {
      await response.body?.cancel().catch(() => undefined);
      return {
        state: 'Failed',
        value: status,
        threshold,
        detail: `${request} → ${status}, expected ${expected}`,
      };
    }
    if (!options.bodyMatch) {
      await response.body?.cancel().catch(() => undefined);
      return {
        state: 'Passed',
        value: status,
        threshold,
        detail: `${request} → ${status}`,
      };
    }
    const body = await readStart(response, BODY_MATCH_LIMIT_BYTES);
    const matches = options.bodyMatch.test(body);
    return {
      state: matches ? 'Passed' : 'Failed',
      value: status,
      threshold,
      detail: matches
        ? `${request} → ${status}, body matches ${options.bodyMatch}`
        : `${request} → ${status}, body does not match ${options.bodyMatch}`,
    };
  } catch (error) {
    return {
      state: 'Error',
      value: null,
      threshold,
      detail: `${request}: ${
        signal.aborted
          ? describeAbort(signal)
          : describeFetchError(error, options.timeoutMs)
      }`,
    };
  }
}

/** The first `limit` bytes of a body as text; the rest is not downloaded. */
async function readStart(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  // A multi-byte character cut at the limit decodes as U+FFFD, which no pattern relies on.
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}
