import {
  EnvironmentAutomation,
  EnvironmentAutomationEngine,
  ImageAutomationInstall,
  Problem,
} from '@gitops-backstage/plugin-gitops-common';
import { argoImageUpdater } from './argoImageUpdater';
import {
  AutomationObjects,
  AutomationTarget,
  fluxImageAutomation,
} from './fluxImageAutomation';
import { HINTS } from './hints';
import {
  ClusterObjects,
  KindKey,
  KindReadState,
  KubeObject,
  describeObject,
} from './kinds';
import { findByKey, normalizeImage } from './objectIndex';

export type {
  AutomationObjects,
  AutomationTarget,
} from './fluxImageAutomation';

/** Which engines' image automation could be read, by engine. */
export type AutomationEngines = Record<
  Exclude<EnvironmentAutomationEngine, 'portal'>,
  ImageAutomationInstall
>;

/** What writes an environment's image, and what stopped doing so. */
export interface ImageAutomationStatus {
  automation: EnvironmentAutomation[];
  engines: AutomationEngines;
  problems: Problem[];
}

/**
 * The engines' image automation of one environment: Flux's and Argo CD Image Updater's
 * entries, AutomationFailed for the objects that stopped (one problem, the first object
 * named, like the other failure modes), and whether each engine could be read at all.
 */
export function imageAutomation(
  target: AutomationTarget,
  objects: AutomationObjects,
  kindState: (kind: KindKey) => KindReadState = () => 'read',
): ImageAutomationStatus {
  const findings = [
    ...fluxImageAutomation(target, objects),
    ...argoImageUpdater(target, objects),
  ];
  const failures = findings.flatMap(f => f.failures);
  const problems: Problem[] =
    failures.length === 0
      ? []
      : [
          {
            type: 'AutomationFailed',
            severity: 'error',
            message:
              failures.length > 1
                ? `${failures[0].message} (and ${failures.length - 1} more)`
                : failures[0].message,
            hint: HINTS.AutomationFailed,
            object: describeObject(failures[0].object),
          },
        ];
  const automation = findings.map(f => f.entry);
  const annotated = automation.some(a => a.engine === 'argocd-image-updater');
  return {
    automation,
    problems,
    engines: {
      'flux-image-automation': install(
        ['imagerepositories', 'imagepolicies', 'imageupdateautomations'].map(
          kind => kindState(kind as KindKey),
        ),
      ),
      // 0.x has no CRD: an Application with its annotations is what there is to read.
      'argocd-image-updater':
        kindState('imageupdaters') === 'absent' && annotated
          ? 'installed'
          : install([kindState('imageupdaters')]),
    },
  };
}

/**
 * Without the image update controller nothing writes Git, whatever else is installed: one
 * absent kind is "not installed"; one the account may not list makes the answer unreadable.
 */
function install(states: KindReadState[]): ImageAutomationInstall {
  if (states.includes('absent')) return 'not installed';
  if (states.includes('forbidden')) return 'unreadable';
  if (states.includes('unknown')) return 'unknown';
  return 'installed';
}

const ENGINE_NAMES: Record<EnvironmentAutomationEngine, string> = {
  'flux-image-automation': 'Flux image automation',
  'argocd-image-updater': 'Argo CD Image Updater',
  portal: "the portal's auto-promotion",
};

/** "Flux image automation and the portal's auto-promotion from dev both write staging's image". */
export function automationConflict(
  engine: EnvironmentAutomationEngine,
  environment: string,
  autoPromotionFrom: string,
): string {
  return `${ENGINE_NAMES[engine]} and the portal's auto-promotion from ${autoPromotionFrom} both write ${environment}'s image`;
}

/**
 * Names the conflict on each engine entry when the portal's auto-promotion
 * (`policy.autoPromotion`) writes the same environment's image: the two would overwrite each
 * other's versions.
 */
export function withAutoPromotionConflicts(
  automation: readonly EnvironmentAutomation[],
  environment: string,
  autoPromotion: { from: string } | null,
): EnvironmentAutomation[] {
  return automation.map(entry =>
    autoPromotion && entry.engine !== 'portal'
      ? {
          ...entry,
          conflict: automationConflict(
            entry.engine,
            environment,
            autoPromotion.from,
          ),
        }
      : entry,
  );
}

/**
 * The image automation objects that may concern a service, looked up through the cache's
 * indexes: ImageRepositories of its image, their ImagePolicies, the ImageUpdateAutomations
 * and GitRepositories of those policies' namespaces, and the ImageUpdaters beside its
 * Application.
 */
export function selectAutomationObjects(
  cluster: ClusterObjects,
  query: { image: string | null; application?: KubeObject },
): AutomationObjects {
  const imageRepositories = query.image
    ? findByKey(
        cluster,
        'imagerepositories',
        `image:${normalizeImage(query.image)}`,
      )
    : [];
  const imagePolicies = imageRepositories.flatMap(r =>
    findByKey(
      cluster,
      'imagepolicies',
      `repo:${r.metadata?.namespace ?? ''}/${r.metadata?.name}`,
    ),
  );
  const namespaces = [
    ...new Set(imagePolicies.map(p => String(p.metadata?.namespace ?? ''))),
  ];
  const imageUpdateAutomations = namespaces.flatMap(ns =>
    cluster.list('imageupdateautomations', ns),
  );
  const gitRepositories = imageUpdateAutomations.flatMap(a => {
    const ref = a.spec?.sourceRef ?? {};
    if (ref.kind && ref.kind !== 'GitRepository') return [];
    const ns = ref.namespace ?? a.metadata?.namespace;
    return findByKey(cluster, 'gitrepositories', `name:${ns}/${ref.name}`);
  });
  const appNamespace = query.application?.metadata?.namespace;
  const imageUpdaters = appNamespace
    ? cluster.list('imageupdaters', appNamespace)
    : [];
  return {
    imageRepositories,
    imagePolicies,
    imageUpdateAutomations,
    gitRepositories,
    imageUpdaters,
  };
}
