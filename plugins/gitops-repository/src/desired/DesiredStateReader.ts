import { DesiredState } from '@gitops-backstage/plugin-gitops-common';
import { internStrings, internedCopy } from '../internStrings';
import { shareParts } from '../sharedParts';
import { LRUCache } from 'lru-cache';
import path from 'node:path';
import {
  EnvironmentConfig,
  environmentInRepository,
  fillTemplate,
} from '../environments';
import { ServiceTarget } from '../ServiceTarget';
import {
  KubernetesObject,
  buildKustomization,
  readKustomization,
  ReadRepoFile,
} from './buildKustomization';
import { readHelmChartRollout } from './helmChartRollout';
import { helmWorkloadState, mergeHelmValues } from './helmValues';
import { ManifestError, parseYamlObject } from './parseYaml';
import { extractWorkloadState } from './workloadState';
import { desiredChecks } from './checks/desiredChecks';
import { resolveDefinition } from './definitions/resolveDefinition';
import { ResolvedDefinition } from './definitions/argoApplication';
import {
  pickHelmRelease,
  resolveBuiltHelmRelease,
} from './definitions/fluxHelmRelease';

/**
 * Options of {@link DesiredStateReader.read}.
 *
 * @public
 */
export interface ReadDesiredStateOptions {
  target: ServiceTarget;
  environment: EnvironmentConfig;
  /** Commit sha to read at. */
  revision: string;
  signal?: AbortSignal;
}

/**
 * A desired state and the repository paths it was derived from.
 *
 * @public
 */
export interface DesiredStateResult {
  state: DesiredState;
  /** Folders (Kustomize) or files (Helm) whose changes can change this state. */
  inputs: string[];
  /**
   * What the state was read from, for comparisons beyond the summary: the rendered objects
   * of a Kustomize overlay, or the merged Helm values (from `readShared`: none, see
   * `summaryOnly`).
   */
  rendered:
    | { layout: 'kustomize'; objects: KubernetesObject[] }
    | { layout: 'helm'; values: Record<string, any> };
}

/**
 * Says, from Git alone, what one environment of a service should run: a Kustomize overlay
 * (`environment.overlayPath`) when it has a kustomization, otherwise the Helm chart at the
 * service path with `values.yaml` deep-merged with `environment.valuesFile`.
 *
 * Problems of the files themselves throw {@link ManifestError} with a message naming the file.
 *
 * @public
 */
export class DesiredStateReader {
  /**
   * A state at a commit never changes: page views and history walks of an unchanged
   * repository reuse it instead of parsing the same files again.
   */
  private readonly results = new LRUCache<string, Promise<DesiredStateResult>>({
    // Three environments of thousands of services: a smaller cache would evict what the
    // next fleet view needs and parse everything again.
    max: 30_000,
  });
  /** Per place (service, environment), the last state read and the files it read. */
  private readonly lastRead = new LRUCache<string, LastRead>({ max: 30_000 });
  /** Per target object and environment: where its state is read from (see `placeOf`). */
  private readonly places = new WeakMap<
    ServiceTarget,
    WeakMap<
      EnvironmentConfig,
      { environment: EnvironmentConfig; where: string }
    >
  >();
  /** The revision each shared state's files were read at (carried states keep theirs). */
  private readonly readAt = new WeakMap<object, string>();
  /** The files changed between two revisions. */
  private readonly changes = new LRUCache<
    string,
    Promise<Set<string> | undefined>
  >({ max: 200 });

  /**
   * The state with every rendered object, read afresh (from the provider's file cache) and
   * the caller's own: for a comparison or a plan, which read one place at a time. Fleet views
   * use {@link DesiredStateReader.readShared}.
   */
  async read(options: ReadDesiredStateOptions): Promise<DesiredStateResult> {
    const { environment } = this.placeOf(options.target, options.environment);
    const read = { ...options, environment };
    const reads: StateReads = { files: new Set(), folders: new Set() };
    return withChecks(await this.readUncached(read, reads), read);
  }

