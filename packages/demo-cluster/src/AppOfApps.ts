import { LoggerService } from '@backstage/backend-plugin-api';
import {
  GitProvider,
  GitRepositoryRef,
} from '@gitops-backstage/plugin-gitops-node';
import {
  AppliedResource,
  SyncRecord,
  SyncView,
  withArgoStatus,
  withFluxStatus,
} from './engineStatus';
import { KubeObject, ObjectStore } from './ObjectStore';
import { argoOwnership, kustomizeOwnership, owned } from './ownership';
import { Child, ParentFolders, folderOf } from './ParentFolders';
import { RepositoryHeads, SeenHead } from './RepositoryHeads';
import { Runtime, fluxRevision, runtimeOf, withSpecOf } from './runtimes';
import { serverSideApply } from './serverSideApply';
import { removeWorkload } from './writeWorkload';

/** Argo CD deletes an Application's resources with it only when it has this finalizer. */
const ARGO_RESOURCES_FINALIZER = /^resources-finalizer\.argocd\.argoproj\.io/;

type Plural = Runtime['plural'];

/** What a parent (an app of apps, a Flux `flux-system`) applied, and its syncs. */
interface Parent {
  applied?: { revision: string; children: Map<string, Child>; at: string };
  outOfSyncSince?: number;
  /** Argo CD: its sync operations, oldest first. */
  syncs: SyncRecord[];
  statusAt: string;
}

/** Options of {@link AppOfApps}. */
export interface AppOfAppsOptions {
  store: ObjectStore;
  git: GitProvider;
  heads: RepositoryHeads;
  logger: LoggerService;
  /** How long a change shows OutOfSync before an automated sync applies it; default 2000 ms. */
  syncDelayMs?: number;
}

/**
 * DEMO ONLY. Plays Argo CD's "app of apps" and Flux's `flux-system` Kustomization: an
 * Application or Kustomization whose path is a folder of plain manifests (no kustomization
 * file, no chart — Argo CD's "directory" source; Flux generates a kustomization of every file,
 * subfolders included) holding engine objects applies those to the cluster as the controllers
 * would: created, updated when Git changes them, pruned when removed from Git (with
 * `syncPolicy.automated.prune` / `spec.prune`), labelled with their parent's ownership. The
 * demo reconciler then runs what they deploy like the seeded ones.
 */
export class AppOfApps {
  /** The parents by `<plural>/<namespace>/<name>`. */
  private readonly parents = new Map<string, Parent>();
  /** The file in Git of each applied engine object, by key: its runtime renders that file. */
  private readonly files = new Map<string, string>();
  /** Engine objects deleted with their resources (a cascading deletion), by key. */
  private readonly cascading = new Set<string>();
  /** What the parents applied in the first pass: the demo starts with those running. */
  private readonly initial = new Set<string>();
  /** The Applications and Kustomizations this pass looked at, by key. */
  private readonly seen = new Set<string>();
  private readonly folders: ParentFolders;
  /** Whether a first pass is done: what exists then is what the demo starts with. */
  private started = false;

  constructor(private readonly options: AppOfAppsOptions) {
    this.folders = new ParentFolders(options.git);
  }

  /** One pass over the Applications and Kustomizations: applies what the parents hold. */
  async reconcile(
    headOf: (repository: GitRepositoryRef) => Promise<SeenHead>,
    now: Date,
  ): Promise<void> {
    this.seen.clear();
    for (const plural of ['applications', 'kustomizations'] as const) {
      for (const engine of this.options.store.list(plural)) {
        const key = keyOf(plural, engine);
        this.seen.add(key);
        const repository = this.options.heads.repositoryOf(
          plural === 'kustomizations'
            ? engine.spec?.sourceRef?.name
            : undefined,
        );
        const { head } = await headOf(repository);
        let children: Child[] | null = null;
        let error: string | null = null;
        try {
          children = await this.folders.render(
            plural,
            engine,
            repository,
            head,
          );
        } catch (e) {
          error = `rendering ${folderOf(plural, engine)} at ${head.slice(
            0,
            7,
          )}: ${(e as Error).message}`;
        }
        // A folder without engine objects, or one that does not render, is a parent's only
        // when it was one: its error, or all its objects pruned. Otherwise the reader's.
        const isParent =
          Boolean(children?.length) ||
          (Boolean(children || error) && this.parents.has(key));
        if (!isParent) {
          this.parents.delete(key);
          continue;
        }
        // A parent pruned earlier in this pass (by its own parent) is gone.
        if (
          !this.options.store.get(
            plural,
            engine.metadata.namespace!,
            engine.metadata.name,
          )
        )
          continue;
        this.reconcileParent(plural, key, children, error, head, now);
      }
    }
  }

