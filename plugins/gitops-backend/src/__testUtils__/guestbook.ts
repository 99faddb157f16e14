import { Entity } from '@backstage/catalog-model';
import { healthyArgoService } from '../service/live/__fixtures__/clusterObjects';
import { KindKey } from '../service/live/kinds';
import { mergeSnapshots, shiftTimes } from './clusterSnapshots';

/** The example repository's guestbook, as the catalog describes it (Argo CD, Kustomize). */
export function guestbookEntity(): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'guestbook',
      namespace: 'default',
      annotations: {
        'backstage.io/kubernetes-id': 'guestbook',
        'argocd/app-selector': 'app.kubernetes.io/name=guestbook',
        'gitops.backstage.io/path': 'apps/guestbook',
      },
    },
    spec: { type: 'service', owner: 'guests', lifecycle: 'production' },
  };
}

/** The tags the example repository declares per environment. */
export const GUESTBOOK_TAGS = {
  dev: 'v1.0.5',
  staging: 'v1.0.4',
  prod: 'v1.0.3',
} as const;

/** Guestbook running healthy in each environment given, with its tag and replica count. */
export function guestbookObjects(
  running: Partial<
    Record<keyof typeof GUESTBOOK_TAGS, { tag: string; replicas: number }>
  >,
) {
  return shiftTimes(
    mergeSnapshots(
      ...Object.entries(running).map(([env, { tag, replicas }]) =>
        healthyArgoService({ service: 'guestbook', env, tag, replicas }),
      ),
    ),
  ) as Partial<Record<KindKey, any[]>>;
}

/** Asks `probe` every 50 ms until `done` holds; fails after `limitMs` with the last answer. */
export async function until<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  limitMs: number,
): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (done(value)) return { value, ms: Date.now() - started };
    if (Date.now() - started > limitMs) {
      throw new Error(
        `not reached within ${limitMs} ms: ${JSON.stringify(value)}`,
      );
    }
    await new Promise(resolve => setTimeout(resolve, 50));
  }
}
