import {
  DefaultGithubCredentialsProvider,
  ScmIntegrationRegistry,
} from '@backstage/integration';
import {
  VerificationCheckKind,
  VerificationCheckOutcome,
  VerificationCheckSpec,
  VerificationContext,
} from '@gitops-backstage/plugin-gitops-node';
import { Octokit } from '@octokit/rest';
import {
  CheckConfigError,
  CheckOptions,
  configErrorOutcome,
  describeAbort,
  messageOf,
  withTimeout,
} from './options';
import { checkTemplateValues, fillCheckTemplate } from './template';

/** Options of {@link createCommitStatusCheck}. */
export interface CommitStatusCheckKindOptions {
  integrations: ScmIntegrationRegistry;
  /**
   * The client for a GitHub host and an `owner/repo` (GitHub App credentials are per
   * organisation). Defaults to the `integrations.github` entry of the host and its token or
   * app.
   */
  octokitFor?: (host: string, repository: string) => Promise<Octokit>;
}

const PROJECT_SLUG_ANNOTATION = 'github.com/project-slug';
const DEFAULT_TIMEOUT_SECONDS = 30;
/** Check run conclusions that do not block: GitHub shows them as passing too. */
const GREEN_CONCLUSIONS = ['success', 'neutral', 'skipped'];
/** At most this many links: a monorepo can have hundreds of check runs. */
const MAX_LINKS = 10;

interface CommitStatusOptions {
  repository: string | undefined;
  host: string;
  ref: string | undefined;
  contexts: string[];
  timeoutMs: number;
}

/** A check run or a commit status, judged. */
interface CiResult {
  name: string;
  verdict: 'green' | 'pending' | 'failed';
  /** The check run's conclusion or status, or the commit status's state. */
  state: string;
  url: string | null;
}

function readOptions(spec: VerificationCheckSpec): CommitStatusOptions {
  const options = new CheckOptions(spec);
  const repository = options.string('repository');
  if (repository !== undefined && !/^[\w.-]+\/[\w.-]+$/.test(repository)) {
    options.fail('repository', `must be owner/repo, not "${repository}"`);
  }
  return {
    repository,
    host: options.string('host') ?? 'github.com',
    ref: options.string('ref'),
    contexts: options.stringList('contexts') ?? [],
    timeoutMs:
      options.positiveNumber('timeoutSeconds', DEFAULT_TIMEOUT_SECONDS) * 1000,
  };
}

/**
 * `kind: commitStatus`: the GitHub check runs and commit statuses of the version's source
 * commit must be green: the ones named in `contexts`, or all of them (and at least one).
 *
 * A check still running, or a required one not reported yet, is `Error`: the runner retries
 * with backoff and ends Inconclusive if it never settles. A red one fails at once.
 */
export function createCommitStatusCheck(
  kindOptions: CommitStatusCheckKindOptions,
): VerificationCheckKind {
  const credentials = DefaultGithubCredentialsProvider.fromIntegrations(
    kindOptions.integrations,
  );
  const octokitFor =
    kindOptions.octokitFor ??
    (async (host: string, repository: string) => {
      const integration = kindOptions.integrations.github.byHost(host);
      if (!integration) {
        throw new CheckConfigError(
          `no GitHub integration for ${host}; add it under integrations.github`,
        );
      }
      const { token } = await credentials.getCredentials({
        url: `https://${host}/${repository}`,
      });
      // No retry plugin: the verification runner retries the whole check with backoff.
      return new Octokit({
        auth: token,
        baseUrl: integration.config.apiBaseUrl,
      });
    });

  return {
    kind: 'commitStatus',
    validate(spec) {
      readOptions(spec);
    },
    async run(spec, context, signal) {
      let options: CommitStatusOptions;
      let target: { owner: string; repo: string; ref: string };
      try {
        options = readOptions(spec);
        target = resolveTarget(spec, options, context);
      } catch (error) {
        return configErrorOutcome(error);
      }
      const { owner, repo, ref } = target;
      const where = `${owner}/${repo}@${ref}`;
      const threshold =
        options.contexts.length > 0
          ? `green: ${options.contexts.join(', ')}`
          : 'all green';
      let results: CiResult[];
      try {
        const octokit = await octokitFor(options.host, `${owner}/${repo}`);
        const request = { signal: withTimeout(signal, options.timeoutMs) };
        const [checkRuns, combined] = await Promise.all([
          octokit.paginate(octokit.checks.listForRef, {
            owner,
            repo,
            ref,
            per_page: 100,
            request,
          }),
          // The combined status holds the latest status of each context (up to 100).
          octokit.repos.getCombinedStatusForRef({
            owner,
            repo,
            ref,
            per_page: 100,
            request,
          }),
        ]);
        results = [
          ...latestByName(checkRuns).map(judgeCheckRun),
          ...combined.data.statuses.map(judgeStatus),
        ];
      } catch (error) {
        if (error instanceof CheckConfigError) return configErrorOutcome(error);
        const status = statusOf(error);
        // 422 is GitHub's "No commit found for SHA" for a ref it does not know.
        if (status === 404 || status === 422) {
          return {
            state: 'Failed',
            value: null,
            threshold,
            detail: `ref ${ref} not found in ${owner}/${repo} on ${options.host} (HTTP ${status})`,
          };
        }
        return {
          state: 'Error',
          value: null,
          threshold,
          detail: `GitHub ${options.host}, ${where}: ${
            signal.aborted ? describeAbort(signal) : messageOf(error)
          }`,
        };
      }
      return judge(results, options.contexts, ref, threshold);
    },
  };
}

