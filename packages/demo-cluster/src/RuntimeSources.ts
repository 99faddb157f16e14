import {
  DesiredStateReader,
  DesiredStateResult,
  defaultEnvironmentConfig,
} from '@gitops-backstage/plugin-gitops-repository';
import {
  GitProvider,
  GitRepositoryRef,
} from '@gitops-backstage/plugin-gitops-node';
import { DemoCharts } from './DemoCharts';
import { Runtime } from './runtimes';

/**
 * DEMO ONLY. What Git declares for one engine object of the demo cluster: its path rendered
 * with the plugin's own desired-state reader (charts from the demo's Helm repository filled
 * in), and when its files last changed.
 */
export class RuntimeSources {
  private readonly reader = new DesiredStateReader();

  constructor(
    private readonly options: { git: GitProvider; charts: DemoCharts },
  ) {}

  async render(
    rt: Runtime,
    repository: GitRepositoryRef,
    revision: string,
  ): Promise<DesiredStateResult> {
    const environment = defaultEnvironmentConfig(rt.environment, {
      namespace: rt.destination,
      overlayPath: rt.repoPath,
      ...(rt.valuesFile ? { valuesFile: rt.valuesFile } : {}),
      // An app-of-apps applies the Application files of the repository: render what they say
      // (parameters, image-updater files) when the repository has one.
      definitionPath:
        rt.definitionFile ??
        (rt.plural === 'applications' ? `argocd/${rt.name}.yaml` : null),
    });
    const result = await this.reader.read({
      target: {
        entityRef: `demo:${rt.namespace}/${rt.name}`,
        service: rt.workload,
        path: rt.repoPath,
        repository,
        provider: this.options.git,
        hints: { workloadName: rt.workload },
        selectors: {},
      },
      environment,
      revision,
    });
    return this.options.charts.withDefaults(result);
  }

  /** The time of the last commit that changed these files, when Git says. */
  async lastChangeAt(
    repository: GitRepositoryRef,
    head: string,
    paths: string[],
  ): Promise<Date | undefined> {
    if (paths.length === 0) return undefined;
    const [last] = await this.options.git
      .log({ repository, revision: head, paths, limit: 1 })
      .catch(() => []);
    return last ? new Date(last.committedAt) : undefined;
  }
}
