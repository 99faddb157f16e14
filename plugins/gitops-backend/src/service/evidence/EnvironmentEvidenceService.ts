import { Entity } from '@backstage/catalog-model';
import {
  EnvironmentStatus,
  EnvironmentsResponse,
  OverviewEnvironment,
  Problem,
  SupplyChainPolicy,
  VersionEvidence,
} from '@gitops-backstage/plugin-gitops-common';
import { desiredVersion, runsVersion } from '../promotion/gates';
import {
  MissingRegistryEvidence,
  RegistryEvidence,
  assembleEvidence,
  clusterReportsOf,
  manifestFactsOf,
} from './assembleEvidence';
import { describeSigners, supplyChainGates } from './supplyChainGates';

/** The registry's evidence per digest (signatures, attestations), read once and cached. */
export interface RegistryEvidenceSource {
  /** Whether the image's registry is one the plugin may ask. */
  covers(image: string): boolean;
  /** The cached evidence, or `null` after scheduling a read: never waits, never fetches. */
  peek(image: string, digest: string): RegistryEvidence | null;
  /** The evidence, read now when it is not cached (dry runs and changes). */
  read(
    image: string,
    digest: string,
    signal?: AbortSignal,
  ): Promise<RegistryEvidence>;
  /** Moves whenever a read stored evidence (see `DigestEvidenceService.version`). */
  version?(): number;
}

/** Options of {@link EnvironmentEvidenceService}. */
export interface EnvironmentEvidenceServiceOptions {
  /** `null` when `gitops.supplyChain` is not configured: no registry evidence is read. */
  registry: RegistryEvidenceSource | null;
  /** The supply-chain policy of each environment (by name). */
  policies: Record<string, SupplyChainPolicy | null>;
  /** The digest of `image:tag` in the registry (a dry run may ask it). */
  resolveDigest(
    image: string,
    tag: string,
    signal?: AbortSignal,
  ): Promise<string | null>;
}

/**
 * Supply-chain evidence of versions: of the one each environment runs (from caches only, for
 * views) and of a proposed one (read now, for dry runs and changes). Also says, as problems,
 * where an environment runs what its own policy would not let in.
 */
export class EnvironmentEvidenceService {
  constructor(private readonly options: EnvironmentEvidenceServiceOptions) {}

  /**
   * Moves whenever evidence was read into the cache: a view that waited for evidence not read
   * yet may come out differently after it moved. 0 without a registry.
   */
  evidenceVersion(): number {
    return this.options.registry?.version?.() ?? 0;
  }

  /** Whether there is anything to show: a registry to ask or a policy that asks. */
  get enabled(): boolean {
    return (
      !!this.options.registry ||
      Object.values(this.options.policies).some(p => !!p)
    );
  }

  /** Adds `evidence` to each environment, and Unsigned / Vulnerable problems its policy sees. */
  decorate(
    entity: Entity,
    response: EnvironmentsResponse,
  ): EnvironmentsResponse {
    return {
      ...response,
      environments: response.environments.map(env => {
        // Evidence where there is some to show: signatures are read, a policy asks, or the
        // cluster's scanners reported on the workload.
        const reports = clusterReportsOf(env);
        if (!this.enabled && !reports?.vulnerabilities && !reports?.policies) {
          return env;
        }
        const evidence = this.runningEvidence(env);
        if (!evidence) return env;
        return {
          ...env,
          evidence,
          problems: [
            ...env.problems,
            ...this.problemsOf(entity, env, evidence),
          ],
        };
      }),
    };
  }

  /** The evidence of the version an environment declares, from caches only. */
  runningEvidence(env: EnvironmentStatus): VersionEvidence | null {
    const desired = env.desired;
    if (!desired?.image) return null;
    const digest = desired.digest ?? env.registry?.digest ?? null;
    return assembleEvidence({
      image: desired.image,
      digest,
      registry: this.cachedRegistry(desired.image, digest, desired.tag),
      reports: clusterReportsOf(env),
      manifests: manifestFactsOf(env),
    });
  }

  /** The fleet page's summary of an environment's evidence (caches only). */
  summaryOf(env: EnvironmentStatus): OverviewEnvironment['supplyChain'] {
    if (!this.options.registry) return null;
    const evidence = this.runningEvidence(env);
    if (!evidence) return null;
    return {
      signature: evidence.signature.state,
      critical: evidence.vulnerabilities?.critical ?? null,
      high: evidence.vulnerabilities?.high ?? null,
    };
  }

