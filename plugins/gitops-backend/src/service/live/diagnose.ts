import {
  DesiredState,
  Problem,
  ProblemType,
} from '@gitops-backstage/plugin-gitops-common';
import { detectDrift } from './drift';
import { HINTS } from './hints';
import { LiveSecurity } from './securityReports';
import { KubeObject, condition, describeObject } from './kinds';
import { rolloutProblems } from './progressive/rolloutProblems';
import { ServiceObjects } from './selectServiceObjects';
import { eventLastSeen } from './slimObject';
import { staleFluxReconcile } from './staleReconcile';
import { TimeHorizon, overdue } from './timeHorizon';

export { detectDrift } from './drift';

/** What the diagnosis needs besides the objects. */
export interface DiagnoseContext {
  desired: DesiredState | null;
  /** The environment expects automated sync (Argo CD without it is Suspended). */
  expectAutoSync: boolean;
  /** Argo CD's reconciliation period; stale after three of them. */
  argoReconcileSeconds: number;
  now: Date;
  /**
   * When the cache first saw something (a generation, a reconcile request), for objects whose
   * own fields do not say when it changed. Defaults to "just now".
   */
  firstSeen?: (key: string) => number;
  /** Where to note when a time-based check (overdue reconcile, ageing event) will flip. */
  horizon?: TimeHorizon;
}

const PULL_FAILURES = ['ImagePullBackOff', 'ErrImagePull', 'InvalidImageName'];
const FLUX_FAILURES = [
  'ReconciliationFailed',
  'BuildFailed',
  'HealthCheckFailed',
  'InstallFailed',
  'UpgradeFailed',
  'ArtifactFailed',
  'DependencyNotReady',
  'RetryExhausted',
];
const SOURCE_ACCESS = /repositor|git|ssh|auth|credential|refs|clone|fetch/i;

/**
 * Every failure mode the API shows (failure-modes.md), one problem per type, with the first
 * object it was seen on and how many were affected.
 */
export function diagnose(
  objects: ServiceObjects,
  context: DiagnoseContext,
): Problem[] {
  const found = new Map<
    ProblemType,
    { severity: Problem['severity']; messages: string[]; object: string | null }
  >();
  const add = (
    type: ProblemType,
    severity: Problem['severity'],
    message: string,
    object?: KubeObject,
  ) => {
    const entry = found.get(type);
    if (entry) entry.messages.push(message);
    else
      found.set(type, {
        severity,
        messages: [message],
        object: describeObject(object),
      });
  };

  for (const pod of objects.pods) {
    diagnosePod(pod, add);
  }
  for (const event of objects.events.filter(e =>
    isRecent(e, context.now, context.horizon),
  )) {
    const pod = objects.pods.find(
      p => p.metadata?.name === event.involvedObject?.name,
    );
    if (
      event.reason === 'Unhealthy' &&
      /probe failed/i.test(event.message ?? '')
    ) {
      add('ProbeFailing', 'warning', event.message, pod ?? event);
    }
    if (['FailedMount', 'FailedAttachVolume'].includes(event.reason)) {
      add('VolumePending', 'error', event.message, pod ?? event);
    }
  }
  for (const pvc of objects.pvcs) {
    if (pvc.status?.phase === 'Pending') {
      add(
        'VolumePending',
        'error',
        `PersistentVolumeClaim ${pvc.metadata?.name} is Pending`,
        pvc,
      );
    }
  }
  const { hpa, deployment } = objects;
  const limited = condition(hpa, 'ScalingLimited');
  if (
    hpa &&
    hpa.status?.currentReplicas === hpa.spec?.maxReplicas &&
    limited?.status === 'True' &&
    limited?.reason === 'TooManyReplicas'
  ) {
    add(
      'HPAAtMax',
      'warning',
      `At maxReplicas ${hpa.spec.maxReplicas}: ${limited.message ?? ''}`.trim(),
      hpa,
    );
  }
  const progressing = condition(deployment, 'Progressing');
  // A failed canary's target is past its deadline too: CanaryFailed says it, with the cause.
  if (
    progressing?.status === 'False' &&
    progressing.reason === 'ProgressDeadlineExceeded' &&
    objects.canary?.status?.phase !== 'Failed'
  ) {
    add(
      'RolloutStuck',
      'error',
      progressing.message ?? 'Progress deadline exceeded',
      deployment,
    );
  }
  for (const p of rolloutProblems(objects, context.desired?.image)) {
    add(p.type, p.severity, p.message, p.object);
  }
  diagnoseArgo(objects.application, context, add);
  diagnoseFlux(objects, context, add);
  const drift = detectDrift(context.desired, objects);
  if (drift.length > 0) {
    add(
      'Drift',
      'warning',
      drift
        .map(d => `${d.field}: Git ${d.desired}, cluster ${d.live}`)
        .join('; '),
      objects.rollout ?? deployment,
    );
  }

  return [...found].map(([type, entry]) => ({
    type,
    severity: entry.severity,
    message:
      entry.messages.length > 1
        ? `${entry.messages[0]} (and ${entry.messages.length - 1} more)`
        : entry.messages[0],
    hint: HINTS[type],
    object: entry.object,
  }));
}

