import {
  DesiredState,
  RegistryState,
} from '@gitops-backstage/plugin-gitops-common';
import { parseImageRepository } from './imageRepository';
import { OciRegistryClient } from './OciRegistryClient';
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
}

/**
 * What the registry says about an environment's version: the newest tag and those newer than
 * the deployed one under the service's tag policy, and the deployed tag's digest (or that it
 * does not exist, which is what an ImagePullBackOff usually means).
 */
export class RegistryStatusService {
  constructor(private readonly options: RegistryStatusServiceOptions) {}

  /** Whether registry lookups are configured for the image's host. */
  covers(desired: DesiredState | null): boolean {
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
