import { ProvenanceEvidence } from '@gitops-backstage/plugin-gitops-common';

/**
 * Builder, source repository and revision of a SLSA provenance predicate, v1 or v0.2, as the
 * GitHub generators (`actions/attest-build-provenance`, slsa-github-generator) and BuildKit
 * write it. `null` when the predicate is not an object.
 */
export function parseProvenance(
  predicateType: string,
  predicate: unknown,
): ProvenanceEvidence | null {
  if (!isObject(predicate)) return null;
  const found = /\/v1$/.test(predicateType)
    ? fromV1(predicate)
    : fromV02(predicate);
  const vcs = buildkitVcs(predicate);
  return {
    builder: found.builder || null,
    sourceRepository:
      normalizeRepository(found.repository) ??
      normalizeRepository(vcs.source) ??
      null,
    sourceRevision: found.revision ?? vcs.revision ?? null,
    predicateType,
  };
}

interface Found {
  builder?: string;
  repository?: string;
  revision?: string;
}

function fromV1(predicate: Record<string, any>): Found {
  const definition = objectOr(predicate.buildDefinition);
  const external = objectOr(definition.externalParameters);
  const workflow = objectOr(external.workflow);
  const configSource = objectOr(external.configSource);
  const dependencies = arrayOf(definition.resolvedDependencies);
  // The source is the dependency with a commit digest: GitHub's `gitCommit`, BuildKit's `sha1`.
  const source =
    dependencies.find(d => isString(objectOr(d.digest).gitCommit)) ??
    dependencies.find(
      d => isString(d.uri) && /^git\+|\.git\b|#/.test(d.uri as string),
    );
  const sourceDigest = objectOr(source?.digest);
  return {
    builder: stringOr(objectOr(objectOr(predicate.runDetails).builder).id),
    repository:
      stringOr(workflow.repository) ??
      stringOr(configSource.uri) ??
      stringOr(source?.uri),
    revision:
      stringOr(sourceDigest.gitCommit) ??
      stringOr(sourceDigest.sha1) ??
      stringOr(objectOr(configSource.digest).sha1),
  };
}

function fromV02(predicate: Record<string, any>): Found {
  const configSource = objectOr(objectOr(predicate.invocation).configSource);
  const material = arrayOf(predicate.materials).find(m =>
    isString(objectOr(m.digest).sha1),
  );
  return {
    builder: stringOr(objectOr(predicate.builder).id),
    repository: stringOr(configSource.uri) ?? stringOr(material?.uri),
    revision:
      stringOr(objectOr(configSource.digest).sha1) ??
      stringOr(objectOr(material?.digest).sha1),
  };
}

/** BuildKit's own metadata (`https://mobyproject.org/buildkit@v1#metadata`): `vcs.source`, `vcs.revision`. */
function buildkitVcs(predicate: Record<string, any>): {
  source?: string;
  revision?: string;
} {
  for (const metadata of [
    objectOr(predicate.metadata),
    objectOr(objectOr(predicate.runDetails).metadata),
  ]) {
    for (const [key, value] of Object.entries(metadata)) {
      const vcs = objectOr(objectOr(value).vcs);
      if (key.includes('buildkit') && (vcs.source || vcs.revision)) {
        return {
          source: stringOr(vcs.source),
          revision: stringOr(vcs.revision),
        };
      }
    }
  }
  return {};
}

/**
 * A source URI as a repository URL: `git+https://github.com/acme/payments@refs/heads/main`
 * and `https://github.com/acme/payments.git#main` become `https://github.com/acme/payments`.
 */
export function normalizeRepository(uri: string | undefined): string | null {
  if (!uri) return null;
  let url = uri.trim().replace(/^git\+/, '');
  url = url.replace(/#.*$/, '');
  // `@ref` after the path, not the `user@` of an scp-like or ssh URL.
  url = url.replace(/^([a-z+]+:\/\/[^/]+\/[^@]*)@.*$/i, '$1');
  url = url.replace(/\.git$/, '').replace(/\/+$/, '');
  return url || null;
}

function isObject(value: unknown): value is Record<string, any> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

function objectOr(value: unknown): Record<string, any> {
  return isObject(value) ? value : {};
}

function arrayOf(value: unknown): Array<Record<string, any>> {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function isString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function stringOr(value: unknown): string | undefined {
  return isString(value) ? value : undefined;
}