  /**
   * The state, cached per revision and place, shared with every other caller and frozen, for
   * readers that only look (a fleet view reads thousands). It keeps none of the rendered
   * objects or values (see `summaryOnly`); {@link DesiredStateReader.read} has them all.
   */
  async readShared(
    given: ReadDesiredStateOptions,
  ): Promise<Readonly<DesiredStateResult>> {
    const { environment, where } = this.placeOf(
      given.target,
      given.environment,
    );
    const options = { ...given, environment };
    const { revision } = options;
    const key = `${revision} ${where}`;
    // The promise is shared, so concurrent views of many entities parse each state once; it
    // runs under the providers' time-outs, not one caller's signal, which would fail the rest.
    let pending = this.results.get(key);
    if (!pending) {
      pending = this.carriedOrRead(where, { ...options, signal: undefined });
      this.results.set(key, pending);
      pending.catch(() => this.results.delete(key));
    }
    return pending;
  }

  /**
   * The revision a state from {@link DesiredStateReader.readShared} was read at: the same for the states of
   * every later revision that changed none of its files, so it says whether the state's
   * content moved, where the revision alone moves with every commit to any service.
   */
  contentRevision(result: Readonly<DesiredStateResult>): string | undefined {
    return this.readAt.get(result);
  }

  /**
   * The {@link DesiredStateReader.contentRevision} of the place's state at `revision`, when it is known without
   * building that state: the state last read for the place read no file changed since (one
   * diff per pair of revisions, shared by the fleet). A pass over thousands of services after
   * a commit then builds none of their states. Undefined when not known (never read, a read
   * still running or failed, revisions that cannot be compared): {@link DesiredStateReader.readShared} says it.
   */
  async knownContentRevision(
    given: Omit<ReadDesiredStateOptions, 'signal'>,
  ): Promise<string | undefined> {
    const { target, revision } = given;
    const { where } = this.placeOf(target, given.environment);
    const last = this.lastRead.get(where);
    if (last?.content === undefined) return undefined;
    if (!(await this.holdsAt(last, target, revision))) return undefined;
    // The state at `revision` is the last one's: later revisions are compared from here.
    last.checkedAt = revision;
    return last.content;
  }

  /**
   * Whether the state last read for a place is the state at `revision`: none of the files and
   * folders it read changed between the revision it is known to hold at and `revision` (one
   * `changedPaths` per pair of revisions, shared by the fleet). Not while the read runs.
   */
  private async holdsAt(
    last: LastRead,
    target: ServiceTarget,
    revision: string,
  ): Promise<boolean> {
    if (!last.reads) return false;
    // Already compared up to this revision (`knownContentRevision`): no diff to ask.
    if (last.checkedAt === revision) return true;
    if (!target.provider.changedPaths) return false;
    const changed = await this.changedBetween(target, last.checkedAt, revision);
    return changed !== undefined && !readsChanged(last.reads, changed);
  }

  /**
   * Where a state is read from, whatever the revision, and the environment as the target's
   * repository lays it out: kept per target object, as a fleet pass asks for each service.
   */
  private placeOf(
    target: ServiceTarget,
    given: EnvironmentConfig,
  ): { environment: EnvironmentConfig; where: string } {
    let byEnvironment = this.places.get(target);
    if (!byEnvironment) {
      byEnvironment = new WeakMap();
      this.places.set(target, byEnvironment);
    }
    let place = byEnvironment.get(given);
    if (!place) {
      const environment = environmentInRepository(given, target.layout);
      const where = JSON.stringify([
        target.repository.url,
        target.path,
        target.service,
        target.hints,
        environment.name,
        environment.overlayPath,
        environment.valuesFile,
        environment.definitionPath,
        environment.requireDigest ?? false,
      ]);
      place = { environment, where };
      byEnvironment.set(given, place);
    }
    return place;
  }

