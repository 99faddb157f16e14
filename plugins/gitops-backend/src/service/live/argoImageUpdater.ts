import { KubeObject, condition, describeObject } from './kinds';
import {
  AutomationFinding,
  AutomationObjects,
  AutomationTarget,
} from './fluxImageAutomation';
import { normalizeImage } from './objectIndex';

const PREFIX = 'argocd-image-updater.argoproj.io';

/** Update settings, as 1.x's `commonUpdateSettings` and 0.x's `<alias>.*` annotations say. */
interface UpdateSettings {
  updateStrategy?: string;
  allowTags?: string;
}

/** One image the updater follows for the Application. */
interface FollowedImage {
  alias: string | null;
  /** The version constraint after the image (`ghcr.io/acme/guestbook:^1.x`). */
  constraint: string | null;
  settings: UpdateSettings;
  writeBack: string | null;
}

/**
 * Argo CD Image Updater on the environment's Application: an `ImageUpdater` (1.x) whose
 * `applicationRefs` select the Application and list the service's image, or read its
 * annotations (`useAnnotations`); else the annotations alone, as 0.x reads them.
 */
export function argoImageUpdater(
  target: AutomationTarget,
  objects: AutomationObjects,
): AutomationFinding[] {
  const app = target.application;
  if (!target.image || !app) return [];
  const image = normalizeImage(target.image);
  const findings: AutomationFinding[] = [];
  // 1.x looks for Applications in the ImageUpdater's own namespace.
  const updaters = objects.imageUpdaters.filter(
    u => u.metadata?.namespace === app.metadata?.namespace,
  );
  for (const updater of updaters) {
    for (const ref of updater.spec?.applicationRefs ?? []) {
      if (!selectsApp(ref, app)) continue;
      const followed =
        ref.useAnnotations === true
          ? fromAnnotations(app, image)
          : fromResource(updater.spec ?? {}, ref, image);
      if (followed) findings.push(withStatus(updater, app, followed, image));
    }
  }
  if (findings.length > 0) return findings;
  const legacy = fromAnnotations(app, image);
  if (!legacy) return [];
  return [
    {
      failures: [],
      entry: {
        ...entryOf(legacy, app),
        detail: `set by annotations on ${describeObject(
          app,
        )}; Image Updater 0.x reports no status (its errors are in its logs)`,
      },
    },
  ];
}

function entryOf(followed: FollowedImage, app: KubeObject) {
  return {
    engine: 'argocd-image-updater' as const,
    policy: describeStrategy(followed),
    lastUpdateAt: null,
    error: null,
    latestImage: null,
    writeBack: followed.writeBack ?? 'argocd',
    objects: [describeObject(app)!],
    conflict: null,
  };
}

