import { SignalApi, signalApiRef } from '@backstage/plugin-signals-react';
import { Entity } from '@backstage/catalog-model';
import { DeliveryMetrics } from '@gitops-backstage/plugin-gitops-common';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import {
  AuthorizeResult,
  EvaluatePermissionRequest,
} from '@backstage/plugin-permission-common';
import {
  PermissionApi,
  permissionApiRef,
} from '@backstage/plugin-permission-react';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { ReactElement } from 'react';
import { GitopsApi, gitopsApiRef } from '../api';
import { guestbookEntity } from '../__fixtures__/guestbook';

/** Delivery metrics of a window in which nothing was deployed: `window` is e.g. `30d`. */
export function noDeliveryMetrics(window = '30d'): DeliveryMetrics {
  const days = Number.parseInt(window, 10) || 30;
  const to = new Date('2026-11-28T00:00:00.000Z');
  return {
    window: {
      days,
      from: new Date(to.getTime() - days * 86_400_000).toISOString(),
      to: to.toISOString(),
    },
    failureWindowHours: 24,
    entities: 0,
    environments: [],
  };
}

/**
 * A GitOps API whose environments come from `getEnvironments`; the rest are mocks. `compare`
 * answers "no differences", `getHistory` an empty history, the delivery metrics an empty
 * window, and verifications, approvals and freezes empty lists unless a test says otherwise,
 * so every tab renders whole.
 */
export function mockGitopsApi(
  getEnvironments: GitopsApi['getEnvironments'],
): jest.Mocked<GitopsApi> {
  return {
    getEnvironments: jest.fn(getEnvironments),
    getHistory: jest.fn(async (entityRef, environment) => ({
      entityRef: `component:${entityRef.namespace}/${entityRef.name}`,
      environment,
      items: [],
      actions: [],
    })),
    compare: jest.fn(async (_entityRef, from, to) => ({
      from,
      to,
      revision: 'abc1234',
      differences: [],
    })),
    promote: jest.fn(),
    getAction: jest.fn(),
    getOverview: jest.fn(),
    getDeliveryMetrics: jest.fn(async query =>
      noDeliveryMetrics(query?.window),
    ),
    getEntityDeliveryMetrics: jest.fn(async (_entityRef, window) =>
      noDeliveryMetrics(window),
    ),
    requestEngine: jest.fn(),
    requestRollout: jest.fn(),
    rollback: jest.fn(),
    scale: jest.fn(),
    setAutomationPaused: jest.fn(),
    getChanges: jest.fn(async (entityRef, environment, to) => ({
      entityRef: `component:${entityRef.namespace}/${entityRef.name}`,
      environment,
      from: { version: null, revision: null },
      to: { version: to ?? null, revision: null },
      commits: [],
      truncated: false,
      source: null,
      unknownSource: null,
      totalCommits: 0,
      removedCommits: 0,
      pullRequests: 0,
      authors: 0,
      comparedWith: null,
    })),
    getVerifications: jest.fn(async (_entityRef, _environment) => ({
      items: [],
    })),
    rerunVerification: jest.fn(),
    getApprovals: jest.fn(async (_entityRef, _environment) => ({ items: [] })),
    approve: jest.fn(),
    getFreezes: jest.fn(async () => ({ items: [] })),
    createFreeze: jest.fn(),
    deleteFreeze: jest.fn(async (_id: string) => {}),
  };
}

/** What a fake policy answers for a permission name and resource ref; `pending` never answers. */
export type PermissionDecision = 'allow' | 'deny' | 'pending';

/**
 * A permission API that answers from `decide` (by default: everything allowed), e.g.
 * `fakePermissionApi((name, ref) => name === 'gitops.promote' && ref?.endsWith('#prod') ? 'deny' : 'allow')`.
 * The permission hook caches answers per permission and resource ref for the whole test file,
 * so a test that denies something should use an entity no other test uses.
 */
export function fakePermissionApi(
  decide: (
    permission: string,
    resourceRef: string | undefined,
  ) => PermissionDecision = () => 'allow',
): PermissionApi {
  return {
    authorize(request: EvaluatePermissionRequest) {
      const decision = decide(request.permission.name, request.resourceRef);
      if (decision === 'pending') return new Promise(() => {});
      return Promise.resolve({
        result:
          decision === 'allow' ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
      });
    },
  };
}

/**
 * Renders an entity page element in a test app with the given API and entity, and a
 * permission API that allows everything unless a test passes its own.
 */
/**
 * A signal API whose messages the test sends: `send(channel, message)` reaches the page's
 * subscribers of that channel.
 */
export function fakeSignalApi() {
  const subscribers = new Map<string, Set<(message: any) => void>>();
  const signalApi: SignalApi = {
    subscribe(channel, onMessage) {
      const set = subscribers.get(channel) ?? new Set();
      set.add(onMessage as (message: any) => void);
      subscribers.set(channel, set);
      return {
        unsubscribe: () => set.delete(onMessage as (message: any) => void),
      };
    },
  };
  return {
    signalApi,
    send(channel: string, message: Record<string, unknown>) {
      subscribers.get(channel)?.forEach(onMessage => onMessage(message));
    },
  };
}

export function renderWithApi(
  element: ReactElement,
  api: GitopsApi,
  entity: Entity = guestbookEntity,
  permissionApi: PermissionApi = fakePermissionApi(),
  signalApi?: SignalApi,
) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [gitopsApiRef, api],
        [permissionApiRef, permissionApi],
        ...(signalApi ? [[signalApiRef, signalApi] as const] : []),
      ]}
    >
      <EntityProvider entity={entity}>{element}</EntityProvider>
    </TestApiProvider>,
  );
}