  /**
   * The state last read for the same place at another revision, when none of the files and
   * folders it read changed in between (one `changedPaths` per pair of revisions, shared by
   * the whole fleet); else read at this revision.
   */
  private async carriedOrRead(
    where: string,
    options: ReadDesiredStateOptions,
  ): Promise<DesiredStateResult> {
    const { target, revision } = options;
    const last = this.lastRead.get(where);
    if (last && last.revision !== revision && target.provider.changedPaths) {
      const before = (await this.holdsAt(last, target, revision))
        ? await last.result.catch(() => undefined)
        : undefined;
      if (before) {
        const carried = deepFreeze(atRevision(before, revision));
        const content = this.readAt.get(before) ?? last.revision;
        this.readAt.set(carried, content);
        this.lastRead.set(where, {
          revision,
          checkedAt: revision,
          reads: last.reads,
          result: Promise.resolve(carried),
          content,
        });
        return carried;
      }
    }
    const reads: StateReads = { files: new Set(), folders: new Set() };
    // Every field from the start, in the carried entry's order: fields added later would move
    // to a property array of their own, one per place (60,000 at 10,000 services, 3 MiB).
    const entry: LastRead = {
      revision,
      checkedAt: revision,
      reads: undefined,
      result: this.readUncached(options, reads).then(state => {
        // Thousands are kept: their repeated strings (revision, paths, names) and parts
        // (checks' findings, resources, sources) are kept once, in objects that share hidden
        // classes (26,000 of their own at 2,000 services before, 4.8 of the cache's 16.5 MiB),
        // and not what they were rendered from.
        const frozen = deepFreeze(
          shareParts(internedCopy(summaryOnly(withChecks(state, options))), [
            'state',
          ]),
        );
        this.readAt.set(frozen, revision);
        entry.content = revision;
        entry.reads = readPathsOf(reads);
        return frozen;
      }),
      content: undefined,
    };
    const result = entry.result;
    this.lastRead.set(where, entry);
    result.catch(() => {
      if (this.lastRead.get(where)?.result === result)
        this.lastRead.delete(where);
    });
    return result;
  }

  /** The files changed between two revisions, asked once per pair. */
  private changedBetween(
    target: ServiceTarget,
    from: string,
    to: string,
  ): Promise<Set<string> | undefined> {
    const key = `${target.repository.url} ${from} ${to}`;
    let changed = this.changes.get(key);
    if (!changed) {
      changed = target.provider.changedPaths!({
        repository: target.repository,
        from,
        to,
      })
        .then(paths => (paths ? new Set(paths) : undefined))
        // A pair that cannot be compared (a revision not fetched yet): read again.
        .catch(() => undefined);
      this.changes.set(key, changed);
    }
    return changed;
  }

  private async readUncached(
    options: ReadDesiredStateOptions,
    reads: StateReads,
  ): Promise<DesiredStateResult> {
    const { target, revision, signal } = options;
    const read: ReadRepoFile = file => {
      reads.files.add(file);
      return target.provider.readFile({
        repository: target.repository,
        revision,
        path: file,
        signal,
      });
    };
    return withHelmChartRollout(await this.resolve(options, read, reads), read);
  }

  /** The state from the environment's engine definition, else from its path templates. */
  private async resolve(
    options: ReadDesiredStateOptions,
    read: ReadRepoFile,
    reads: StateReads,
  ): Promise<DesiredStateResult> {
    const { target, environment, revision, signal } = options;
    const vars = {
      path: target.path,
      service: target.service,
      env: environment.name,
    };
    const overlay = fillTemplate(environment.overlayPath, vars);
    // What the engine object (an Application, a HelmRelease) may be called, best first.
    const names = [
      ...new Set(
        [
          `${target.service}-${environment.name}`,
          target.service,
          target.hints.workloadName,
          path.posix.basename(target.path),
        ].filter((n): n is string => Boolean(n)),
      ),
    ];

    let unsupported: Error | undefined;
    const definitionPaths = [environment.definitionPath ?? []].flat();
    for (const template of definitionPaths) {
      const file = fillTemplate(template, vars);
      const text = await read(file);
      // Without a definition file, the next template, then the path templates below, apply.
      if (text === undefined) continue;
      try {
        const resolved = await resolveDefinition({
          text,
          file,
          read,
          hints: target.hints,
          preferredName: names[0],
          alsoNamed: names.slice(1),
          listFolders: target.provider.listFolders
            ? folder => {
                reads.folders.add(folder);
                return target.provider.listFolders!({
                  repository: target.repository,
                  revision,
                  path: folder,
                  signal,
                });
              }
            : undefined,
        });
        return this.fromResolved(target, revision, resolved);
      } catch (error) {
        // A construct the resolver cannot follow: the path templates may still answer, and
        // the answer says what was not followed.
        if ((error as Error).name !== 'UnsupportedLayoutError') throw error;
        unsupported = error as Error;
        break;
      }
    }
    const at = { read, vars, overlay, names };
    if (!unsupported) return this.fromPathTemplates(options, at);
    try {
      const result = await this.fromPathTemplates(options, at);
      result.state.unsupported = unsupported.message;
      return result;
    } catch {
      throw unsupported;
    }
  }

