import { DesiredState } from '@gitops-backstage/plugin-gitops-common';
import { internStrings } from '../internStrings';
import { LRUCache } from 'lru-cache';
import path from 'node:path';
import { EnvironmentConfig, fillTemplate } from '../config';
import { ServiceTarget } from '../ServiceLocator';
import {
  KubernetesObject,
  buildKustomization,
  readKustomization,
  ReadRepoFile,
} from './buildKustomization';
import { helmWorkloadState, mergeHelmValues } from './helmValues';
import { ManifestError, parseYamlObject } from './parseYaml';
import { extractWorkloadState } from './workloadState';
import { resolveDefinition } from './definitions/resolveDefinition';

/** Options of {@link DesiredStateReader.read}. */
export interface ReadDesiredStateOptions {
  target: ServiceTarget;
  environment: EnvironmentConfig;
  /** Commit sha to read at. */
  revision: string;
  signal?: AbortSignal;
}

/** A desired state and the repository paths it was derived from. */
export interface DesiredStateResult {
  state: DesiredState;
  /** Folders (Kustomize) or files (Helm) whose changes can change this state. */
  inputs: string[];
  /**
   * What the state was read from, for comparisons beyond the summary: the rendered objects
   * of a Kustomize overlay, or the merged Helm values.
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

  async read(options: ReadDesiredStateOptions): Promise<DesiredStateResult> {
    return structuredClone(await this.readShared(options));
  }

  /**
   * The same as {@link DesiredStateReader.read} without the copy: the result is shared with
   * every other caller and frozen, for readers that only look (a fleet view reads thousands).
   */
  async readShared(
    options: ReadDesiredStateOptions,
  ): Promise<Readonly<DesiredStateResult>> {
    const { target, environment, revision } = options;
    const key = JSON.stringify([
      target.repository.url,
      revision,
      target.path,
      target.service,
      target.hints,
      environment.name,
      environment.overlayPath,
      environment.valuesFile,
      environment.definitionPath,
    ]);
    // The promise is shared, so concurrent views of many entities parse each state once; it
    // runs under the providers' time-outs, not one caller's signal, which would fail the rest.
    let pending = this.results.get(key);
    if (!pending) {
      // Thousands are kept: their repeated strings (revision, paths, names) are kept once.
      pending = this.readUncached({ ...options, signal: undefined }).then(
        result => deepFreeze(internStrings(result)),
      );
      this.results.set(key, pending);
      pending.catch(() => this.results.delete(key));
    }
    return pending;
  }

  private async readUncached(
    options: ReadDesiredStateOptions,
  ): Promise<DesiredStateResult> {
    const { target, environment, revision, signal } = options;
    const read: ReadRepoFile = file =>
      target.provider.readFile({
        repository: target.repository,
        revision,
        path: file,
        signal,
      });
    const vars = {
      path: target.path,
      service: target.service,
      env: environment.name,
    };
    const overlay = fillTemplate(environment.overlayPath, vars);

    const definitionPaths = [environment.definitionPath ?? []].flat();
    for (const template of definitionPaths) {
      const file = fillTemplate(template, vars);
      const text = await read(file);
      // Without a definition file, the next template, then the path templates below, apply.
      if (text === undefined) continue;
      const resolved = await resolveDefinition({
        text,
        file,
        read,
        hints: target.hints,
        preferredName: `${target.service}-${environment.name}`,
        alsoNamed: target.service,
        listFolders: target.provider.listFolders
          ? folder =>
              target.provider.listFolders!({
                repository: target.repository,
                revision,
                path: folder,
                signal,
              })
          : undefined,
      });
      const state = this.state(
        target,
        revision,
        resolved.layout,
        resolved.sourcePath,
        resolved.workload,
        resolved.warnings ?? [],
      );
      state.definition = resolved.definition;
      state.origins = resolved.origins;
      state.chart = resolved.chart;
      return {
        state,
        inputs: resolved.inputs,
        rendered: resolved.rendered as DesiredStateResult['rendered'],
      };
    }

    if (await readKustomization(overlay, read)) {
      const build = await buildKustomization(overlay, read);
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

/** Freezes a result shared between callers, so a caller that writes to it fails loudly. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
