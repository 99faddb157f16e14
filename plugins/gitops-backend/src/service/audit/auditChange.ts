import {
  AuditorService,
  AuditorServiceCreateEventOptions,
  AuditorServiceEventSeverityLevel,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  AuthenticationError,
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { GitopsAction } from '@gitops-backstage/plugin-gitops-common';
import type { Request } from 'express';
import {
  PolicyInputError,
  PolicyRefusedError,
} from '../policy/PolicyRefusedError';
import { formatVersion } from '../promotion/gates';

/** A JSON object as the auditor takes it (kept to its own type: no extra dependency). */
export type AuditMeta = NonNullable<AuditorServiceCreateEventOptions['meta']>;

/**
 * The audited kinds of change; each is its own event id (the auditor prefixes the plugin id,
 * so `promotion` is logged as `gitops.promotion`).
 */
export type AuditedChangeKind =
  | 'promotion'
  | 'rollback'
  | 'scale'
  | 'engine-request'
  | 'rollout-action'
  | 'service-create'
  | 'approval'
  | 'freeze'
  | 'automation-pause'
  | 'change-denied';

/** One change as it was asked, before anything is known of its outcome. */
export interface AuditedChange {
  kind: AuditedChangeKind;
  /** What was asked within the kind: `promote`, `refresh`, `abort`, `declare`, `lift`, `pause`… */
  action: string;
  /** A user's entity ref, `service:<subject>` or `plugin:gitops/automation`. */
  actor: string;
  /** `null` for what is not about one entity (a freeze). */
  entityRef: string | null;
  /** The environment changed; `null` when several are (a freeze, a new service). */
  environment: string | null;
  /** The environments of a freeze (`*`: all) or a new service. */
  environments?: string[] | '*';
  /** The source of a promotion. */
  from?: string;
  dryRun?: boolean;
  override?: { reason: string } | null;
  /** The automation's policy and reason, for changes the portal's automation makes. */
  automation?: { policy: string | null; reason: string | null } | null;
  /**
   * What was asked besides the above, its small fields only (a tag, a replica count, a
   * freeze's reason and end). Named apart from the auditor's own `request` (method and URL).
   */
  requested?: AuditMeta;
}

/** What goes to `createEvent`, without the HTTP request. */
export interface AuditEventOptions {
  eventId: AuditedChangeKind;
  severityLevel: AuditorServiceEventSeverityLevel;
  meta: AuditMeta;
}

/**
 * Severity, one rule for every kind: `low` for dry runs (nothing is written, like a read);
 * `high` for freezes (they stop every change), overrides (a gate was skipped) and anything done
 * to a production environment; `medium` for the rest. A new service is `medium` even though
 * it has files for production: nothing runs there yet and nothing existing changes.
 * `critical` is left to Backstage's own permission changes.
 */
export function auditSeverity(
  change: AuditedChange,
  production: ReadonlySet<string>,
): AuditorServiceEventSeverityLevel {
  if (change.dryRun) return 'low';
  if (change.kind === 'freeze' || change.override) return 'high';
  if (change.kind === 'service-create') return 'medium';
  const environments =
    change.environments === '*'
      ? [...production]
      : [
          ...(change.environments ?? []),
          ...(change.environment ? [change.environment] : []),
        ];
  return environments.some(e => production.has(e)) ? 'high' : 'medium';
}

/** The event a change opens: its id, severity and what is known before it runs. */
export function auditEvent(
  change: AuditedChange,
  production: ReadonlySet<string>,
): AuditEventOptions {
  const meta: AuditMeta = {
    actor: change.actor,
    entityRef: change.entityRef,
    environment: change.environment,
    action: change.action,
    dryRun: Boolean(change.dryRun),
  };
  if (change.environments) meta.environments = change.environments;
  if (change.from) meta.from = change.from;
  if (change.override) meta.override = { reason: change.override.reason };
  if (change.automation) meta.automation = { ...change.automation };
  if (change.requested && Object.keys(change.requested).length > 0) {
    meta.requested = change.requested;
  }
  return {
    eventId: change.kind,
    severityLevel: auditSeverity(change, production),
    meta,
  };
}

/** Files, additions and deletions of a unified diff: what changed, never the lines. */
export function diffSummary(diff: string): {
  files: string[];
  additions: number;
  deletions: number;
} {
  const files: string[] = [];
  let additions = 0;
  let deletions = 0;
  for (const line of diff.split('\n')) {
    const file = /^\+\+\+ (?:b\/)?(.+?)\s*$/.exec(line);
    if (file) {
      if (file[1] !== '/dev/null') files.push(file[1]);
    } else if (line.startsWith('--- ')) {
      // A file header, not a deleted line.
    } else if (line.startsWith('+')) {
      additions++;
    } else if (line.startsWith('-')) {
      deletions++;
    }
  }
  return { files, additions, deletions };
}

// A new service writes a dozen files or more: the list is cut so the event stays small.
const MAX_FILES = 20;

/**
 * The plan and result of a recorded change (a promotion, rollback, scale, engine request or
 * rollout action): versions before → after, the scaling written, a summary of the diff (or
 * the requests sent to the cluster), and the status, record and commit or pull request.
 */
export function actionOutcome(
  action: GitopsAction,
  extra: { scalingBefore?: AuditMeta | null; replayed?: boolean } = {},
): AuditMeta {
  const plan: AuditMeta = {};
  if (action.version || action.previousVersion) {
    plan.before = formatVersion(action.previousVersion);
    plan.after = formatVersion(action.version);
  }
  if (action.scaling) {
    plan.scaling = {
      before: extra.scalingBefore ?? null,
      after: { ...action.scaling },
    };
  }
  if (action.action === 'rollout' || action.action === 'sync') {
    // Their `diff` is the HTTP requests sent: the method and path say what was asked.
    plan.requests = action.diff
      .split('\n')
      .filter(line => /^(GET|PATCH|POST|PUT|DELETE) \//.test(line));
  } else if (action.diff) {
    const summary = diffSummary(action.diff);
    plan.files = summary.files.slice(0, MAX_FILES);
    plan.additions = summary.additions;
    plan.deletions = summary.deletions;
  }
  const overridden = action.gates.filter(g => g.override).map(g => g.name);
  if (overridden.length > 0) plan.overriddenGates = overridden;
  return {
    plan,
    result: {
      status: action.status,
      actionId: action.id,
      commit: action.commit,
      branch: action.branch,
      pullRequest: action.pullRequest,
      message: action.message,
      ...(extra.replayed ? { replayed: true } : {}),
    },
  };
}

/**
 * The result of a change that did not happen: `Refused` for what the request, the
 * permissions or the policy said no to (4xx), `Failed` for what broke (Git, a cluster, the
 * database). The error itself goes to the auditor beside it; only its name is copied here,
 * so nothing an upstream error message may hold is duplicated into the event.
 */
export function failureOutcome(error: unknown): AuditMeta {
  // Errors of this plugin that carry their HTTP status (429, 502, 504…).
  const statusCode = (error as { statusCode?: unknown } | undefined)
    ?.statusCode;
  const refused =
    error instanceof InputError ||
    error instanceof ConflictError ||
    error instanceof NotAllowedError ||
    error instanceof NotFoundError ||
    error instanceof AuthenticationError ||
    (typeof statusCode === 'number' && statusCode < 500);
  const result: AuditMeta = {
    status: refused ? 'Refused' : 'Failed',
    error: (error as Error)?.name ?? 'Error',
  };
  if (
    error instanceof PolicyRefusedError ||
    error instanceof PolicyInputError
  ) {
    result.gates = error.gates
      .filter(g => g.state !== 'pass')
      .map(g => ({ name: g.name, state: g.state }));
  }
  if (error instanceof PolicyRefusedError) result.retryAt = error.retryAt;
  return { result };
}

/** The policy and reason trailers of an automated change's actor, else `null`. */
export function automationOf(actor: {
  trailers?: string[];
}): AuditedChange['automation'] {
  const trailer = (name: string) =>
    actor.trailers
      ?.find(t => t.startsWith(`${name}: `))
      ?.slice(name.length + 2) ?? null;
  const policy = trailer('Gitops-Policy');
  const reason = trailer('Gitops-Reason');
  return policy || reason ? { policy, reason } : null;
}

/** Options of {@link ChangeAuditor}. */
export interface ChangeAuditorOptions {
  auditor: AuditorService;
  logger: LoggerService;
  /** Environments whose changes are `high` (see {@link auditSeverity}). */
  productionEnvironments: string[];
}

/**
 * Sends every change to Backstage's auditor as one event: opened before anything is read or
 * written (so an auditor that refuses stops the change before it starts), then settled with
 * `success` or `fail`. It sits in the services, not the routes, so the portal's automation —
 * which has no HTTP request — is audited the same way; the request, when there is one, lets
 * the auditor add the caller, address and path.
 */
export class ChangeAuditor {
  private readonly production: ReadonlySet<string>;

  constructor(private readonly options: ChangeAuditorOptions) {
    this.production = new Set(options.productionEnvironments);
  }

  async audit<T>(args: {
    change: AuditedChange;
    request?: Request;
    work: () => Promise<T>;
    outcome: (value: T) => AuditMeta;
  }): Promise<T> {
    const event = await this.options.auditor.createEvent({
      ...auditEvent(args.change, this.production),
      request: args.request,
    });
    let value: T;
    try {
      value = await args.work();
    } catch (error) {
      await this.settle(args.change, () =>
        event.fail({
          error: error instanceof Error ? error : new Error(String(error)),
          meta: failureOutcome(error),
        }),
      );
      throw error;
    }
    await this.settle(args.change, () =>
      event.success({ meta: args.outcome(value) }),
    );
    return value;
  }

  /**
   * A change refused before it reached its service (the permission said no): one event,
   * failed at once, so denied attempts are on record too (the permission framework does not
   * audit its decisions). Nothing happens either way, so an auditor that fails here is
   * logged and the caller still gets its 403.
   */
  async denied(
    change: AuditedChange,
    error: Error,
    request?: Request,
  ): Promise<void> {
    await this.settle(change, async () => {
      const event = await this.options.auditor.createEvent({
        ...auditEvent(change, this.production),
        request,
      });
      await event.fail({ error, meta: failureOutcome(error) });
    });
  }

  /**
   * The change has happened (or failed) by now: an auditor that cannot record its end must
   * not turn a pushed commit into an error answer, so it is logged instead.
   */
  private async settle(change: AuditedChange, record: () => Promise<void>) {
    try {
      await record();
    } catch (error) {
      this.options.logger.warn(
        `Could not record the audit event ${change.kind} (${
          change.action
        }) of ${change.entityRef ?? 'the fleet'} by ${change.actor}: ${
          (error as Error).message
        }`,
      );
    }
  }
}