  /** The environment from `overlayPath`, or the chart at the service path and `valuesFile`. */
  private async fromPathTemplates(
    options: ReadDesiredStateOptions,
    at: {
      read: ReadRepoFile;
      vars: Record<string, string>;
      overlay: string;
      names: string[];
    },
  ): Promise<DesiredStateResult> {
    const { target, environment, revision } = options;
    const { read, vars, overlay, names } = at;
    if (await readKustomization(overlay, read)) {
      const build = await buildKustomization(overlay, read);
      // Flux's reference layout: the overlay patches a HelmRelease instead of a Deployment.
      const release = pickHelmRelease(build.resources, names);
      if (release) {
        const resolved = await resolveBuiltHelmRelease({
          release,
          build,
          read,
          hints: target.hints,
          overlay,
        });
        return this.fromResolved(target, revision, resolved, build.warnings);
      }
      const workload = extractWorkloadState(
        build.resources,
        target.hints,
        overlay,
      );
      return {
        state: this.state(
          target,
          revision,
          'kustomize',
          overlay,
          workload,
          build.warnings,
        ),
        inputs: build.folders,
        rendered: { layout: 'kustomize', objects: build.resources },
      };
    }

    const chartFile = path.posix.join(target.path, 'Chart.yaml');
    const baseValuesFile = path.posix.join(target.path, 'values.yaml');
    const [chartText, baseText] = await Promise.all([
      read(chartFile),
      read(baseValuesFile),
    ]);
    if (chartText === undefined && baseText === undefined) {
      throw new ManifestError(
        `No Kustomize overlay at ${overlay} (kustomization.yaml) and no Helm chart at ${target.path} (Chart.yaml or values.yaml)`,
      );
    }
    const valuesFile = fillTemplate(environment.valuesFile, vars);
    const envText = await read(valuesFile);
    if (envText === undefined) {
      throw new ManifestError(`Helm values file ${valuesFile} not found`);
    }
    const chart = chartText ? parseYamlObject(chartText, chartFile) : {};
    const values = mergeHelmValues(
      baseText ? parseYamlObject(baseText, baseValuesFile) : {},
      parseYamlObject(envText, valuesFile),
    );
    const workload = helmWorkloadState(values, {
      name: chart.name ? String(chart.name) : null,
      appVersion: chart.appVersion ? String(chart.appVersion) : null,
    });
    return {
      state: this.state(
        target,
        revision,
        'helm',
        valuesFile,
        { ...workload, namespace: null },
        [],
      ),
      inputs: [chartFile, baseValuesFile, valuesFile],
      rendered: { layout: 'helm', values },
    };
  }

  private fromResolved(
    target: ServiceTarget,
    revision: string,
    resolved: ResolvedDefinition,
    buildWarnings: string[] = [],
  ): DesiredStateResult {
    const state = this.state(
      target,
      revision,
      resolved.layout,
      resolved.sourcePath,
      resolved.workload,
      [...buildWarnings, ...(resolved.warnings ?? [])],
    );
    state.definition = resolved.definition;
    state.origins = resolved.origins;
    state.chart = resolved.chart;
    if (resolved.imageSource) state.imageSource = resolved.imageSource;
    return {
      state,
      inputs: resolved.inputs,
      rendered: resolved.rendered as DesiredStateResult['rendered'],
    };
  }

  private state(
    target: ServiceTarget,
    revision: string,
    layout: DesiredState['layout'],
    sourcePath: string,
    workload: ReturnType<typeof extractWorkloadState>,
    warnings: string[],
  ): DesiredState {
    return {
      layout,
      image: workload.image,
      tag: workload.tag,
      digest: workload.digest,
      replicas: workload.replicas,
      autoscaling: workload.autoscaling,
      resources: workload.resources,
      namespace: workload.namespace,
      workload: workload.workload,
      ...(workload.workloadKind ? { workloadKind: workload.workloadKind } : {}),
      // Left out for a plain rollout (as workloadKind), so such answers stay as they were.
      ...(workload.progressive ? { progressive: workload.progressive } : {}),
      source: {
        repo: target.repository.url,
        branch: target.repository.branch,
        path: sourcePath,
        revision,
      },
      warnings: [...warnings, ...workload.warnings],
    };
  }
}

