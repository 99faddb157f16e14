import {
  VerificationCheckKind,
  VerificationCheckOutcome,
  VerificationCheckSpec,
} from '@gitops-backstage/plugin-gitops-node';
import {
  CheckConfigError,
  CheckOptions,
  configErrorOutcome,
  describeAbort,
  describeFetchError,
  formatNumber,
  withTimeout,
} from './options';
import {
  checkTemplateValues,
  escapePromQLString,
  fillCheckTemplate,
  templatePlaceholders,
} from './template';
import { Threshold, compare, parseThreshold, worstIndex } from './threshold';

/** Options of {@link createPrometheusCheck}. */
export interface PrometheusCheckKindOptions {
  /** `gitops.verification.prometheus.url`: used by checks that set no `url`. */
  defaultUrl?: string | null;
  /** Replaces the global `fetch` (tests). */
  fetch?: typeof fetch;
}

const DEFAULT_WINDOW = '10m';
const DEFAULT_TIMEOUT_SECONDS = 15;
/** A Prometheus duration: `30s`, `10m`, `1h30m`. */
const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;

type NoData = 'inconclusive' | 'pass' | 'fail';

interface PrometheusCheckOptions {
  url: string;
  query: string;
  window: string;
  threshold: Threshold;
  noData: NoData;
  timeoutMs: number;
}

/** One float of an instant query: a series of a vector (with its labels) or a scalar. */
interface Sample {
  labels: Record<string, string> | null;
  value: number;
}

/**
 * `kind: prometheus`: an instant PromQL query whose value must satisfy `threshold`, e.g. the
 * error ratio of the new version over `window`:
 *
 *   query: sum(rate(http_requests_total{service="{service}",code=~"5.."}[{window}]))
 *        / sum(rate(http_requests_total{service="{service}"}[{window}]))
 *   threshold: "< 0.01"
 *
 * Placeholders are escaped for double-quoted PromQL strings. Every series of a vector must
 * satisfy the threshold; the worst is reported. No series (or only NaN, i.e. 0/0: no traffic)
 * is `noData`: inconclusive unless the check says it passes or fails.
 */
export function createPrometheusCheck(
  kindOptions: PrometheusCheckKindOptions = {},
): VerificationCheckKind {
  const readOptions = (spec: VerificationCheckSpec): PrometheusCheckOptions => {
    const options = new CheckOptions(spec);
    const url = options.string('url') ?? kindOptions.defaultUrl?.trim();
    if (!url) {
      throw new CheckConfigError(
        `prometheus check ${spec.name}: no Prometheus URL (set gitops.verification.prometheus.url or the check's url)`,
      );
    }
    if (!/^https?:\/\//i.test(url)) {
      options.fail('url', `must be an http or https URL, not "${url}"`);
    }
    const window = options.string('window') ?? DEFAULT_WINDOW;
    if (!DURATION.test(window)) {
      options.fail(
        'window',
        `must be a Prometheus duration like 10m, not "${window}"`,
      );
    }
    let threshold: Threshold;
    try {
      threshold = parseThreshold(spec.options.threshold);
    } catch (error) {
      return options.fail('threshold', (error as Error).message);
    }
    return {
      url: url.replace(/\/+$/, ''),
      query: options.requiredString('query'),
      window,
      threshold,
      noData: options.oneOf<NoData>(
        'noData',
        ['inconclusive', 'pass', 'fail'],
        'inconclusive',
      ),
      timeoutMs:
        options.positiveNumber('timeoutSeconds', DEFAULT_TIMEOUT_SECONDS) *
        1000,
    };
  };

  return {
    kind: 'prometheus',
    validate(spec) {
      readOptions(spec);
    },
    async run(spec, context, signal) {
      let options: PrometheusCheckOptions;
      let query: string;
      let baseUrl: string;
      try {
        options = readOptions(spec);
        const values = {
          ...checkTemplateValues(context),
          window: options.window,
        };
        query = fillCheckTemplate(options.query, values, escapePromQLString);
        // The URL may be per environment too (`http://prometheus.{env}.svc:9090`).
        baseUrl = fillCheckTemplate(options.url, values);
      } catch (error) {
        return configErrorOutcome(error);
      }
      const link = {
        title: 'Prometheus',
        url: `${baseUrl}/graph?g0.expr=${encodeURIComponent(
          query,
        )}&g0.range_input=${options.window}`,
      };
      const outcome = await queryAndJudge(
        kindOptions.fetch ?? fetch,
        spec,
        options,
        baseUrl,
        query,
        signal,
      );
      return { ...outcome, links: [link] };
    },
  };
}

