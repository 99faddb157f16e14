import {
  ClusterObjects,
  KindKey,
  KubeObject,
  matchesLabelSelector,
} from './kinds';

/**
 * The keys an object is found under, so a view looks up its service's objects instead of
 * scanning every object of the kind (a fleet view would otherwise cost N × all objects):
 * `name:<ns>/<name>` for every kind, `label:<k>=<v>` for engine objects, plus where an engine
 * object deploys to (`dest:` / `target:`) and the path a Kustomization applies (`path:`).
 */
export function indexKeys(kind: KindKey, object: KubeObject): string[] {
  const meta = object.metadata ?? {};
  const keys = [`name:${meta.namespace ?? ''}/${meta.name}`];
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
  return keys;
}

/** `./apps/x/` and `apps/x` are the same Kustomization path. */
export function normalizePath(value: unknown): string {
  return String(value ?? '')
    .replace(/^\.\//, '')
    .replace(/\/+$/, '');
}

/** The key that narrows a label selector most cheaply: its first `k=v` term. */
export function selectorKey(selector: string): string | undefined {
  const term = selector
    .split(',')
    .map(t => t.trim())
    .find(t => /^[^!=]+==?[^=]*$/.test(t));
  if (!term) return undefined;
  const [key, value] = term.split(/==?/).map(part => part.trim());
  return `label:${key}=${value}`;
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

/** Objects by index key, kept current from an informer's add, update and delete callbacks. */
export class ObjectIndex {
  private readonly byKey = new Map<string, Map<string, KubeObject>>();
  private readonly keysOf = new Map<string, string[]>();

  constructor(private readonly kind: KindKey) {}

  put(object: KubeObject) {
    const id = idOf(object);
    this.remove(object);
    const keys = indexKeys(this.kind, object);
    this.keysOf.set(id, keys);
    for (const key of keys) {
      let bucket = this.byKey.get(key);
      if (!bucket) {
        bucket = new Map();
        this.byKey.set(key, bucket);
      }
      bucket.set(id, object);
    }
  }

  remove(object: KubeObject) {
    const id = idOf(object);
    for (const key of this.keysOf.get(id) ?? []) {
      const bucket = this.byKey.get(key);
      bucket?.delete(id);
      if (bucket?.size === 0) this.byKey.delete(key);
    }
    this.keysOf.delete(id);
  }

  get(key: string): KubeObject[] {
    const bucket = this.byKey.get(key);
    return bucket ? [...bucket.values()] : [];
  }
}

function idOf(object: KubeObject) {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name}`;
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
