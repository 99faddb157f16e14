import maxSatisfying from 'semver/ranges/max-satisfying';
import { DemoRegistry } from './DemoRegistry';
import { keepTransitionTimes } from './engineStatus';
import { KubeObject, ObjectStore } from './ObjectStore';

/*
 * DEMO ONLY. Plays Flux's image-reflector-controller (ImageRepository, ImagePolicy) and
 * image-automation-controller (ImageUpdateAutomation), `image.toolkit.fluxcd.io/v1`, against
 * the demo registry. Only statuses are written: the automation never commits. That is what the
 * real controller would do here too: the example repository's files carry no setter markers
 * (`# {"$imagepolicy": …}`), so there is nothing for it to update ("repository up-to-date").
 */

/** The exclusion list image-reflector-controller applies when `spec.exclusionList` is unset. */
const DEFAULT_EXCLUSIONS = ['^.*\\.sig$'];

/** One pass of the image controllers at `now` (the demo's clock). */
export function reconcileImageAutomation(
  store: ObjectStore,
  registry: DemoRegistry,
  now: Date,
): void {
  for (const repository of store.list('imagerepositories')) {
    if (!due(repository, repository.status?.lastScanResult?.scanTime, now))
      continue;
    store.put(
      'imagerepositories',
      withImageRepositoryStatus(repository, registry, now),
    );
  }
  for (const policy of store.list('imagepolicies')) {
    if (policy.spec?.suspend === true) continue;
    const ref = policy.spec?.imageRepositoryRef ?? {};
    const repository = store.get(
      'imagerepositories',
      ref.namespace ?? policy.metadata.namespace!,
      ref.name,
    );
    store.put(
      'imagepolicies',
      withImagePolicyStatus(policy, repository, registry, now),
    );
  }
  for (const automation of store.list('imageupdateautomations')) {
    if (!due(automation, automation.status?.lastAutomationRunTime, now))
      continue;
    const ref = automation.spec?.sourceRef ?? {};
    const source = store.get(
      'gitrepositories',
      ref.namespace ?? automation.metadata.namespace!,
      ref.name,
    );
    const policies = store
      .list('imagepolicies', automation.metadata.namespace)
      .filter(p => selects(automation.spec?.policySelector, p));
    store.put(
      'imageupdateautomations',
      withImageUpdateAutomationStatus(automation, source, policies, now),
    );
  }
}

/** An ImageRepository after a scan of the demo registry at `now`. */
export function withImageRepositoryStatus(
  repository: KubeObject,
  registry: DemoRegistry,
  now: Date,
): KubeObject {
  const image = String(repository.spec?.image ?? '');
  const exclusions: string[] =
    repository.spec?.exclusionList ?? DEFAULT_EXCLUSIONS;
  const tags = scannedTags(repository, registry);
  return withStatus(repository, now, {
    ...(tags
      ? ready('True', 'Succeeded', `successful scan: found ${tags.length} tags`)
      : ready(
          'False',
          'ReadOperationFailed',
          `GET https://${image.replace(
            '/',
            '/v2/',
          )}/tags/list: NAME_UNKNOWN: not in the demo registry`,
        )),
    canonicalImageName: canonicalName(image),
    ...(tags
      ? {
          lastScanResult: {
            tagCount: tags.length,
            scanTime: now.toISOString(),
            // The controller keeps the ten last tags in reverse alphabetical order.
            latestTags: [...tags].sort().reverse().slice(0, 10),
          },
        }
      : { lastScanResult: repository.status?.lastScanResult }),
    observedExclusionList: exclusions,
  });
}

/** An ImagePolicy choosing from its repository's scanned tags. */
export function withImagePolicyStatus(
  policy: KubeObject,
  repository: KubeObject | undefined,
  registry: DemoRegistry,
  now: Date,
): KubeObject {
  const image = String(repository?.spec?.image ?? '');
  const scanned =
    repository?.status?.lastScanResult && scannedTags(repository, registry);
  const tag = scanned ? latestTag(policy, scanned) : null;
  const previous = policy.status?.latestRef;
  const latestRef = tag ? { name: image, tag } : undefined;
  const changed = previous && latestRef && previous.tag !== latestRef.tag;
  let condition = ready(
    'False',
    'ReconciliationFailed',
    'unable to determine latest version from provided list',
  );
  if (latestRef) {
    condition = ready(
      'True',
      'Succeeded',
      `Latest image tag for ${image} resolved to ${tag}`,
    );
  } else if (!scanned) {
    condition = ready(
      'False',
      'DependencyNotReady',
      `referenced ImageRepository '${policy.spec?.imageRepositoryRef?.name}' is not ready`,
    );
  }
  const observedPreviousRef = changed
    ? previous
    : policy.status?.observedPreviousRef;
  return withStatus(policy, now, {
    ...condition,
    ...(latestRef ? { latestRef } : {}),
    ...(observedPreviousRef ? { observedPreviousRef } : {}),
  });
}

