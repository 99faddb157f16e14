import { EnvironmentAutomation } from '@gitops-backstage/plugin-gitops-common';
import { KubeObject, condition, describeObject } from './kinds';
import { normalizeImage, normalizePath } from './objectIndex';

/** The environment whose image automation is looked for. */
export interface AutomationTarget {
  environment: string;
  /** The service's image repository, without tag (DesiredState.image). */
  image: string | null;
  /** The environment's Git repository, branch and folder or values file. */
  repoUrl: string | null;
  branch: string | null;
  path: string | null;
  /** The Argo CD Application that deploys the environment. */
  application?: KubeObject;
  /** Every configured environment: a policy naming another one is that one's. */
  environments?: readonly string[];
}

/** The image automation objects around one service (see selectAutomationObjects). */
export interface AutomationObjects {
  imageRepositories: readonly KubeObject[];
  imagePolicies: readonly KubeObject[];
  imageUpdateAutomations: readonly KubeObject[];
  /** The sources of those automations, to check which repository they write. */
  gitRepositories: readonly KubeObject[];
  imageUpdaters: readonly KubeObject[];
}

/** One automation found, with the objects that failed (each becomes AutomationFailed). */
export interface AutomationFinding {
  entry: EnvironmentAutomation;
  failures: Array<{ object: KubeObject; message: string }>;
}

/**
 * Flux image automation that writes the environment's image: an ImagePolicy on an
 * ImageRepository of the service's image, applied by an ImageUpdateAutomation of the same
 * namespace whose `spec.update.path` holds the environment's folder.
 */
export function fluxImageAutomation(
  target: AutomationTarget,
  objects: AutomationObjects,
): AutomationFinding[] {
  if (!target.image) return [];
  const image = normalizeImage(target.image);
  const findings: AutomationFinding[] = [];
  const repositories = objects.imageRepositories.filter(
    r => normalizeImage(r.spec?.image) === image,
  );
  for (const repository of repositories) {
    const policies = objects.imagePolicies.filter(p => refersTo(p, repository));
    for (const policy of policies) {
      const automations = objects.imageUpdateAutomations.filter(
        a =>
          a.metadata?.namespace === policy.metadata?.namespace &&
          selects(a.spec?.policySelector, policy.metadata?.labels) &&
          writes(a, policy, target, objects.gitRepositories),
      );
      for (const automation of automations) {
        findings.push(finding(repository, policy, automation, objects));
      }
    }
  }
  return findings;
}

function refersTo(policy: KubeObject, repository: KubeObject) {
  const ref = policy.spec?.imageRepositoryRef ?? {};
  return (
    ref.name === repository.metadata?.name &&
    (ref.namespace ?? policy.metadata?.namespace) ===
      repository.metadata?.namespace
  );
}

/** A `policySelector` (matchLabels): none or an empty one selects every policy. */
function selects(
  selector: { matchLabels?: Record<string, string> } | undefined,
  labels: Record<string, string> | undefined,
) {
  return Object.entries(selector?.matchLabels ?? {}).every(
    ([key, value]) => labels?.[key] === value,
  );
}

/**
 * Whether the automation writes this environment's image. It updates the files under its
 * path that carry a marker naming the policy; the markers are in Git and not read here, so a
 * policy counts when it names the environment (label `gitops.backstage.io/environment`, or a
 * `-dev` in its name) and the automation's path holds the environment's folder; a policy
 * naming no environment counts only for an automation of exactly the environment's folder.
 */
function writes(
  automation: KubeObject,
  policy: KubeObject,
  target: AutomationTarget,
  gitRepositories: readonly KubeObject[],
) {
  const source = sourceOf(automation, gitRepositories);
  // A repository the backend reads from a local path (a mirror, the demo) cannot be compared
  // with the URL Flux clones: there the path alone decides.
  if (
    source?.spec?.url &&
    target.repoUrl &&
    !isLocalPath(target.repoUrl) &&
    !sameRepository(source.spec.url, target.repoUrl)
  ) {
    return false;
  }
  const root = normalizePath(automation.spec?.update?.path ?? '').replace(
    /^\.$/,
    '',
  );
  const envPath = normalizePath(target.path ?? '');
  if (!envPath) return false;
  if (namesEnvironment(policy, target.environment)) {
    return root === '' || root === envPath || envPath.startsWith(`${root}/`);
  }
  const elsewhere = (target.environments ?? []).some(
    env => env !== target.environment && namesEnvironment(policy, env),
  );
  return root === envPath && !elsewhere;
}

