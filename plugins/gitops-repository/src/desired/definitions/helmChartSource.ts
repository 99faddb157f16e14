import { DesiredChart } from '@gitops-backstage/plugin-gitops-common';
import valid from 'semver/functions/valid';
import { KubernetesObject } from '../buildKustomization';
import { YamlPath } from './valueOrigins';

/** The chart a HelmRelease installs, and which object and field in Git set its version. */
export interface HelmChartSource {
  chart: DesiredChart;
  /** The object whose field sets the version: the release, or its OCIRepository. */
  versionSetBy: { kind: string; name: string; path: YamlPath };
}

/**
 * Reads the chart of a Flux HelmRelease: `spec.chart.spec` (a chart from a HelmRepository,
 * a GitRepository or a Bucket, `version` being a version or a semver range), or `spec.chartRef`
 * to an OCIRepository, whose `spec.ref.tag` or `spec.ref.semver` is the version. The source's
 * URL comes from its object when the same build renders it (Flux's reference layout keeps the
 * HelmRepository beside the release).
 */
export function helmChartSource(
  release: KubernetesObject,
  resources: KubernetesObject[],
): HelmChartSource {
  const name = String(release.metadata?.name);
  const chartRef = release.spec?.chartRef;
  if (chartRef?.kind === 'OCIRepository') {
    const repository = findSource(resources, 'OCIRepository', chartRef.name);
    const ref = repository?.spec?.ref ?? {};
    const field = ref.tag !== undefined ? 'tag' : 'semver';
    const version = ref[field] !== undefined ? String(ref[field]) : null;
    const url = repository?.spec?.url ? String(repository.spec.url) : null;
    return {
      chart: {
        // oci://ghcr.io/stefanprodan/charts/podinfo → podinfo
        name: url?.split('/').pop() ?? String(chartRef.name),
        version,
        range: field === 'semver' && version !== null && !valid(version),
        source: { kind: 'OCIRepository', name: String(chartRef.name), url },
      },
      versionSetBy: {
        kind: 'OCIRepository',
        name: String(chartRef.name),
        path: ['spec', 'ref', field],
      },
    };
  }
  const spec = release.spec?.chart?.spec ?? {};
  const sourceKind = String(spec.sourceRef?.kind ?? chartRef?.kind ?? '');
  const sourceName = String(spec.sourceRef?.name ?? chartRef?.name ?? '');
  const version = spec.version ? String(spec.version) : null;
  const source = sourceKind
    ? findSource(resources, sourceKind, sourceName)
    : undefined;
  return {
    chart: {
      name: String(spec.chart ?? chartRef?.name ?? name),
      version,
      // `6.7.x` or `>=6.0.0 <7` is a range Flux resolves; an exact version is pinned.
      range: version !== null && valid(version) === null,
      source: sourceKind
        ? {
            kind: sourceKind,
            name: sourceName,
            url: source?.spec?.url ? String(source.spec.url) : null,
          }
        : null,
    },
    versionSetBy: {
      kind: 'HelmRelease',
      name,
      path: ['spec', 'chart', 'spec', 'version'],
    },
  };
}

function findSource(
  resources: KubernetesObject[],
  kind: string,
  name: string,
): KubernetesObject | undefined {
  return resources.find(
    r =>
      r.kind === kind &&
      r.metadata?.name === name &&
      String(r.apiVersion ?? '').startsWith('source.toolkit.fluxcd.io/'),
  );
}