type Add = (
  type: ProblemType,
  severity: Problem['severity'],
  message: string,
  object?: KubeObject,
) => void;

function diagnosePod(pod: KubeObject, add: Add) {
  const name = pod.metadata?.name;
  for (const status of [
    ...(pod.status?.containerStatuses ?? []),
    ...(pod.status?.initContainerStatuses ?? []),
  ]) {
    const waiting = status?.state?.waiting;
    const where = `container ${status.name} of ${name}`;
    if (waiting?.reason === 'CrashLoopBackOff') {
      add(
        'CrashLoopBackOff',
        'error',
        `${where} restarted ${status.restartCount ?? 0} times: ${
          waiting.message ?? 'back-off restarting'
        }`,
        pod,
      );
    }
    if (PULL_FAILURES.includes(waiting?.reason)) {
      add(
        'ImagePullBackOff',
        'error',
        `${where}: ${waiting.reason}: ${waiting.message ?? status.image}`,
        pod,
      );
    }
    const terminated =
      status?.lastState?.terminated ?? status?.state?.terminated;
    if (terminated?.reason === 'OOMKilled') {
      add(
        'OOMKilled',
        'error',
        `${where} was OOMKilled (exit ${terminated.exitCode ?? 137})`,
        pod,
      );
    }
  }
  const scheduled = condition(pod, 'PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
    add(
      'Unschedulable',
      'error',
      `${name}: ${scheduled.message ?? 'no node fits'}`,
      pod,
    );
  }
}

function diagnoseArgo(
  app: KubeObject | undefined,
  context: DiagnoseContext,
  add: Add,
) {
  if (!app) return;
  const status = app.status ?? {};
  for (const c of status.conditions ?? []) {
    if (c?.type === 'ComparisonError' && SOURCE_ACCESS.test(c.message ?? '')) {
      add('SourceNotReady', 'error', c.message, app);
    } else if (c?.type === 'SyncError' || c?.type === 'ComparisonError') {
      add('SyncFailed', 'error', c.message ?? c.type, app);
    }
  }
  const operation = status.operationState;
  if (['Failed', 'Error'].includes(operation?.phase)) {
    add(
      'SyncFailed',
      'error',
      operation.message ?? `sync ${operation.phase}`,
      app,
    );
  }
  const automated = app.spec?.syncPolicy?.automated;
  if (context.expectAutoSync && (!automated || automated.enabled === false)) {
    add(
      'Suspended',
      'warning',
      `${describeObject(app)} has no automated sync policy`,
      app,
    );
  }
  const reconciledAt = Date.parse(status.reconciledAt ?? '');
  const staleAfter = 3 * context.argoReconcileSeconds * 1000;
  if (
    Number.isFinite(reconciledAt) &&
    overdue(context.now.getTime(), reconciledAt, staleAfter, context.horizon)
  ) {
    add(
      'StaleReconcile',
      'warning',
      `Last reconciled at ${status.reconciledAt}`,
      app,
    );
  }
}

