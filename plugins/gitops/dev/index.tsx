import { Entity } from '@backstage/catalog-model';
import { createDevApp } from '@backstage/frontend-dev-utils';
import { PageBlueprint } from '@backstage/frontend-plugin-api';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { EnvironmentsResponse } from '@gitops-backstage/plugin-gitops-common';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import {
  entityWithoutGitops,
  guestbookEntity,
  guestbookEnvironments,
  guestbookEnvironmentsWithPolicy,
  guestbookEnvironmentsWithProblems,
  guestbookVerificationHistory,
  yearEndFreeze,
} from '../src/__fixtures__/guestbook';
import { guestbookDeliveryMetrics } from '../src/__fixtures__/deliveryMetrics';
import { guestbookEnvironmentsProgressive } from '../src/__fixtures__/progressive';
import { GitopsApi, gitopsApiRef } from '../src/api';
import { EntityGitopsContent } from '../src/components/EntityGitopsContent';
import { EntityGitopsEnvironmentsCard } from '../src/components/EntityGitopsEnvironmentsCard';
import gitopsPlugin from '../src/alpha';

// Answers from fixtures instead of a backend, keyed by entity name, so every
// state of the card can be looked at side by side without running one.
const responses: Record<string, EnvironmentsResponse> = {
  guestbook: guestbookEnvironments,
  'guestbook-policy': {
    ...guestbookEnvironmentsWithPolicy,
    entityRef: 'component:default/guestbook-policy',
  },
  'guestbook-canary': {
    ...guestbookEnvironmentsProgressive,
    entityRef: 'component:default/guestbook-canary',
  },
  'guestbook-broken': {
    ...guestbookEnvironmentsWithProblems,
    entityRef: 'component:default/guestbook-broken',
  },
};

const mockGitopsApi: GitopsApi = {
  async getEnvironments(entityRef) {
    const response = responses[entityRef.name];
    if (!response) {
      throw new Error(`No fixture for ${entityRef.name}`);
    }
    return response;
  },
  async getHistory(entityRef, environment) {
    return {
      entityRef: `component:${entityRef.namespace}/${entityRef.name}`,
      environment,
      items: [],
      actions: [],
    };
  },
  async promote() {
    throw new Error('This page serves fixtures; promotions need the backend');
  },
  async rollback() {
    throw new Error('This page serves fixtures; rollbacks need the backend');
  },
  async scale() {
    throw new Error('This page serves fixtures; scaling needs the backend');
  },
  async getAction(id) {
    throw new Error(`This page serves fixtures; no action ${id}`);
  },
  // The desired states of the fixtures, side by side: version and replicas.
  async compare(entityRef, from, to) {
    const environments = responses[entityRef.name]?.environments ?? [];
    const desired = (name: string) =>
      environments.find(e => e.name === name)?.desired;
    const differences = (['tag', 'replicas'] as const)
      .map(field => ({
        field: field === 'tag' ? 'image.tag' : field,
        from: desired(from)?.[field] ?? null,
        to: desired(to)?.[field] ?? null,
      }))
      .filter(d => d.from !== d.to);
    return { from, to, revision: '', differences };
  },
  async requestEngine() {
    throw new Error(
      'This page serves fixtures; engine requests need the backend',
    );
  },
  async requestRollout() {
    throw new Error(
      'This page serves fixtures; rollout requests need the backend',
    );
  },
  // The fleet page from the same fixtures, one row per fixture service.
  async getOverview() {
    const items = Object.values(responses).map(response => ({
      entityRef: response.entityRef,
      title: null,
      owner: 'group:default/guests',
      environments: response.environments.map(e => ({
        name: e.name,
        tag: e.desired?.tag ?? null,
        digest: e.desired?.digest ?? null,
        chartVersion: null,
        sync: e.sync?.status ?? null,
        health: e.sync?.health ?? null,
        problems: e.problems.length,
        error: e.error,
        stale: e.live?.stale ?? false,
        rollout:
          e.rollout && e.rollout.health !== 'Healthy'
            ? {
                health: e.rollout.health,
                weight: e.rollout.weight,
                step: e.rollout.step,
                steps: e.rollout.steps,
              }
            : null,
      })),
    }));
    return { items, totalCount: items.length, nextCursor: null };
  },
  // The Delivery section from a fixture ledger's metrics, for the tab and the fleet page.
  async getDeliveryMetrics() {
    return guestbookDeliveryMetrics;
  },
  async getEntityDeliveryMetrics() {
    return guestbookDeliveryMetrics;
  },
  async setAutomationPaused() {
    throw new Error('This page serves fixtures: pausing needs the backend');
  },
  // No source repository behind the fixtures: every version's source is unknown.
  async getChanges(entityRef, environment, to) {
    return {
      entityRef: `component:${entityRef.namespace}/${entityRef.name}`,
      environment,
      from: { version: null, revision: null },
      to: { version: to ?? null, revision: null },
      commits: [],
      truncated: false,
      source: null,
      unknownSource: 'This page serves fixtures; changes need the backend',
      totalCommits: 0,
      removedCommits: 0,
      pullRequests: 0,
      authors: 0,
      comparedWith: null,
    };
  },
  // The policy's answers from fixtures: prod frozen and waiting for an approval.
  async getVerifications(_entityRef, environment) {
    return {
      items: guestbookVerificationHistory.filter(
        v => v.environment === environment,
      ),
    };
  },
  async rerunVerification() {
    throw new Error(
      'This page serves fixtures; verifications need the backend',
    );
  },
  async getApprovals() {
    return { items: [] };
  },
  async approve() {
    throw new Error('This page serves fixtures; approvals need the backend');
  },
  async getFreezes() {
    return { items: [yearEndFreeze] };
  },
  async createFreeze() {
    throw new Error('This page serves fixtures; freezes need the backend');
  },
  async deleteFreeze() {
    throw new Error('This page serves fixtures; freezes need the backend');
  },
};

