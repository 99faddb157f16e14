import maxSatisfying from 'semver/ranges/max-satisfying';
import valid from 'semver/functions/valid';
import { stringify } from 'yaml';
import { DesiredStateResult } from '@gitops-backstage/plugin-gitops-repository';

/** One chart of a demo Helm repository, from a `DemoChart` seed. */
export interface DemoChart {
  name: string;
  /** The Helm repository URL as HelmRepository objects write it. */
  repository: string;
  /** The image the chart runs by default, tagged with the chart's appVersion. */
  image: string;
  /** Chart versions; each one's appVersion is the version itself. */
  versions: string[];
}

/**
 * DEMO ONLY. The Helm repositories of charts that are not in Git (HelmRepository sources):
 * serves their `index.yaml` under `/helm/<host><path>/index.yaml` (see `gitops.registries` in
 * app-config.yaml), and resolves a HelmRelease's version or range the way source-controller
 * does, to the chart version and default image the demo installs.
 */
export class DemoCharts {
  constructor(private readonly charts: DemoChart[]) {}

  /** The chart of a repository URL and name. */
  find(repository: string, name: string): DemoChart | undefined {
    const url = repository.replace(/\/+$/, '');
    return this.charts.find(
      c => c.repository.replace(/\/+$/, '') === url && c.name === name,
    );
  }

  /** The version a version or semver range selects: the newest match; null when none. */
  resolve(chart: DemoChart, wanted: string | null): string | null {
    if (wanted && valid(wanted)) {
      return chart.versions.includes(wanted) ? wanted : null;
    }
    return maxSatisfying(chart.versions, wanted || '*', {
      // As Flux reads a range: a pre-release in it takes every pre-release in range.
      includePrerelease: /\d+\.\d+\.\d+-[0-9A-Za-z]/.test(wanted ?? ''),
    });
  }

  /**
   * A chart from a Helm repository runs its default image unless the values set one: the
   * image with the resolved version's appVersion, and the chart's one replica.
   */
  withDefaults(result: DesiredStateResult): DesiredStateResult {
    const { state } = result;
    const source = state.chart?.source;
    if (state.imageSource !== 'chartDefaults' || !source?.url) return result;
    const chart = this.find(source.url, state.chart!.name);
    const version = chart && this.resolve(chart, state.chart!.version);
    if (!chart || !version) return result;
    return {
      ...result,
      state: {
        ...state,
        image: chart.image,
        tag: version,
        replicas: state.replicas ?? 1,
      },
    };
  }

  /** Answers a `/helm/…/index.yaml` request, or `undefined` when the path is not one. */
  handle(
    method: string,
    path: string,
  ):
    | { status: number; headers: Record<string, string>; body: string }
    | undefined {
    const match = /^\/helm\/(.+)\/index\.yaml$/.exec(path);
    if (!match || method !== 'GET') return undefined;
    const repository = `https://${match[1]}`;
    const charts = this.charts.filter(
      c => c.repository.replace(/\/+$/, '') === repository,
    );
    if (charts.length === 0) {
      return { status: 404, headers: {}, body: 'no such Helm repository' };
    }
    const index = {
      apiVersion: 'v1',
      entries: Object.fromEntries(
        charts.map(c => [
          c.name,
          [...c.versions].reverse().map(version => ({
            apiVersion: 'v2',
            appVersion: version,
            name: c.name,
            type: 'application',
            urls: [`${c.repository}/${c.name}-${version}.tgz`],
            version,
          })),
        ]),
      ),
      generated: '2026-11-01T00:00:00Z',
    };
    return {
      status: 200,
      headers: { 'content-type': 'text/yaml' },
      body: stringify(index),
    };
  }
}
