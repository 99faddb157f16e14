import {
  internedCopy,
  shareParts,
} from '@gitops-backstage/plugin-gitops-repository';
import { KindKey, KubeObject } from './kinds';
import { slimAnalysisRun, slimCanary, slimRollout } from './slimProgressive';
import {
  slimPolicyReport,
  slimReportLabels,
  slimVulnerabilityReport,
} from './slimReports';

/** Warning events older than this are not kept: they describe incidents long over. */
export const EVENT_RETENTION_MS = 60 * 60 * 1000;

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

const POD_CONDITIONS_READ = new Set(['Ready', 'PodScheduled']);

/**
 * Keeps only what the plugin reads of a watched object, before the cache stores it: a fleet
 * of pods with managedFields, full container specs and IPs costs hundreds of MiB for nothing.
 * Trims the object in place (it comes fresh from the API response) and returns a copy of
 * what is left (see internedCopy for why a copy), whose parts below the top level are shared
 * with other objects of the same content and frozen: never written by readers.
 */
export function slimObject(kind: KindKey, object: KubeObject): KubeObject {
  if (object.metadata) object.metadata = slimMetadata(kind, object.metadata);
  if (kind === 'pods') {
    const spec = object.spec ?? {};
    object.spec = {
      containers: (spec.containers ?? []).map((c: any) => ({
        name: c.name,
        image: c.image,
      })),
      // Only claims are read (a pod waiting on a volume).
      volumes: (spec.volumes ?? []).filter(
        (v: any) => v?.persistentVolumeClaim,
      ),
    };
    const status = object.status ?? {};
    object.status = {
      phase: status.phase,
      // Ready (the ready count) and PodScheduled (Unschedulable) are the ones read.
      conditions: status.conditions
        ?.filter((c: any) => POD_CONDITIONS_READ.has(c?.type))
        .map(slimCondition),
      containerStatuses: status.containerStatuses?.map(slimContainerStatus),
      initContainerStatuses:
        status.initContainerStatuses?.map(slimContainerStatus),
    };
  }
  if (kind === 'applications' && object.status) {
    // Argo CD's status repeats the sources (comparedTo, syncResult, ten history entries) and
    // lists every managed object: the roll-up, the conditions and the last operation count.
    const status = object.status;
    const operation = status.operationState;
    object.status = {
      sync: status.sync && {
        status: status.sync.status,
        revision: status.sync.revision,
        revisions: status.sync.revisions,
      },
      health: status.health,
      conditions: status.conditions,
      reconciledAt: status.reconciledAt,
      // When each revision was deployed (Argo CD keeps ten): dates for the deployment ledger.
      history: Array.isArray(status.history)
        ? status.history.map((h: any) => ({
            revision: h?.revision,
            deployedAt: h?.deployedAt,
          }))
        : undefined,
      operationState: operation && {
        phase: operation.phase,
        message: operation.message,
        startedAt: operation.startedAt,
        finishedAt: operation.finishedAt,
        syncResult: operation.syncResult && {
          revision: operation.syncResult.revision,
          revisions: operation.syncResult.revisions,
        },
      },
    };
  }
  if (kind === 'deployments' && object.spec?.template?.spec) {
    const podSpec = object.spec.template.spec;
    object.spec.template = {
      metadata: { labels: object.spec.template.metadata?.labels },
      spec: {
        containers: (podSpec.containers ?? []).map((c: any) => ({
          name: c.name,
          image: c.image,
          resources: c.resources,
        })),
      },
    };
  }
  if (kind === 'vulnerabilityreports') slimVulnerabilityReport(object);
  if (kind === 'policyreports') slimPolicyReport(object);
  if (kind === 'rollouts') slimRollout(object);
  if (kind === 'analysisruns') slimAnalysisRun(object);
  if (kind === 'canaries') slimCanary(object);
  // Parts repeat across a fleet's objects (labels, containers, specs): kept once, frozen.
  // The metadata names the object: only its parts are shared.
  return shareParts(internedCopy(object), ['metadata']);
}

/**
 * The metadata the plugin reads, as a new object. Deleting properties instead would turn each
 * object's metadata into a hash table, several times its size, for thousands of pods.
 */