  /**
   * The runtimes of the Applications and Kustomizations that deploy workloads (not the
   * parents): the ones kept with their spec as the cluster has it now, new ones for objects a
   * parent created, none for objects deleted — whose workload goes with them when deleted
   * with their resources.
   */
  workloads(runtimes: Runtime[]): Runtime[] {
    const { store } = this.options;
    const before = new Map(
      runtimes.map(rt => [`${rt.plural}/${rt.namespace}/${rt.name}`, rt]),
    );
    const next: Runtime[] = [];
    for (const plural of ['applications', 'kustomizations'] as const) {
      for (const object of store.list(plural)) {
        const key = keyOf(plural, object);
        // Applied in this pass: the next one tells whether it is a parent itself.
        if (this.parents.has(key) || !this.seen.has(key)) continue;
        const known = before.get(key);
        before.delete(key);
        const rt = known
          ? withSpecOf(known, object)
          : runtimeOf(plural, object);
        rt.definitionFile ??= this.files.get(key);
        if (!known && this.started && !this.initial.has(key)) {
          rt.created = true;
          rt.generation = 0; // the first sync makes the Deployment's generation 1
        }
        next.push(rt);
      }
    }
    for (const [key, rt] of before) {
      if (!this.cascading.delete(key)) continue;
      const desired = rt.applied?.desired;
      removeWorkload(store, {
        namespace: desired?.namespace ?? rt.destination,
        name: desired?.workload ?? rt.workload,
        owner: rt.workload,
      });
      const release = rt.helmSource?.object.metadata;
      if (release)
        store.delete('helmreleases', release.namespace!, release.name);
    }
    this.started = true;
    return next;
  }

  private reconcileParent(
    plural: Plural,
    key: string,
    children: Child[] | null,
    error: string | null,
    head: string,
    now: Date,
  ) {
    const { store } = this.options;
    const engine = store.get(plural, ...nameOf(key))!;
    let parent = this.parents.get(key);
    if (!parent) {
      parent = { syncs: [], statusAt: now.toISOString() };
      this.parents.set(key, parent);
    }
    const argo = plural === 'applications';
    const requested = argo && Boolean(engine.operation);
    const wanted =
      children && new Map(children.map(c => [keyOf(c.plural, c.object), c]));
    const synced = () =>
      wanted !== null &&
      parent!.applied !== undefined &&
      sameChildren(parent!.applied.children, wanted);
    const inSync = synced();
    if (wanted && !parent.applied && !this.started) {
      // The demo starts with everything synced: the cluster as a running platform has it.
      this.apply(plural, engine, parent, wanted, head, now, true, true);
    } else if (wanted && inSync && head !== parent.applied!.revision) {
      parent.applied!.revision = head; // a commit that changes none of its objects
    } else if (wanted && !inSync) {
      parent.outOfSyncSince ??= now.getTime();
      const waited =
        now.getTime() - parent.outOfSyncSince >=
        (this.options.syncDelayMs ?? 2000);
      const automated = argo
        ? Boolean(engine.spec?.syncPolicy?.automated) &&
          engine.spec.syncPolicy.automated.enabled !== false
        : engine.spec?.suspend !== true;
      if ((automated && waited) || requested)
        this.apply(
          plural,
          engine,
          parent,
          wanted,
          head,
          now,
          false,
          !requested,
        );
    }
    const current = store.get(plural, ...nameOf(key))!;
    if (requested) delete current.operation; // the sync operation ran
    if (current.metadata.annotations?.['argocd.argoproj.io/refresh']) {
      delete current.metadata.annotations['argocd.argoproj.io/refresh'];
      parent.statusAt = now.toISOString();
    }
    // The status time moves on changes and once a minute, like a real controller's resync.
    if (now.getTime() - Date.parse(parent.statusAt) > 60_000)
      parent.statusAt = now.toISOString();
    const view: SyncView = {
      head,
      applied: parent.applied?.revision ?? head,
      inSync: synced(),
      health: 'Healthy',
      healthMessage: null,
      syncedAt: parent.applied?.at ?? now.toISOString(),
      error,
      now: new Date(parent.statusAt),
      // Flux inventories what it applied; Argo CD lists what Git has too.
      resources: this.resources(parent, argo ? wanted : null),
      images: [],
      syncs: parent.syncs,
      sourceType: 'Directory',
    };
    if (view.resources!.some(r => r.health === 'Missing'))
      view.health = 'Missing';
    store.put(
      plural,
      argo
        ? withArgoStatus(current, view)
        : withFluxStatus(current, view, fluxRevision),
    );
  }