function resolveTarget(
  spec: VerificationCheckSpec,
  options: CommitStatusOptions,
  context: VerificationContext,
) {
  const repository =
    options.repository ?? context.annotations[PROJECT_SLUG_ANNOTATION];
  const slug = repository?.match(/^([\w.-]+)\/([\w.-]+)$/);
  if (!slug) {
    throw new CheckConfigError(
      `commitStatus check ${spec.name}: no repository (set the check's repository or the entity annotation ${PROJECT_SLUG_ANNOTATION})`,
    );
  }
  const values = checkTemplateValues(context);
  const template = options.ref ?? (values.sha ? '{sha}' : '{tag}');
  const ref = fillCheckTemplate(template, values).trim();
  if (!ref) {
    throw new CheckConfigError(
      `commitStatus check ${spec.name}: no Git ref to check (the version has no tag; set the check's ref)`,
    );
  }
  return { owner: slug[1], repo: slug[2], ref };
}

function judge(
  results: CiResult[],
  contexts: string[],
  ref: string,
  threshold: string,
): VerificationCheckOutcome {
  const relevant =
    contexts.length > 0
      ? results.filter(result => contexts.includes(result.name))
      : results;
  const missing = contexts.filter(
    name => !results.some(result => result.name === name),
  );
  const green = relevant.filter(result => result.verdict === 'green');
  const failed = relevant.filter(result => result.verdict === 'failed');
  const pending = relevant.filter(result => result.verdict === 'pending');
  const value = `${green.length}/${relevant.length + missing.length} green`;
  const named = (list: CiResult[]) =>
    list.map(result => `${result.name} (${result.state})`).join(', ');
  const links = (list: CiResult[]) =>
    list
      .filter(result => result.url)
      .slice(0, MAX_LINKS)
      .map(result => ({ title: result.name, url: result.url! }));

  // A red check fails the version even while others still run.
  if (failed.length > 0) {
    return {
      state: 'Failed',
      value,
      threshold,
      detail: `failed on ${ref}: ${named(failed)}`,
      links: links(failed),
    };
  }
  if (pending.length > 0 || missing.length > 0) {
    const parts = [
      pending.length > 0 ? `waiting for: ${named(pending)}` : '',
      missing.length > 0 ? `not reported yet: ${missing.join(', ')}` : '',
    ];
    return {
      state: 'Error',
      value,
      threshold,
      detail: parts.filter(Boolean).join('; '),
      links: links(pending),
    };
  }
  if (relevant.length === 0) {
    return {
      state: 'Error',
      value,
      threshold,
      detail: `no check runs or commit statuses on ${ref} yet`,
    };
  }
  return {
    state: 'Passed',
    value,
    threshold,
    detail: `${green.length} green on ${ref}: ${green
      .map(result => result.name)
      .join(', ')}`,
    links: links(green),
  };
}

type CheckRun = Awaited<
  ReturnType<Octokit['checks']['listForRef']>
>['data']['check_runs'][number];
type CommitStatus = Awaited<
  ReturnType<Octokit['repos']['getCombinedStatusForRef']>
>['data']['statuses'][number];

/**
 * One check run per name, the newest: a re-run, or the same job run for a push and a pull
 * request, leaves several, and the latest is the one GitHub shows.
 */
function latestByName(runs: CheckRun[]): CheckRun[] {
  const latest = new Map<string, CheckRun>();
  for (const run of runs) {
    const known = latest.get(run.name);
    if (!known || newer(run, known)) latest.set(run.name, run);
  }
  return [...latest.values()];
}

function newer(a: CheckRun, b: CheckRun): boolean {
  const time = (run: CheckRun) => Date.parse(run.started_at ?? '') || 0;
  return time(a) !== time(b) ? time(a) > time(b) : a.id > b.id;
}

function judgeCheckRun(run: CheckRun): CiResult {
  const url = run.html_url ?? null;
  if (run.status !== 'completed') {
    return { name: run.name, verdict: 'pending', state: run.status, url };
  }
  const conclusion = run.conclusion ?? 'none';
  return {
    name: run.name,
    // failure, cancelled, timed_out, action_required, startup_failure, stale
    verdict: GREEN_CONCLUSIONS.includes(conclusion) ? 'green' : 'failed',
    state: conclusion,
    url,
  };
}

function judgeStatus(status: CommitStatus): CiResult {
  const verdicts: Record<string, CiResult['verdict']> = {
    success: 'green',
    pending: 'pending',
  };
  return {
    name: status.context,
    // failure and error are red
    verdict: verdicts[status.state] ?? 'failed',
    state: status.state,
    url: status.target_url ?? null,
  };
}

function statusOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'status' in error
    ? Number((error as { status: unknown }).status)
    : undefined;
}
