import {
  DesiredState,
  RegistryState,
} from '@gitops-backstage/plugin-gitops-common';
import { parseImageRepository } from './imageRepository';
import { OciRegistryClient } from './OciRegistryClient';
import { ChartRepositoryClient, ChartSourceRef } from './ChartRepositoryClient';
import maxSatisfying from 'semver/ranges/max-satisfying';
import { rangeIncludesPrereleases } from '../live/fluxRevision';
import {
  TagPolicy,
  detectTagPolicy,
  newerTags,
  orderTags,
  parseTagPolicy,
} from './tagPolicy';

/** Options of {@link RegistryStatusService}. */
export interface RegistryStatusServiceOptions {
  client: OciRegistryClient;
  /** Chart versions, for environments whose image is their chart's default. */
  charts?: ChartRepositoryClient;
}

/**
 * What the registry says about an environment's version: the newest tag and those newer than
 * the deployed one under the service's tag policy, and the deployed tag's digest (or that it
 * does not exist, which is what an ImagePullBackOff usually means).
 */
export class RegistryStatusService {
  constructor(private readonly options: RegistryStatusServiceOptions) {}

  /** Whether registry lookups are configured for the image's host (or the chart's). */
  covers(desired: DesiredState | null): boolean {
    const chart = chartSourceOf(desired);
    if (chart) return Boolean(this.options.charts?.serves(chart));
    return Boolean(
      desired?.image &&
        this.options.client.serves(parseImageRepository(desired.image)),
    );
  }

  async status(options: {
    desired: DesiredState;
    /** `gitops.backstage.io/tag-policy`, when set. */
    policy?: string;
    signal?: AbortSignal;
  }): Promise<RegistryState> {
    const { desired, signal } = options;
    const chartSource = chartSourceOf(desired);
    if (chartSource && this.options.charts) {
      return this.chartStatus(desired, chartSource, options.policy, signal);
    }
    const image = parseImageRepository(desired.image!);
    const policy: TagPolicy | null = options.policy
      ? parseTagPolicy(options.policy)
      : detectTagPolicy(desired.tag);
    const [tags, digest] = await Promise.all([
      this.options.client.listTags(image, { signal }),
      desired.tag
        ? this.options.client.getDigest(image, desired.tag, { signal })
        : Promise.resolve(null),
    ]);
    const ordered = policy ? orderTags(tags, policy) : [];
    return {
      image: desired.image!,
      policy: policy ? policyName(policy) : null,
      latest: ordered.length > 0 ? ordered[ordered.length - 1] : null,
      newer: policy ? newerTags(ordered, desired.tag, policy) : [],
      digest: desired.digest ?? digest,
      tagExists: desired.tag ? digest !== null : null,
    };
  }

  /**
   * The chart's versions under the policy (semver by default): the newest, and those newer
   * than what the environment gets — its pinned version, or for a range the newest match,
   * which is what the engine installs.
   */
  private async chartStatus(
    desired: DesiredState,
    source: ChartSourceRef,
    policyText: string | undefined,
    signal?: AbortSignal,
  ): Promise<RegistryState> {
    const chart = desired.chart!;
    const versions = await this.options.charts!.versions(source, chart.name, {
      signal,
    });
    const prereleases = Boolean(
      chart.version && rangeIncludesPrereleases(chart.version),
    );
    const policy: TagPolicy = policyText
      ? parseTagPolicy(policyText)
      : { kind: 'semver', prereleases };
    const ordered = orderTags(versions, policy);
    const current =
      chart.version && chart.range
        ? maxSatisfying(versions, chart.version, {
            includePrerelease: prereleases,
          })
        : chart.version;
    return {
      image: `${source.url}${
        source.kind === 'OCIRepository' ? '' : ` ${chart.name}`
      }`,
      kind: 'chart',
      policy: policyName(policy),
      latest: ordered.length > 0 ? ordered[ordered.length - 1] : null,
      newer: newerTags(ordered, current, policy),
      current,
      digest: null,
      tagExists: current ? versions.includes(current) : null,
    };
  }
}

/**
 * The chart's source, for an environment whose version is its chart (the image is the
 * chart's default): looked up there instead of an image registry.
 */
function chartSourceOf(desired: DesiredState | null): ChartSourceRef | null {
  const source = desired?.chart?.source;
  if (desired?.imageSource !== 'chartDefaults' || !source?.url) return null;
  if (source.kind !== 'HelmRepository' && source.kind !== 'OCIRepository')
    return null;
  return { kind: source.kind, url: source.url };
}

function policyName(policy: TagPolicy): string {
  switch (policy.kind) {
    case 'semver':
      return policy.prereleases ? 'semver-prerelease' : 'semver';
    case 'mainSha':
      return 'main-sha';
    case 'shaRun':
      return 'sha-run';
    default:
      return `regex:${policy.pattern.source}`;
  }
}
