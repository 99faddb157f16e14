import {
  ClusterObjects,
  KindKey,
  KubeObject,
  matchesLabelSelector,
  parseLabelSelector,
} from './kinds';

/**
 * The keys an object is found under, so a view looks up its service's objects instead of
 * scanning every object of the kind (a fleet view would otherwise cost N × all objects):
 * `name:<ns>/<name>` for every kind, `label:<k>=<v>` for engine objects, plus where an engine
 * object deploys to (`dest:` / `target:`) and the path a Kustomization applies (`path:`); an
 * AnalysisRun's owners (`owner:`, `owner-uid:`) and a Canary's target (`targetRef:`).
 */
export function indexKeys(kind: KindKey, object: KubeObject): string[] {
  const meta = object.metadata ?? {};
  // First: the name key, which is also the object's id in an ObjectIndex.
  const keys = [nameKey(object)];
  if (
    kind === 'applications' ||
    kind === 'kustomizations' ||
    kind === 'helmreleases'
  ) {
    for (const [key, value] of Object.entries(meta.labels ?? {})) {
      keys.push(`label:${key}=${value}`);
    }
  }
  if (kind === 'applications') {
    // Apps are named without their namespace in annotations and tracking ids.
    keys.push(`app:${meta.name}`);
    if (object.spec?.destination?.namespace) {
      keys.push(`dest:${object.spec.destination.namespace}`);
    }
  }
  if (kind === 'kustomizations') {
    if (object.spec?.path) keys.push(`path:${normalizePath(object.spec.path)}`);
    if (object.spec?.targetNamespace) {
      keys.push(`target:${object.spec.targetNamespace}`);
    }
  }
  if (kind === 'helmreleases') {
    keys.push(`target:${object.spec?.targetNamespace ?? meta.namespace}`);
  }
  // Image automation is found from the service's image, then from one object to the next.
  if (kind === 'imagerepositories' && object.spec?.image) {
    keys.push(`image:${normalizeImage(object.spec.image)}`);
  }
  if (kind === 'imagepolicies' && object.spec?.imageRepositoryRef?.name) {
    const ref = object.spec.imageRepositoryRef;
    keys.push(`repo:${ref.namespace ?? meta.namespace ?? ''}/${ref.name}`);
  }
  // Reports are found from the objects they are about (see securityReports.ts).
  if (kind === 'vulnerabilityreports') {
    const about = trivyResourceKey(object);
    if (about) keys.push(about);
  }
  if (kind === 'policyreports') keys.push(...policyReportKeys(object));
  // AnalysisRuns are found from the Rollout that started them, Canaries from their target.
  if (kind === 'analysisruns') {
    for (const owner of meta.ownerReferences ?? []) {
      if (owner?.uid) keys.push(ownerUidKey(owner.uid));
      if (owner?.kind && owner?.name) {
        keys.push(ownerKey(meta.namespace ?? '', owner.kind, owner.name));
      }
    }
  }
  if (kind === 'canaries') {
    const ref = object.spec?.targetRef;
    if (ref?.kind && ref?.name) {
      keys.push(targetRefKey(meta.namespace ?? '', ref.kind, ref.name));
    }
  }
  return keys;
}

/** The key of objects owned by the object of this uid (`ownerReferences[].uid`). */
export function ownerUidKey(uid: string) {
  return `owner-uid:${uid}`;
}

/** The key of objects owned by `<Kind> <namespace>/<name>` (owners share the namespace). */
export function ownerKey(namespace: string, kind: string, name: string) {
  return `owner:${namespace}/${kind}/${name}`;
}

/** The key of a Flagger Canary whose `spec.targetRef` is `<Kind> <namespace>/<name>`. */
export function targetRefKey(namespace: string, kind: string, name: string) {
  return `targetRef:${namespace}/${kind}/${name}`;
}

/** The key of the object a report is about: `about:<namespace>/<Kind>/<name>`. */
export function aboutKey(namespace: string, kind: string, name: string) {
  return `about:${namespace}/${kind}/${name}`;
}

/** What Trivy Operator labels a VulnerabilityReport with: the workload it scanned. */
function trivyResourceKey(object: KubeObject): string | undefined {
  const labels = object.metadata?.labels ?? {};
  const kind = labels['trivy-operator.resource.kind'];
  const name = labels['trivy-operator.resource.name'];
  if (!kind || !name) return undefined;
  const namespace =
    labels['trivy-operator.resource.namespace'] ??
    object.metadata?.namespace ??
    '';
  return aboutKey(namespace, kind, name);
}

/** A PolicyReport's scope, and the resources its results name (one report per namespace). */
function policyReportKeys(object: KubeObject): string[] {
  const own = object.metadata?.namespace ?? '';
  const keys = new Set<string>();
  const add = (ref: any) => {
    if (ref?.kind && ref?.name) {
      keys.add(aboutKey(ref.namespace ?? own, ref.kind, ref.name));
    }
  };
  add(object.scope);
  for (const result of object.results ?? []) {
    for (const resource of result?.resources ?? []) add(resource);
  }
  return [...keys];
}