function diagnoseFlux(
  objects: ServiceObjects,
  context: DiagnoseContext,
  add: Add,
) {
  const engine = objects.helmRelease ?? objects.kustomization;
  const chain = [
    ...[objects.helmRelease, objects.kustomization]
      .filter((o): o is KubeObject => Boolean(o))
      .map(object => ({
        object,
        source: object === engine ? objects.source : undefined,
      })),
    ...(objects.parents ?? []).filter(p => p.object !== objects.kustomization),
  ];
  for (const { object, source } of chain) {
    const ready = condition(object, 'Ready');
    if (object.spec?.suspend === true) {
      add(
        'Suspended',
        'warning',
        object === engine
          ? `${describeObject(object)} is suspended`
          : `${describeObject(
              object,
            )} (which applies this service) is suspended: changes in Git are not applied`,
        object,
      );
      continue;
    }
    if (ready?.status === 'False' && FLUX_FAILURES.includes(ready.reason)) {
      add(
        'SyncFailed',
        'error',
        `${ready.reason}: ${ready.message ?? ''}`.trim(),
        object,
      );
    }
    const stale = staleFluxReconcile(object, source, context);
    if (stale) add('StaleReconcile', 'warning', stale, object);
  }
  const sourceReady = condition(objects.source, 'Ready');
  if (objects.source && sourceReady?.status === 'False') {
    add(
      'SourceNotReady',
      'error',
      `${sourceReady.reason ?? 'NotReady'}: ${
        sourceReady.message ?? ''
      }`.trim(),
      objects.source,
    );
  }
}

/** At most this many findings per severity (`policy.supplyChain.maxVulnerabilities`). */
export type VulnerabilityLimits = Partial<
  Record<'critical' | 'high' | 'medium' | 'low', number>
>;

const BY_SEVERITY = ['critical', 'high', 'medium', 'low'] as const;

/**
 * Vulnerable (a warning: findings in the workload's VulnerabilityReports over the
 * environment's limits, naming the top one, its package and fixed version) and
 * PolicyViolation (an error: failed rules of its PolicyReports, naming the policy, rule and
 * message), from its live security reports. Without limits no finding is a problem: the
 * evidence line still shows them.
 */
export function securityProblems(
  security: LiveSecurity | undefined,
  limits: VulnerabilityLimits | null = null,
): Problem[] {
  const problems: Problem[] = [];
  const vulnerabilities = security?.vulnerabilities;
  const over =
    limits && vulnerabilities
      ? BY_SEVERITY.filter(
          s => limits[s] !== undefined && vulnerabilities[s] > limits[s]!,
        )
      : [];
  if (vulnerabilities && over.length > 0) {
    const worst = over[0].toUpperCase();
    const top = vulnerabilities.top.find(v => v.severity === worst);
    const count = `${vulnerabilities[over[0]]} ${over[0]} ${
      vulnerabilities[over[0]] === 1 ? 'vulnerability' : 'vulnerabilities'
    }`;
    const scanner = ` (${
      vulnerabilities.scanner ? `${vulnerabilities.scanner}; ` : ''
    }at most ${limits![over[0]]} allowed)`;
    const what = top
      ? `${top.id} in ${top.package ?? 'a package'}${
          top.installedVersion ? ` ${top.installedVersion}` : ''
        }, ${
          top.fixedVersion
            ? `fixed in ${top.fixedVersion}`
            : 'no fixed version yet'
        }`
      : `see ${vulnerabilities.object ?? 'the VulnerabilityReport'}`;
    let hint = HINTS.Vulnerable;
    if (top?.package && top.fixedVersion) {
      hint = `Rebuild with ${top.package} ≥ ${top.fixedVersion}, or promote a fixed version.`;
    } else if (top?.package) {
      hint = `No fixed version of ${top.package} yet: promote a version without it, or mitigate until a fix is out.`;
    }
    problems.push({
      type: 'Vulnerable',
      severity: 'warning',
      message: `${count}${scanner}: ${what}`,
      hint,
      object: vulnerabilities.object ?? null,
    });
  }
  const failures = security?.policies?.failures ?? [];
  if (failures.length > 0) {
    const [first] = failures;
    const rule = first.rule ? `${first.policy}/${first.rule}` : first.policy;
    const more =
      failures.length > 1 ? ` (and ${failures.length - 1} more)` : '';
    problems.push({
      type: 'PolicyViolation',
      severity: 'error',
      message: `${rule}: ${first.message}${more}`,
      hint: `Change the workload to meet policy ${first.policy} (the rule's message says how), or agree an exception with the policy's owners.`,
      object: first.resource ?? null,
    });
  }
  return problems;
}

/** Events older than this describe a past incident, not the current state. */
const RECENT_EVENT_MS = 30 * 60 * 1000;

/** Recent enough to describe the current state (an unknown time counts as recent). */
function isRecent(
  event: KubeObject,
  now: Date,
  horizon: TimeHorizon | undefined,
): boolean {
  const time = eventLastSeen(event);
  return (
    !Number.isFinite(time) ||
    !overdue(now.getTime(), time, RECENT_EVENT_MS, horizon)
  );
}
