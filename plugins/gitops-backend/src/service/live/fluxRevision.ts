import semver from 'semver';

/**
 * The id in a Flux artifact revision: `main@sha1:<sha>` and the older `main/<sha>` (Git),
 * `<tag>@sha256:<digest>` and `sha256:<digest>` (OCI); null when the text is none of them.
 */
export function artifactId(revision: unknown): string | null {
  const text = String(revision ?? '');
  const match =
    text.match(/(?:^|@)(?:sha1|sha256|blake3):([0-9a-f]{12,})$/) ??
    text.match(/^[^@]*\/([0-9a-f]{40})$/) ??
    text.match(/^([0-9a-f]{40})$/);
  return match ? match[1] : null;
}

/** Two artifact revisions name the same commit or digest (formats of old and new Flux alike). */
export function sameArtifact(a: unknown, b: unknown): boolean {
  if (a === b && a) return true;
  const [x, y] = [artifactId(a), artifactId(b)];
  return x !== null && x === y;
}

/** A chart version split at its build metadata: `0.4.0+0d46b8b1a2c3`. */
export function splitChartVersion(version: unknown): {
  version: string;
  build: string | null;
} {
  const [base, build] = String(version ?? '').split('+', 2);
  return { version: base, build: build ?? null };
}

/** Why a HelmRelease's installed chart is not what was asked for; null when it is, or cannot be told. */
export interface ChartComparison {
  /** The versions compared, for the message. */
  installed: string;
  matches: boolean | null;
  message: string | null;
}

/**
 * Compares a chart version a HelmRelease installed with what it should be, like with like:
 * the build metadata of a chart built from a source (Git commit or OCI digest, first 12
 * characters) with the source's artifact; the version with the version or semver range asked
 * for (by Git, or by the release's own spec). Never a chart version with a Git revision.
 */
export function compareChartVersion(options: {
  installed: string;
  /** The source artifact the chart is built from, when its strategy stamps the revision. */
  sourceRevision?: string | null;
  stampsRevision: boolean;
  /** The version or range asked for. */
  wanted?: string | null;
}): ChartComparison {
  const { installed, wanted } = options;
  const { version, build } = splitChartVersion(installed);
  if (options.stampsRevision && build && options.sourceRevision) {
    const id = artifactId(options.sourceRevision);
    if (id) {
      const matches = id.startsWith(build) || build.startsWith(id.slice(0, 12));
      return {
        installed,
        matches,
        message: matches
          ? null
          : `chart ${installed} was built from ${build}, the source is at ${options.sourceRevision}`,
      };
    }
  }
  if (!wanted || wanted === '*') {
    return { installed, matches: null, message: null };
  }
  const exact = semver.valid(wanted);
  let matches: boolean | null;
  if (exact) {
    matches = semver.valid(version)
      ? semver.eq(version, exact)
      : version === wanted;
  } else if (semver.validRange(wanted) && semver.valid(version)) {
    matches = semver.satisfies(version, wanted, {
      includePrerelease: rangeIncludesPrereleases(wanted),
    });
  } else {
    matches = version === wanted;
  }
  return {
    installed,
    matches,
    message: matches
      ? null
      : `chart ${installed} is installed, ${wanted} is asked for`,
  };
}

/**
 * Whether a chart version range takes pre-releases, as Flux (Masterminds semver) reads it: a
 * constraint with a pre-release part (`>=1.0.0-0`, `>=1.0.0-alpha`) matches every
 * pre-release in range, not only those of the same version as node-semver would.
 */
export function rangeIncludesPrereleases(range: string): boolean {
  return /\d+\.\d+\.\d+-[0-9A-Za-z]/.test(range);
}