/** An ImageUpdateAutomation after a run that found nothing to change (no push: no push fields). */
export function withImageUpdateAutomationStatus(
  automation: KubeObject,
  source: KubeObject | undefined,
  policies: KubeObject[],
  now: Date,
): KubeObject {
  const revision = source?.status?.artifact?.revision;
  return withStatus(automation, now, {
    ...(source
      ? ready('True', 'Succeeded', 'repository up-to-date')
      : ready(
          'False',
          'SourceNotFound',
          `GitRepository.source.toolkit.fluxcd.io "${automation.spec?.sourceRef?.name}" not found`,
        )),
    ...(source ? { lastAutomationRunTime: now.toISOString() } : {}),
    ...(revision ? { observedSourceRevision: revision } : {}),
    observedPolicies: Object.fromEntries(
      policies
        .filter(p => p.status?.latestRef)
        .map(p => [p.metadata.name, p.status!.latestRef]),
    ),
    // A push the demo never makes: keep what an earlier (seeded) status had.
    ...pick(automation.status, ['lastPushCommit', 'lastPushTime']),
  });
}

/** The tag a policy picks: semver's highest in range, or alphabetical / numerical order. */
export function latestTag(policy: KubeObject, tags: string[]): string | null {
  const choice = policy.spec?.policy ?? {};
  const pattern = policy.spec?.filterTags?.pattern;
  const allowed = pattern
    ? tags.filter(t => new RegExp(pattern).test(t))
    : tags;
  if (choice.semver?.range) {
    return maxSatisfying(allowed, choice.semver.range, { loose: true });
  }
  const order = choice.alphabetical?.order ?? choice.numerical?.order ?? 'asc';
  const sorted = choice.numerical
    ? allowed.filter(t => !isNaN(Number(t))).sort((a, b) => +a - +b)
    : [...allowed].sort();
  return (order === 'asc' ? sorted.pop() : sorted[0]) ?? null;
}

/** The registry's tags minus the exclusion list; undefined when it lacks the image. */
function scannedTags(repository: KubeObject, registry: DemoRegistry) {
  const exclusions: string[] =
    repository.spec?.exclusionList ?? DEFAULT_EXCLUSIONS;
  return registry
    .tagsOf(String(repository.spec?.image ?? ''))
    ?.filter(t => !exclusions.some(e => new RegExp(e).test(t)));
}

/** `ghcr.io/acme/podinfo` stays; Docker Hub's short names get their registry, as Go's name parser does. */
function canonicalName(image: string): string {
  const [first, ...rest] = image.split('/');
  if (rest.length > 0 && /[.:]|^localhost$/.test(first)) return image;
  return `index.docker.io/${rest.length > 0 ? '' : 'library/'}${image}`;
}

/** Due on its first run, a new generation, a reconcile request, or `spec.interval` after the last. */
function due(object: KubeObject, last: string | undefined, now: Date): boolean {
  if (object.spec?.suspend === true) return false;
  const status = object.status ?? {};
  const requested =
    object.metadata.annotations?.['reconcile.fluxcd.io/requestedAt'];
  return (
    !last ||
    status.observedGeneration !== (object.metadata.generation ?? 1) ||
    (requested !== undefined && requested !== status.lastHandledReconcileAt) ||
    now.getTime() - Date.parse(last) >= durationMs(object.spec?.interval)
  );
}

/** A Go duration (`5m`, `1m30s`, `1h`) in milliseconds; a minute when unreadable. */
export function durationMs(text: string | undefined): number {
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text ?? '');
  if (!match || !text) return 60_000;
  const [h, m, s] = match.slice(1).map(v => Number(v ?? 0));
  return ((h * 60 + m) * 60 + s) * 1000;
}

function selects(
  selector: { matchLabels?: Record<string, string> } | undefined,
  policy: KubeObject,
): boolean {
  return Object.entries(selector?.matchLabels ?? {}).every(
    ([key, value]) => policy.metadata.labels?.[key] === value,
  );
}

/** A Ready condition's status, reason and message. */
interface Ready {
  ready: [status: 'True' | 'False', reason: string, message: string];
}

function ready(
  status: 'True' | 'False',
  reason: string,
  message: string,
): Ready {
  return { ready: [status, reason, message] };
}

/**
 * The object with a new status: the given fields (undefined ones dropped), its Ready
 * condition with the transition time kept while the status holds, as the controllers do.
 */
function withStatus(
  object: KubeObject,
  now: Date,
  { ready: [status, reason, message], ...fields }: Ready & Record<string, any>,
): KubeObject {
  const next = structuredClone(object);
  const generation = object.metadata.generation ?? 1;
  const requested =
    object.metadata.annotations?.['reconcile.fluxcd.io/requestedAt'];
  next.status = {
    ...Object.fromEntries(
      Object.entries(fields).filter(([, v]) => v !== undefined),
    ),
    ...(requested ? { lastHandledReconcileAt: requested } : {}),
    observedGeneration: generation,
    conditions: keepTransitionTimes(object.status?.conditions, [
      {
        type: 'Ready',
        status,
        reason,
        message,
        observedGeneration: generation,
        lastTransitionTime: now.toISOString(),
      },
    ]),
  };
  return next;
}

function pick(from: Record<string, any> | undefined, keys: string[]) {
  return Object.fromEntries(
    keys.filter(k => from?.[k] !== undefined).map(k => [k, from![k]]),
  );
}
