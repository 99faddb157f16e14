import semver from 'semver';

/** How a service's tags are ordered, so "newer" means something. */
export type TagPolicy =
  | { kind: 'semver'; prereleases: boolean }
  /** `main-<sha>` (optionally `-<timestamp>`): by commit time when known, else registry order. */
  | { kind: 'mainSha' }
  /** `{sha}-{run}` as the seeds' CI writes it: by run number. */
  | { kind: 'shaRun' }
  /** Tags matching `pattern`, ordered by its `key` group (or first group). */
  | { kind: 'regex'; pattern: RegExp; orderBy: 'numeric' | 'semver' | 'text' };

/** Tags that move between builds: never proposed as a version. */
const MOVING_TAG =
  /^(latest|stable|edge|main|master|dev|develop|nightly|canary|release|prod|staging)$/i;
const MAIN_SHA = /^(?:main|master)-([0-9a-f]{7,40})(?:-(\d{8,14}))?$/;
const SHA_RUN = /^([0-9a-f]{7,40})-(\d+)$/;

/**
 * Reads a policy from `gitops.backstage.io/tag-policy` or config: `semver`,
 * `semver-prerelease`, `main-sha`, `sha-run`, or `regex:<pattern>[:numeric|semver|text]`.
 *
 * @throws Error with a message naming what is wrong.
 */
export function parseTagPolicy(text: string): TagPolicy {
  const value = text.trim();
  if (value === 'semver') return { kind: 'semver', prereleases: false };
  if (value === 'semver-prerelease')
    return { kind: 'semver', prereleases: true };
  if (value === 'main-sha') return { kind: 'mainSha' };
  if (value === 'sha-run') return { kind: 'shaRun' };
  const regex = value.match(/^regex:(.+?)(?::(numeric|semver|text))?$/);
  if (regex) {
    try {
      return {
        kind: 'regex',
        pattern: new RegExp(regex[1]),
        orderBy: (regex[2] as any) ?? 'numeric',
      };
    } catch (error) {
      throw new Error(
        `tag policy "${value}": invalid regular expression: ${
          (error as Error).message
        }`,
      );
    }
  }
  throw new Error(
    `unknown tag policy "${value}"; use semver, semver-prerelease, main-sha, sha-run or regex:<pattern>[:numeric|semver|text]`,
  );
}

/** Guesses the policy from the tag an environment runs, when none is configured. */
export function detectTagPolicy(tag: string | null): TagPolicy | null {
  if (!tag || MOVING_TAG.test(tag)) return null;
  if (semver.valid(semver.clean(tag) ?? '')) {
    return {
      kind: 'semver',
      prereleases: Boolean(semver.prerelease(semver.clean(tag)!)),
    };
  }
  if (MAIN_SHA.test(tag)) return { kind: 'mainSha' };
  if (SHA_RUN.test(tag)) return { kind: 'shaRun' };
  return null;
}

/**
 * The tags the policy understands, oldest first. Moving tags (`latest`, `main`, …) and tags the
 * policy cannot read are left out, never a crash.
 *
 * @param commitTimes - commit time per sha, to order `main-<sha>` tags; without it they keep the
 *   registry's order.
 */
export function orderTags(
  tags: string[],
  policy: TagPolicy,
  commitTimes?: Map<string, number>,
): string[] {
  const keyed: Array<{ tag: string; key: (string | number)[]; index: number }> =
    [];
  tags.forEach((tag, index) => {
    if (MOVING_TAG.test(tag)) return;
    const key = sortKey(tag, policy, commitTimes, index);
    if (key) keyed.push({ tag, key, index });
  });
  keyed.sort((a, b) => compareKeys(a.key, b.key, policy) || a.index - b.index);
  return keyed.map(k => k.tag);
}

/** Tags newer than `current` under the policy, newest first. */
export function newerTags(
  ordered: string[],
  current: string | null,
  policy: TagPolicy,
  commitTimes?: Map<string, number>,
): string[] {
  if (!current) return [...ordered].reverse();
  const position = ordered.indexOf(current);
  if (position >= 0) return ordered.slice(position + 1).reverse();
  // The running tag is gone from the registry: compare by key where the policy allows it.
  const currentKey = sortKey(
    current,
    policy,
    commitTimes,
    Number.MAX_SAFE_INTEGER,
  );
  if (!currentKey || policy.kind === 'mainSha') return [];
  return ordered
    .filter(tag => {
      const key = sortKey(tag, policy, commitTimes, 0);
      return key !== null && compareKeys(key, currentKey, policy) > 0;
    })
    .reverse();
}

function sortKey(
  tag: string,
  policy: TagPolicy,
  commitTimes: Map<string, number> | undefined,
  index: number,
): (string | number)[] | null {
  switch (policy.kind) {
    case 'semver': {
      const version = semver.clean(tag);
      if (!version || !semver.valid(version)) return null;
      if (!policy.prereleases && semver.prerelease(version)) return null;
      return [version];
    }
    case 'mainSha': {
      const match = tag.match(MAIN_SHA);
      if (!match) return null;
      const time = commitTimes?.get(match[1]);
      if (time !== undefined) return [time];
      if (match[2]) return [Number(match[2].padEnd(14, '0'))];
      return [index];
    }
    case 'shaRun': {
      const match = tag.match(SHA_RUN);
      return match ? [Number(match[2])] : null;
    }
    case 'regex': {
      const match = tag.match(policy.pattern);
      if (!match) return null;
      const key = match.groups?.key ?? match[1] ?? match[0];
      if (policy.orderBy === 'numeric') {
        const number = Number(key);
        return Number.isFinite(number) ? [number] : null;
      }
      if (policy.orderBy === 'semver') {
        const version = semver.clean(key);
        return version && semver.valid(version) ? [version] : null;
      }
      return [key];
    }
    default:
      return null;
  }
}

function compareKeys(
  a: (string | number)[],
  b: (string | number)[],
  policy: TagPolicy,
): number {
  const [x] = a;
  const [y] = b;
  const semverKeys =
    policy.kind === 'semver' ||
    (policy.kind === 'regex' && policy.orderBy === 'semver');
  if (semverKeys) return semver.compare(String(x), String(y));
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  return String(x).localeCompare(String(y));
}