/**
 * An image repository the way registries mean it: `nginx`, `docker.io/nginx` and
 * `index.docker.io/library/nginx` are one image; a tag or digest is not part of it.
 */
export function normalizeImage(value: unknown): string {
  let image = String(value ?? '')
    .trim()
    .toLowerCase();
  image = image.replace(/@.*$/, '');
  const lastColon = image.lastIndexOf(':');
  // A colon after the last slash starts a tag; one before it is a registry's port.
  if (lastColon > image.lastIndexOf('/')) image = image.slice(0, lastColon);
  const parts = image.split('/');
  const hasHost = parts.length > 1 && /[.:]|^localhost$/.test(parts[0] ?? '');
  if (!hasHost) parts.unshift('docker.io');
  if (parts[0] === 'index.docker.io') parts[0] = 'docker.io';
  if (parts[0] === 'docker.io' && parts.length === 2) {
    parts.splice(1, 0, 'library');
  }
  return parts.join('/');
}

/** `./apps/x/` and `apps/x` are the same Kustomization path. */
export function normalizePath(value: unknown): string {
  return String(value ?? '')
    .replace(/^\.\//, '')
    .replace(/\/+$/, '');
}

/** The key that narrows a label selector most cheaply: its first `k=v` term. */
export function selectorKey(selector: string): string | undefined {
  const term = parseLabelSelector(selector).find(t => t.op === '=');
  return term ? `label:${term.key}=${term.value}` : undefined;
}

/** Objects of a kind by label selector, through the index when the selector has a `k=v` term. */
export function selectByLabels(
  lookup: (key: string) => readonly KubeObject[],
  scan: () => readonly KubeObject[],
  selector: string,
): KubeObject[] {
  const key = selectorKey(selector);
  const candidates = key ? lookup(key) : scan();
  return candidates.filter(o =>
    matchesLabelSelector(selector, o.metadata?.labels),
  );
}

/** How every name key begins (see {@link nameKey}). */
const NAME_PREFIX = 'name:';

/**
 * A kind's objects as its informers listed and watched them: by namespace and name (the
 * store, and what a relist is compared with), and under every other index key. No other copy
 * is kept: 170,000 objects at 10,000 services. Most keys name one object: a key holds that
 * object itself, and a Set only once a second object shares it.
 */
export class ObjectIndex {
  /** Every object, by namespace and name. Keys are the objects' own strings. */
  private readonly byNamespace = new Map<string, Map<string, KubeObject>>();
  /** Objects under each index key but the name key, which {@link byNamespace} answers. */
  private readonly byKey = new Map<string, KubeObject | Set<KubeObject>>();
  private count = 0;
  /**
   * When each key, namespace (`ns:<namespace>`) and the whole kind (`*`) last changed, on a
   * clock of this index; a key with no object has none. A view computed from some reads is
   * still current while the versions of those reads are the same (see {@link version}).
   * Index keys are entered when first read: most are never read (a pod is read through its
   * namespace, not its name), and 90,000 pods would otherwise each keep an entry.
   */
  private readonly versions = new Map<string, number>();
  private clock = 0;

  constructor(private readonly kind: KindKey) {}

  /** Objects held (read by the metrics at collection time, so it must not scan). */
  get size(): number {
    return this.count;
  }

  put(object: KubeObject) {
    const namespace = namespaceOf(object);
    const name = nameOf(object);
    const old = this.byNamespace.get(namespace)?.get(name);
    const version = object.metadata?.resourceVersion;
    // The same version of an object already held: a relist, or the list of a slot made again.
    // Nothing a read returns changed, so no version moves; otherwise every view and pass of
    // the fleet would count as changed.
    if (old && version && old.metadata?.resourceVersion === version) return;
    if (old) this.unindex(old);
    else this.count += 1;
    let names = this.byNamespace.get(namespace);
    if (!names) {
      names = new Map();
      this.byNamespace.set(namespace, names);
    }
    names.set(name, object);
    const keys = indexKeys(this.kind, object);
    this.touch(object, keys);
    for (let i = 1; i < keys.length; i++) {
      const key = keys[i];
      const bucket = this.byKey.get(key);
      if (bucket === undefined) this.byKey.set(key, object);
      else if (bucket instanceof Set) bucket.add(object);
      else this.byKey.set(key, new Set([bucket, object]));
    }
  }

  remove(object: KubeObject) {
    const namespace = namespaceOf(object);
    const names = this.byNamespace.get(namespace);
    const old = names?.get(nameOf(object));
    if (!names || !old) return;
    names.delete(nameOf(old));
    if (names.size === 0) this.byNamespace.delete(namespace);
    this.count -= 1;
    this.unindex(old);
  }

  /**
   * After a list of `namespace` (null: of every namespace): what the list lacks was deleted
   * while no watch was open, and goes; what it has is put. Returns the number removed.
   */
  relisted(namespace: string | null, items: readonly KubeObject[]): number {
    const listed = new Map<string, Set<string>>();
    for (const item of items) {
      const ns = namespaceOf(item);
      let names = listed.get(ns);
      if (!names) listed.set(ns, (names = new Set()));
      names.add(nameOf(item));
    }
    let removed = 0;
    for (const object of this.heldIn(namespace)) {
      if (listed.get(namespaceOf(object))?.has(nameOf(object))) continue;
      this.remove(object);
      removed += 1;
    }
    for (const item of items) this.put(item);
    return removed;
  }

  /** Removes the objects of `namespace` (null: all): their informer was stopped for good. */
  clear(namespace: string | null) {
    for (const object of this.heldIn(namespace)) this.remove(object);
  }

  /** The objects of one namespace; of all when `namespace` is empty or absent. */
  list(namespace?: string): KubeObject[] {
    if (namespace)
      return [...(this.byNamespace.get(namespace)?.values() ?? [])];
    const all: KubeObject[] = [];
    for (const names of this.byNamespace.values()) {
      for (const object of names.values()) all.push(object);
    }
    return all;
  }

  /** Objects held in `namespace` (null: in all). */
  sizeOf(namespace: string | null): number {
    if (namespace === null) return this.count;
    return this.byNamespace.get(namespace)?.size ?? 0;
  }

  get(key: string): KubeObject[] {
    const named = this.named(key);
    if (named !== undefined) return named ? [named] : [];
    const bucket = this.byKey.get(key);
    if (bucket === undefined) return [];
    return bucket instanceof Set ? [...bucket] : [bucket];
  }

  /**
   * The version of what a read returns: of an index key, of a namespace (`ns:<namespace>`) or
   * of the whole kind (`*`). Changes whenever the read's answer may have; 0 for a key that
   * holds nothing.
   */
  version(key: string): number {
    const known = this.versions.get(key);
    if (known !== undefined) return known;
    const named = this.named(key);
    if (named === undefined ? !this.byKey.has(key) : !named) return 0;
    // Held but never read: it last changed at the latest now. Entered, a change moves it.
    this.versions.set(key, this.clock);
    return this.clock;
  }

  /** A copy of the objects held in `namespace` (null: in all), safe to remove from while read. */
  private heldIn(namespace: string | null): KubeObject[] {
    if (namespace !== null) {
      return [...(this.byNamespace.get(namespace)?.values() ?? [])];
    }
    return this.list();
  }

  /**
   * The object of a name key (`name:<namespace>/<name>`), null when none is held; undefined
   * for any other key. Neither a namespace nor a name holds a slash.
   */
  private named(key: string): KubeObject | null | undefined {
    if (!key.startsWith(NAME_PREFIX)) return undefined;
    const slash = key.indexOf('/', NAME_PREFIX.length);
    if (slash < 0) return null;
    return (
      this.byNamespace
        .get(key.slice(NAME_PREFIX.length, slash))
        ?.get(key.slice(slash + 1)) ?? null
    );
  }

  /** Takes a held object out of the keys it was put under (it changed, or it went). */
  private unindex(old: KubeObject) {
    const keys = indexKeys(this.kind, old);
    this.touch(old, keys);
    // No object, no version: reads made while the name key was empty hold again.
    this.versions.delete(keys[0]);
    for (let i = 1; i < keys.length; i++) {
      const key = keys[i];
      const bucket = this.byKey.get(key);
      if (bucket instanceof Set) {
        bucket.delete(old);
        if (bucket.size === 1)
          this.byKey.set(key, bucket.values().next().value!);
      } else if (bucket === old) {
        this.byKey.delete(key);
        this.versions.delete(key);
      }
    }
  }

  private touch(object: KubeObject, keys: string[]) {
    this.clock += 1;
    this.versions.set('*', this.clock);
    this.versions.set(`ns:${namespaceOf(object)}`, this.clock);
    for (const key of keys) {
      if (this.versions.has(key)) this.versions.set(key, this.clock);
    }
  }
}

/** An object's name key, the first of {@link indexKeys}: its id in an ObjectIndex. */
function nameKey(object: KubeObject) {
  return `${NAME_PREFIX}${namespaceOf(object)}/${nameOf(object)}`;
}

/** An object's namespace; '' for a cluster-scoped object. */
function namespaceOf(object: KubeObject): string {
  return object.metadata?.namespace ?? '';
}

/** An object's name as the index keys it (a missing name is the string `undefined`). */
function nameOf(object: KubeObject): string {
  return `${object.metadata?.name}`;
}

/** Objects of a kind under an index key: the cluster's index, or a scan where it has none. */
export function findByKey(
  cluster: ClusterObjects,
  kind: KindKey,
  key: string,
): readonly KubeObject[] {
  if (cluster.lookup) return cluster.lookup(kind, key);
  return cluster.list(kind).filter(o => indexKeys(kind, o).includes(key));
}

/** Objects of a kind matching a label selector, optionally in one namespace. */
export function findByLabels(
  cluster: ClusterObjects,
  kind: KindKey,
  selector: string,
  namespace?: string,
): KubeObject[] {
  return selectByLabels(
    key => findByKey(cluster, kind, key),
    () => cluster.list(kind, namespace),
    selector,
  ).filter(o => !namespace || o.metadata?.namespace === namespace);
}