const brokenGuestbook: Entity = {
  ...guestbookEntity,
  metadata: { ...guestbookEntity.metadata, name: 'guestbook-broken' },
};

const canaryGuestbook: Entity = {
  ...guestbookEntity,
  metadata: { ...guestbookEntity.metadata, name: 'guestbook-canary' },
};

const policyGuestbook: Entity = {
  ...guestbookEntity,
  metadata: { ...guestbookEntity.metadata, name: 'guestbook-policy' },
};

function Example(props: { title: string; entity: Entity }) {
  return (
    <Grid item xs={12}>
      <Typography variant="h6" gutterBottom>
        {props.title}
      </Typography>
      <EntityProvider entity={props.entity}>
        <EntityGitopsEnvironmentsCard />
      </EntityProvider>
    </Grid>
  );
}

const devPlugin = gitopsPlugin.withOverrides({
  extensions: [
    gitopsPlugin.getExtension('api:gitops').override({
      params: defineParams =>
        defineParams({
          api: gitopsApiRef,
          deps: {},
          factory: () => mockGitopsApi,
        }),
    }),
    PageBlueprint.make({
      params: {
        path: '/',
        title: 'GitOps',
        loader: async () => (
          <Grid container spacing={3} style={{ padding: 24 }}>
            <Example title="Three environments" entity={guestbookEntity} />
            <Example
              title="One environment failing, one with warnings"
              entity={brokenGuestbook}
            />
            <Example title="Missing annotation" entity={entityWithoutGitops} />
            <Grid item xs={12}>
              <Typography variant="h6" gutterBottom>
                The GitOps tab
              </Typography>
              <EntityProvider entity={brokenGuestbook}>
                <EntityGitopsContent />
              </EntityProvider>
            </Grid>
            <Grid item xs={12}>
              <Typography variant="h6" gutterBottom>
                The GitOps tab with promotion gates, a freeze and verifications
              </Typography>
              <EntityProvider entity={policyGuestbook}>
                <EntityGitopsContent />
              </EntityProvider>
            </Grid>
            <Grid item xs={12}>
              <Typography variant="h6" gutterBottom>
                The GitOps tab with a canary paused in prod
              </Typography>
              <EntityProvider entity={canaryGuestbook}>
                <EntityGitopsContent />
              </EntityProvider>
            </Grid>
          </Grid>
        ),
      },
    }),
  ],
});

createDevApp({ features: [devPlugin] });