/**
 * A Helm state is read from values, not from rendered templates: whether the chart runs an
 * Argo Rollouts Rollout is read from its workload template, when the chart is in this
 * repository (its Chart.yaml is among the state's inputs), which then is an input too.
 */
async function withHelmChartRollout(
  result: DesiredStateResult,
  read: ReadRepoFile,
): Promise<DesiredStateResult> {
  if (result.rendered.layout !== 'helm') return result;
  const chartFile = result.inputs.find(
    f => path.posix.basename(f) === 'Chart.yaml',
  );
  if (!chartFile) return result;
  const chartFolder = path.posix.dirname(chartFile);
  const found = await readHelmChartRollout({
    chartFolder,
    values: result.rendered.values,
    workload: result.state.workload,
    read,
  });
  for (const template of found.templates) {
    if (!result.inputs.includes(template)) result.inputs.push(template);
  }
  if (found.workloadKind === 'Rollout') {
    result.state.workloadKind = 'Rollout';
    result.state.progressive = found.progressive;
  } else if (found.warning) {
    result.state.warnings.push(found.warning);
  }
  return result;
}

/**
 * The state with its manifest checks, computed here once per cached state (the checks are
 * pure and the state at a commit never changes), whichever way the state was resolved.
 */
function withChecks(
  result: DesiredStateResult,
  { target, environment }: ReadDesiredStateOptions,
): DesiredStateResult {
  Object.assign(
    result.state,
    desiredChecks(result.state, result.rendered, {
      hints: target.hints,
      environment: environment.name,
      requireDigest: environment.requireDigest ?? false,
    }),
  );
  return result;
}

/** Freezes a result shared between callers, so a caller that writes to it fails loudly. */
/** What reading a state looked at: files (present or not) and folders listed. */
interface StateReads {
  files: Set<string>;
  folders: Set<string>;
}

/** {@link StateReads} of a finished read, as kept (the paths it read). */
interface ReadPaths {
  files: readonly string[];
  folders: readonly string[];
}

/** The state last read for a place, and up to which revision it is known to hold. */
interface LastRead {
  revision: string;
  /** A revision whose state is known to be this one's (none of `reads` changed up to it). */
  checkedAt: string;
  /** What the read looked at, once it finished. */
  reads?: ReadPaths;
  result: Promise<DesiredStateResult>;
  /** The result's content revision, once it is read (see `contentRevision`). */
  content?: string;
}

/**
 * What a finished read looked at, as arrays of shared strings: kept for every place of the
 * fleet, where two Sets per place cost more than the paths in them.
 */
function readPathsOf(reads: StateReads): ReadPaths {
  return {
    files: internStrings([...reads.files]),
    folders: internStrings([...reads.folders]),
  };
}

/** Whether a change of these paths can change a state that read `reads`. */
function readsChanged(reads: ReadPaths, changed: Set<string>): boolean {
  for (const file of reads.files) if (changed.has(file)) return true;
  if (reads.folders.length === 0) return false;
  for (const file of changed) {
    for (const folder of reads.folders) {
      if (file.startsWith(`${folder.replace(/\/+$/, '')}/`)) return true;
    }
  }
  return false;
}

/**
 * The result without what it was rendered from (a Kustomize overlay's objects, Helm's merged
 * values): the summary, inputs and checks are computed already, and no caller of a shared
 * state reads them (comparisons and plans render their place with `read`). A fleet's cache
 * held the rendered workload of every overlay, 5.4 of the 13.9 MiB the cache kept at 1,000
 * services in a heap snapshot, besides hidden classes of their own.
 */
function summaryOnly(result: DesiredStateResult): DesiredStateResult {
  return {
    ...result,
    rendered:
      result.rendered.layout === 'kustomize'
        ? { layout: 'kustomize', objects: [] }
        : { layout: 'helm', values: {} },
  };
}

/** The same state, said to be read at `revision` (it is what that revision holds). */
function atRevision(
  result: DesiredStateResult,
  revision: string,
): DesiredStateResult {
  return {
    ...result,
    state: {
      ...result.state,
      source: { ...result.state.source, revision },
    },
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