async function queryAndJudge(
  fetchImpl: typeof fetch,
  spec: VerificationCheckSpec,
  options: PrometheusCheckOptions,
  baseUrl: string,
  query: string,
  signal: AbortSignal,
): Promise<VerificationCheckOutcome> {
  const threshold = options.threshold.text;
  const error = (detail: string): VerificationCheckOutcome => ({
    state: 'Error',
    value: null,
    threshold,
    detail,
  });
  let status: number;
  let text: string;
  try {
    const response = await fetchImpl(
      `${baseUrl}/api/v1/query?query=${encodeURIComponent(query)}`,
      {
        headers: { accept: 'application/json' },
        signal: withTimeout(signal, options.timeoutMs),
      },
    );
    status = response.status;
    text = await response.text();
  } catch (cause) {
    return error(
      `Prometheus at ${baseUrl}: ${
        signal.aborted
          ? describeAbort(signal)
          : describeFetchError(cause, options.timeoutMs)
      }`,
    );
  }

  // Prometheus answers errors with a JSON body too (400 bad_data, 422 execution, 503
  // timeout), so the body decides; a body that is not its JSON is a proxy's or a wrong URL's.
  const body = parseJson(text);
  if (!body || (body.status !== 'success' && body.status !== 'error')) {
    return error(
      `Prometheus at ${baseUrl} answered HTTP ${status} without a query result: ${text
        .slice(0, 200)
        .trim()}`,
    );
  }
  if (body.status === 'error') {
    const errorType = String(body.errorType ?? 'unknown');
    const message = `${String(body.error ?? 'no message')} (${errorType})`;
    // bad_data: the query does not parse; execution: it cannot be evaluated as written
    // (e.g. many-to-many matching). Asking again gives the same answer: a config error.
    if (errorType === 'bad_data' || errorType === 'execution') {
      return {
        state: 'Inconclusive',
        value: null,
        threshold,
        detail: `query error: ${message}`,
      };
    }
    return error(`Prometheus error: ${message}`);
  }

  const samples = readSamples(body.data);
  if (typeof samples === 'string') {
    return { state: 'Inconclusive', value: null, threshold, detail: samples };
  }
  const usable = samples.filter(sample => !Number.isNaN(sample.value));
  if (usable.length === 0) {
    return {
      state: { inconclusive: 'Inconclusive', pass: 'Passed', fail: 'Failed' }[
        options.noData
      ] as VerificationCheckOutcome['state'],
      value: null,
      threshold,
      detail: `no data (no requests in ${options.window}?)`,
    };
  }

  const values = usable.map(sample => sample.value);
  const worst = usable[worstIndex(values, options.threshold)];
  const failing = values.filter(v => !compare(v, options.threshold)).length;
  const over = templatePlaceholders(options.query).includes('window')
    ? ` over ${options.window}`
    : '';
  const series =
    usable.length > 1
      ? ` (${formatLabels(worst.labels)}; ${
          failing
            ? `${failing} of ${usable.length} series fail`
            : `${usable.length} series`
        })`
      : '';
  return {
    state: failing === 0 ? 'Passed' : 'Failed',
    value: Number.isFinite(worst.value) ? worst.value : String(worst.value),
    threshold,
    detail: `${spec.name} ${formatNumber(
      worst.value,
    )}${over}${series}, threshold ${threshold}`,
  };
}

/**
 * The floats of an instant query's `data` (Prometheus HTTP API): a `vector` is
 * `[{ metric: {…}, value: [<unix time>, "<number>"] }]`, a `scalar` is
 * `[<unix time>, "<number>"]`. A string when the result cannot be judged.
 */
function readSamples(data: unknown): Sample[] | string {
  const { resultType, result } = (data ?? {}) as {
    resultType?: unknown;
    result?: unknown;
  };
  if (resultType === 'scalar' && Array.isArray(result)) {
    return [{ labels: null, value: parseSampleValue(result[1]) }];
  }
  if (resultType === 'vector' && Array.isArray(result)) {
    return result.map(series => ({
      labels: (series?.metric ?? {}) as Record<string, string>,
      // A native histogram sample has `histogram` instead of `value`: no float to compare.
      value: Array.isArray(series?.value)
        ? parseSampleValue(series.value[1])
        : NaN,
    }));
  }
  if (resultType === 'matrix' || resultType === 'string') {
    return `query returns a ${resultType}, not an instant vector or scalar (wrap a range selector in rate() or similar)`;
  }
  return `unexpected query result type ${JSON.stringify(resultType)}`;
}

/** Sample values are strings so that `NaN`, `+Inf` and `-Inf` survive JSON. */
function parseSampleValue(value: unknown): number {
  if (value === '+Inf' || value === 'Inf') return Infinity;
  if (value === '-Inf') return -Infinity;
  return typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
}

function formatLabels(labels: Record<string, string> | null): string {
  const entries = Object.entries(labels ?? {});
  if (entries.length === 0) return '{}';
  return `{${entries.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}`;
}

function parseJson(text: string): Record<string, any> | null {
  try {
    const value = JSON.parse(text);
    return value && typeof value === 'object' ? value : null;
  } catch {
    return null;
  }
}