  /** What the parent applied and what Git has now, as Argo CD lists them and Flux inventories. */
  private resources(
    parent: Parent,
    wanted: Map<string, Child> | null,
  ): AppliedResource[] {
    const applied = parent.applied?.children ?? new Map<string, Child>();
    const keys = [...new Set([...(wanted?.keys() ?? []), ...applied.keys()])];
    return keys.map(key => {
      const child = wanted?.get(key) ?? applied.get(key)!;
      const [group, version] = child.object.apiVersion.split('/');
      const exists = this.options.store.get(...splitKey(key)) !== undefined;
      return {
        group,
        version,
        kind: child.object.kind,
        namespace: child.object.metadata.namespace!,
        name: child.object.metadata.name,
        inSync:
          exists &&
          wanted?.has(key) === true &&
          JSON.stringify(applied.get(key)?.object) ===
            JSON.stringify(child.object),
        health: exists ? 'Healthy' : 'Missing',
      };
    });
  }

  private apply(
    plural: Plural,
    engine: KubeObject,
    parent: Parent,
    wanted: Map<string, Child>,
    head: string,
    now: Date,
    instant: boolean,
    automated: boolean,
  ) {
    const { store } = this.options;
    const { name, namespace } = engine.metadata;
    const argo = plural === 'applications';
    const ownership = argo
      ? argoOwnership(name)
      : kustomizeOwnership(name, namespace!);
    const before = parent.applied?.children ?? new Map<string, Child>();
    for (const [key, child] of wanted) {
      const previous = before.get(key);
      store.put(
        child.plural,
        serverSideApply(
          store.get(...splitKey(key)),
          owned(child.object, ownership),
          previous && owned(previous.object, ownership),
        ),
      );
      this.files.set(key, child.file);
      if (!this.started) this.initial.add(key);
    }
    const prune = argo
      ? Boolean(
          engine.spec?.syncPolicy?.automated?.prune ||
            engine.operation?.sync?.prune,
        )
      : engine.spec?.prune === true;
    for (const [key] of before) {
      if (!wanted.has(key) && prune) this.prune(key);
    }
    // What the demo starts with was synced an hour ago.
    const at = new Date(now.getTime() - (instant ? 3600_000 : 0)).toISOString();
    parent.applied = { revision: head, children: wanted, at };
    parent.outOfSyncSince = undefined;
    parent.statusAt = now.toISOString();
    if (argo) {
      const id = (parent.syncs[parent.syncs.length - 1]?.id ?? -1) + 1;
      parent.syncs.push({
        id,
        revision: head,
        startedAt: at,
        finishedAt: at,
        automated,
      });
      parent.syncs.splice(0, parent.syncs.length - 10); // revisionHistoryLimit
    }
    this.options.logger.info(
      `demo: ${argo ? 'Argo CD' : 'Flux'} ${name} applies ${
        wanted.size
      } engine objects at ${head.slice(0, 7)}`,
    );
  }

  /**
   * Deletes an engine object a parent no longer has. With its resources when its controller
   * would take them along: an Application with Argo CD's resources finalizer, a Kustomization
   * with `prune: true` — the objects a parent among them applied too.
   */
  private prune(key: string) {
    const { store } = this.options;
    const [plural, namespace, name] = splitKey(key);
    const current = store.get(plural, namespace, name);
    if (!current) return;
    const cascade =
      plural === 'applications'
        ? (current.metadata.finalizers ?? []).some((f: string) =>
            ARGO_RESOURCES_FINALIZER.test(f),
          )
        : plural === 'kustomizations' && current.spec?.prune === true;
    const nested = this.parents.get(key)?.applied?.children;
    if (cascade && nested) for (const child of nested.keys()) this.prune(child);
    if (cascade) this.cascading.add(key);
    this.parents.delete(key);
    this.files.delete(key);
    store.delete(plural, namespace, name);
    this.options.logger.info(
      `demo: pruned ${current.kind} ${namespace}/${name}`,
    );
  }
}

function keyOf(plural: string, object: KubeObject): string {
  return `${plural}/${object.metadata.namespace}/${object.metadata.name}`;
}

function splitKey(key: string): [string, string, string] {
  const [plural, namespace, name] = key.split('/');
  return [plural, namespace, name];
}

function nameOf(key: string): [string, string] {
  const [, namespace, name] = splitKey(key);
  return [namespace, name];
}

function sameChildren(a: Map<string, Child>, b: Map<string, Child>): boolean {
  if (a.size !== b.size) return false;
  for (const [key, child] of a) {
    const other = b.get(key);
    if (!other || JSON.stringify(other.object) !== JSON.stringify(child.object))
      return false;
  }
  return true;
}