function slimMetadata(kind: KindKey, meta: Record<string, any>) {
  let annotations = meta.annotations;
  let labels = meta.labels;
  if (kind === 'vulnerabilityreports' || kind === 'policyreports') {
    // Reports are found by what they are about (their Trivy labels, their scope).
    annotations = undefined;
    labels = slimReportLabels(kind, labels);
  } else if (kind === 'pods') {
    // Pods are found by labels; their annotations (sidecar injectors, scrapers) are not read.
    annotations = undefined;
  } else if (annotations?.[LAST_APPLIED]) {
    const { [LAST_APPLIED]: _dropped, ...rest } = annotations;
    annotations = rest;
  }
  // Flux objects keep when each writer last wrote (not what): a spec change not observed for
  // three intervals is how a stalled controller shows (StaleReconcile).
  const managedFields =
    (kind === 'kustomizations' || kind === 'helmreleases') &&
    Array.isArray(meta.managedFields)
      ? meta.managedFields.map((f: any) => ({
          manager: f?.manager,
          operation: f?.operation,
          time: f?.time,
          ...(f?.subresource ? { subresource: f.subresource } : {}),
        }))
      : undefined;
  // An AnalysisRun is found by the Rollout that owns it; Flagger's primary Deployment is
  // told from the service's own by its owner, the Canary.
  const ownerReferences =
    (kind === 'analysisruns' || kind === 'deployments') &&
    Array.isArray(meta.ownerReferences)
      ? meta.ownerReferences.map((o: any) => ({
          apiVersion: o?.apiVersion,
          kind: o?.kind,
          name: o?.name,
          uid: o?.uid,
          controller: o?.controller,
        }))
      : undefined;
  // A pod's uid and creation time are read by nothing, and are two strings per pod.
  const pod = kind === 'pods';
  const kept: Array<[string, unknown]> = [
    ['name', meta.name],
    ['namespace', meta.namespace],
    ['uid', pod ? undefined : meta.uid],
    ['resourceVersion', meta.resourceVersion],
    ['generation', meta.generation],
    ['creationTimestamp', pod ? undefined : meta.creationTimestamp],
    ['deletionTimestamp', meta.deletionTimestamp],
    ['labels', labels],
    ['annotations', annotations],
    ['managedFields', managedFields],
    ['ownerReferences', ownerReferences],
  ];
  // Added in one order, absent ones left out: objects of one shape share their layout.
  const slim: Record<string, any> = {};
  for (const [key, value] of kept) if (value !== undefined) slim[key] = value;
  return slim;
}

/**
 * Of a pod condition, what says whether and why it holds, not since when: nothing reads a
 * pod's times, and a time of its own is what made each of 90,000 pods keep its own status
 * (a pod's status is otherwise the same as its siblings', and kept once: see shareParts).
 */
function slimCondition(condition: any) {
  return {
    type: condition?.type,
    status: condition?.status,
    reason: condition?.reason,
    message: condition?.message,
  };
}

/** Of a container status, what the diagnosis and the counts read (not ids, mounts nor times). */
function slimContainerStatus(status: any) {
  return {
    name: status?.name,
    image: status?.image,
    ready: status?.ready,
    started: status?.started,
    restartCount: status?.restartCount,
    state: slimContainerState(status?.state),
    lastState: slimContainerState(status?.lastState),
  };
}

const CONTAINER_STATES = ['waiting', 'running', 'terminated'];
const CONTAINER_STATE_FIELDS = ['reason', 'message', 'exitCode'];

/**
 * A container state (`waiting`, `running` or `terminated`) with what the diagnosis reads: the
 * reason, message and exit code, without start and finish times or the container's id.
 */
function slimContainerState(state: any) {
  if (!state || typeof state !== 'object') return state;
  const slim: Record<string, unknown> = {};
  for (const name of CONTAINER_STATES) {
    const detail = state[name];
    if (!detail || typeof detail !== 'object') continue;
    const kept: Record<string, unknown> = {};
    for (const field of CONTAINER_STATE_FIELDS)
      if (detail[field] !== undefined) kept[field] = detail[field];
    slim[name] = kept;
  }
  return slim;
}

/** When an event last happened: core/v1 events use lastTimestamp, events.k8s.io ones a series. */
export function eventLastSeen(event: KubeObject): number {
  return Date.parse(
    event.series?.lastObservedTime ??
      event.lastTimestamp ??
      event.eventTime ??
      event.metadata?.creationTimestamp ??
      '',
  );
}

/** A Warning event last seen too long ago to describe the current state. */
export function isExpiredEvent(event: KubeObject, now: number): boolean {
  const time = eventLastSeen(event);
  return Number.isFinite(time) && now - time > EVENT_RETENTION_MS;
}
