import { KindKey, KubeObject } from './kinds';

/** Warning events older than this are not kept: they describe incidents long over. */
export const EVENT_RETENTION_MS = 60 * 60 * 1000;

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * Keeps only what the plugin reads of a watched object, before the cache stores it: a fleet
 * of pods with managedFields, full container specs and IPs costs hundreds of MiB for nothing.
 * Changes the object in place (it comes fresh from the API response) and returns it.
 */
export function slimObject(kind: KindKey, object: KubeObject): KubeObject {
  const meta = object.metadata;
  if (meta?.managedFields) {
    // Flux objects keep when each writer last wrote (not what): a spec change not observed
    // for three intervals is how a stalled controller shows (StaleReconcile).
    meta.managedFields =
      kind === 'kustomizations' || kind === 'helmreleases'
        ? meta.managedFields.map((f: any) => ({
            manager: f?.manager,
            operation: f?.operation,
            time: f?.time,
            ...(f?.subresource ? { subresource: f.subresource } : {}),
          }))
        : undefined;
    if (!meta.managedFields) delete meta.managedFields;
  }
  if (meta) {
    if (meta.annotations?.[LAST_APPLIED]) {
      const { [LAST_APPLIED]: _dropped, ...rest } = meta.annotations;
      meta.annotations = rest;
    }
  }
  if (kind === 'pods') {
    const spec = object.spec ?? {};
    object.spec = {
      nodeName: spec.nodeName,
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
      conditions: status.conditions,
      containerStatuses: status.containerStatuses,
      initContainerStatuses: status.initContainerStatuses,
      startTime: status.startTime,
    };
  }
  if (kind === 'applications' && Array.isArray(object.status?.history)) {
    // Argo CD keeps the last ten syncs; the newest is the one that counts.
    object.status.history = object.status.history.slice(-1);
  }
  if (kind === 'deployments' && object.spec?.template?.spec) {
    const podSpec = object.spec.template.spec;
    object.spec.template.spec = {
      ...podSpec,
      containers: (podSpec.containers ?? []).map((c: any) => ({
        name: c.name,
        image: c.image,
        resources: c.resources,
      })),
    };
  }
  return object;
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