/** `namePattern` is a glob on the Application's name; `labelSelectors` match its labels. */
function selectsApp(ref: Record<string, any>, app: KubeObject) {
  const pattern = String(ref.namePattern ?? '');
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map(part => part.split('?').map(escapeRegex).join('.'))
      .join('.*')}$`,
  );
  if (!regex.test(String(app.metadata?.name ?? ''))) return false;
  const wanted = ref.labelSelectors?.matchLabels ?? {};
  return Object.entries(wanted).every(
    ([key, value]) => app.metadata?.labels?.[key] === value,
  );
}

function escapeRegex(text: string) {
  return text.replace(/[.+^${}()|[\]\\]/g, '\\$&');
}

function fromResource(
  spec: Record<string, any>,
  ref: Record<string, any>,
  image: string,
): FollowedImage | null {
  const config = (ref.images ?? []).find(
    (i: any) => normalizeImage(i?.imageName) === image,
  );
  if (!config) return null;
  // The most specific level wins: the image, then the application ref, then the spec.
  const settings: UpdateSettings = {
    ...spec.commonUpdateSettings,
    ...ref.commonUpdateSettings,
    ...config.commonUpdateSettings,
  };
  const writeBack = { ...spec.writeBackConfig, ...ref.writeBackConfig };
  return {
    alias: config.alias ?? null,
    constraint: constraintOf(config.imageName),
    settings,
    writeBack: describeWriteBack(writeBack.method, writeBack.gitConfig?.branch),
  };
}

/** `[<alias>=]<image>[:<constraint>]`, comma-separated, and the `<alias>.*` settings. */
function fromAnnotations(app: KubeObject, image: string): FollowedImage | null {
  const annotations: Record<string, string> = app.metadata?.annotations ?? {};
  const list = annotations[`${PREFIX}/image-list`];
  if (!list) return null;
  for (const item of list.split(',').map(i => i.trim())) {
    const match = item.match(/^(?:([A-Za-z0-9][A-Za-z0-9._-]*)=)?(.+)$/);
    if (!match || normalizeImage(match[2]) !== image) continue;
    const alias = match[1] ?? null;
    const setting = (name: string) =>
      (alias && annotations[`${PREFIX}/${alias}.${name}`]) || undefined;
    return {
      alias,
      constraint: constraintOf(match[2]),
      settings: {
        updateStrategy: setting('update-strategy'),
        allowTags: setting('allow-tags'),
      },
      writeBack: describeWriteBack(
        annotations[`${PREFIX}/write-back-method`],
        annotations[`${PREFIX}/git-branch`],
      ),
    };
  }
  return null;
}

/** The part after the image's last colon, unless that colon is a registry's port. */
function constraintOf(reference: unknown): string | null {
  const text = String(reference ?? '').replace(/@.*$/, '');
  const colon = text.lastIndexOf(':');
  return colon > text.lastIndexOf('/') ? text.slice(colon + 1) : null;
}

function withoutVersion(reference: unknown): string {
  const text = String(reference ?? '').replace(/@.*$/, '');
  const constraint = constraintOf(text);
  return constraint === null ? text : text.slice(0, -constraint.length - 1);
}

/** `git:secret:argocd/creds` is git with credentials: only the method is shown. */
function describeWriteBack(method: unknown, branch: unknown): string | null {
  if (typeof method !== 'string' || !method) return null;
  if (!method.startsWith('git')) return method;
  return branch ? `git (pushes to ${branch})` : 'git';
}

/** `^1.x` for semver (its default); the strategy and allowed tags for the others. */
function describeStrategy(followed: FollowedImage): string {
  // 0.x named newest-build `latest` and alphabetical `name`.
  const legacy: Record<string, string> = {
    latest: 'newest-build',
    name: 'alphabetical',
  };
  const raw = followed.settings.updateStrategy ?? 'semver';
  const strategy = legacy[raw] ?? raw;
  const allow = followed.settings.allowTags
    ? ` of tags ${followed.settings.allowTags}`
    : '';
  if (strategy === 'semver') {
    return `${followed.constraint ?? 'any version'}${allow}`;
  }
  if (strategy === 'digest') {
    return `digest of ${followed.constraint ?? 'latest'}`;
  }
  return `${strategy}${allow}`;
}

/** The ImageUpdater's status: when it checked and updated, what it wrote, and its errors. */
function withStatus(
  updater: KubeObject,
  app: KubeObject,
  followed: FollowedImage,
  image: string,
): AutomationFinding {
  const status = updater.status ?? {};
  const recent = (status.recentUpdates ?? []).find(
    (u: any) =>
      normalizeImage(u?.image) === image &&
      (!followed.alias || u?.alias === followed.alias),
  );
  const ready = condition(updater, 'Ready');
  const error = condition(updater, 'Error');
  const message =
    (error?.status === 'True' && (error.message || error.reason)) ||
    (ready?.status === 'False' && (ready.message || ready.reason)) ||
    null;
  const failures = message
    ? [{ object: updater, message: `${describeObject(updater)}: ${message}` }]
    : [];
  return {
    failures,
    entry: {
      ...entryOf(followed, app),
      lastUpdateAt: recent?.updatedAt ?? status.lastUpdatedAt ?? null,
      error: failures[0]?.message ?? null,
      latestImage: recent
        ? `${withoutVersion(recent.image)}:${recent.newVersion}`
        : null,
      lastRunAt: status.lastCheckedAt ?? null,
      objects: [describeObject(updater)!, describeObject(app)!],
    },
  };
}