function namesEnvironment(policy: KubeObject, environment: string) {
  if (
    policy.metadata?.labels?.['gitops.backstage.io/environment'] === environment
  ) {
    return true;
  }
  return String(policy.metadata?.name ?? '')
    .split(/[-.]/)
    .includes(environment);
}

function sourceOf(
  automation: KubeObject,
  gitRepositories: readonly KubeObject[],
) {
  const ref = automation.spec?.sourceRef ?? {};
  const namespace = ref.namespace ?? automation.metadata?.namespace;
  return gitRepositories.find(
    g => g.metadata?.name === ref.name && g.metadata?.namespace === namespace,
  );
}

/** A path on disk (`/srv/git/repo`, `../repo`, `file://…`), not a URL a controller clones. */
function isLocalPath(url: string): boolean {
  if (url.startsWith('file://')) return true;
  return (
    !/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !/^[^/@\s]+@[^/:\s]+:/.test(url)
  );
}

/** `https://host/org/repo(.git)` and `ssh://git@host/org/repo` are one repository. */
export function sameRepository(a: string, b: string): boolean {
  const key = (url: string) =>
    url
      .trim()
      .toLowerCase()
      .replace(/^[a-z+]+:\/\//, '')
      .replace(/^[^@/]+@/, '')
      .replace(/^([^/:]+):(?!\d)/, '$1/')
      .replace(/:\d+\//, '/')
      .replace(/\.git$/, '')
      .replace(/\/+$/, '');
  return key(a) === key(b);
}

function finding(
  repository: KubeObject,
  policy: KubeObject,
  automation: KubeObject,
  objects: AutomationObjects,
): AutomationFinding {
  const failures = [repository, policy, automation].flatMap(object => {
    const ready = condition(object, 'Ready');
    return ready?.status === 'False'
      ? [
          {
            object,
            message: `${describeObject(object)}: ${[ready.reason, ready.message]
              .filter(Boolean)
              .join(': ')}`,
          },
        ]
      : [];
  });
  const status = automation.status ?? {};
  const git = automation.spec?.git ?? {};
  const branch =
    git.push?.branch ??
    git.checkout?.ref?.branch ??
    sourceOf(automation, objects.gitRepositories)?.spec?.ref?.branch;
  return {
    failures,
    entry: {
      engine: 'flux-image-automation',
      policy: describePolicy(policy),
      lastUpdateAt: status.lastPushTime ?? null,
      error: failures[0]?.message ?? null,
      latestImage: latestImage(policy),
      lastRunAt: status.lastAutomationRunTime ?? null,
      lastCommit: status.lastPushCommit ?? null,
      writeBack: branch ? `git (pushes to ${branch})` : 'git',
      objects: [repository, policy, automation].map(o => describeObject(o)!),
      paused: [repository, policy, automation].some(
        o => o.spec?.suspend === true,
      ),
      conflict: null,
    },
  };
}

/** `^1.x` for semver; the ordering and the tags it keeps for the others. */
export function describePolicy(policy: KubeObject): string | null {
  const choice = policy.spec?.policy ?? {};
  const filter = policy.spec?.filterTags?.pattern;
  const tags = filter ? ` of tags ${filter}` : '';
  if (choice.semver?.range) return `${choice.semver.range}${tags}`;
  if (choice.alphabetical) {
    return `alphabetical ${choice.alphabetical.order ?? 'asc'}${tags}`;
  }
  if (choice.numerical) {
    return `numerical ${choice.numerical.order ?? 'asc'}${tags}`;
  }
  return null;
}

/** `status.latestRef` (Flux 2.6+); `latestImage`, a string, before. */
function latestImage(policy: KubeObject): string | null {
  const ref = policy.status?.latestRef;
  if (ref?.name && ref.tag) {
    return `${ref.name}:${ref.tag}${ref.digest ? `@${ref.digest}` : ''}`;
  }
  return policy.status?.latestImage ?? null;
}