  /**
   * The evidence of the version `from` declares, going into `to`: the registry's for its
   * digest (read now unless `view`), the reports of `from`'s cluster where it runs it, and
   * `to`'s manifests (what the version will run under there).
   */
  async forPromotion(args: {
    from: EnvironmentStatus | undefined;
    to: EnvironmentStatus | undefined;
    view: boolean;
    signal?: AbortSignal;
  }): Promise<VersionEvidence | null> {
    const { from, to, view, signal } = args;
    const version = from ? desiredVersion(from) : null;
    const image = from?.desired?.image ?? null;
    if (!from || !version || !image) return null;
    let digest = version.digest ?? from.registry?.digest ?? null;
    let registry: RegistryEvidence | MissingRegistryEvidence;
    if (view) {
      registry = this.cachedRegistry(image, digest, version.tag);
    } else {
      if (!digest && version.tag && this.options.registry?.covers(image)) {
        digest = await this.options
          .resolveDigest(image, version.tag, signal)
          .catch(() => null);
      }
      registry = await this.readRegistry(image, digest, version.tag, signal);
    }
    return assembleEvidence({
      image,
      digest,
      registry,
      // The source's reports are about what it runs: only when that is this version.
      reports: runsVersion(from, version) ? clusterReportsOf(from) : null,
      manifests: manifestFactsOf(to),
    });
  }

  private cachedRegistry(
    image: string,
    digest: string | null,
    tag: string | null,
  ): RegistryEvidence | MissingRegistryEvidence {
    const missing = this.missing(image, digest, tag);
    if (missing) return missing;
    return this.options.registry!.peek(image, digest!) ?? { kind: 'pending' };
  }

  private async readRegistry(
    image: string,
    digest: string | null,
    tag: string | null,
    signal?: AbortSignal,
  ): Promise<RegistryEvidence | MissingRegistryEvidence> {
    const missing = this.missing(image, digest, tag);
    if (missing) return missing;
    return this.options.registry!.read(image, digest!, signal);
  }

  private missing(
    image: string,
    digest: string | null,
    tag: string | null,
  ): MissingRegistryEvidence | null {
    const { registry } = this.options;
    if (!registry) {
      return {
        kind: 'notConfigured',
        reason:
          'signatures are not checked (gitops.supplyChain is not configured)',
      };
    }
    if (!registry.covers(image)) {
      return {
        kind: 'notConfigured',
        reason: `the registry of ${image} is not in gitops.registries`,
      };
    }
    if (!digest) {
      return {
        kind: 'noDigest',
        reason: `the registry has no digest for ${image}:${tag ?? '?'}`,
      };
    }
    return null;
  }

  private problemsOf(
    entity: Entity,
    env: EnvironmentStatus,
    evidence: VersionEvidence,
  ): Problem[] {
    const policy = this.options.policies[env.name];
    if (!policy) return [];
    const version = desiredVersion(env);
    const gates = supplyChainGates({
      policy: {
        ...policy,
        // Reports, pod security and pinning have problems of their own (or none needed).
        requireProvenance: null,
        policyReports: null,
        podSecurity: null,
        requireDigest: false,
      },
      service: entity.metadata.name,
      to: env.name,
      from: env.name,
      version,
      evidence,
      targetPinsDigest: !!env.desired?.digest,
      view: true,
      now: new Date(),
    });
    const problems: Problem[] = [];
    const signature = gates.find(g => g.name === 'signature');
    if (signature?.state === 'fail' && policy.requireSignature) {
      problems.push({
        type: 'Unsigned',
        severity: 'error',
        message: `${env.name} runs what its policy would refuse: ${signature.message}`,
        hint: `Sign the image in CI (cosign sign) as ${describeSigners(
          policy.requireSignature,
          entity.metadata.name,
        )}, or roll back to a signed version.`,
        object: evidence.digest
          ? `${evidence.image}@${evidence.digest}`
          : evidence.image,
      });
    }
    const vulnerabilities = gates.find(g => g.name === 'vulnerabilities');
    const reported = env.problems.some(p => p.type === 'Vulnerable');
    if (
      vulnerabilities?.state === 'fail' &&
      evidence.vulnerabilities &&
      !reported
    ) {
      const fix = evidence.vulnerabilities.top.find(v => v.fixedVersion);
      problems.push({
        type: 'Vulnerable',
        severity: 'warning',
        message: vulnerabilities.message,
        hint: fix
          ? `Rebuild with ${fix.package ?? 'the package'} ${
              fix.fixedVersion
            } or later, or promote a fixed version.`
          : 'Promote a version without these findings, or raise the limit in the policy if they are accepted.',
        object: evidence.vulnerabilities.object ?? evidence.image,
      });
    }
    return problems;
  }
}
