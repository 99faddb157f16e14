import { Entity } from '@backstage/catalog-model';
import {
  GitopsAction,
  DesiredState,
  EnvironmentStatus,
  EnvironmentsResponse,
  GateState,
  GitopsApproval,
  GitopsFreeze,
  PromotionGate,
  VerificationRecord,
} from '@gitops-backstage/plugin-gitops-common';

// Mirrors examples/gitops-repo/apps/guestbook, so the tests and the dev app
// show what the backend returns for the example repository.

const REVISION = '3f2a9c81d4e5b6a7c8d9e0f1a2b3c4d5e6f7a8b9';

/** The guestbook component as examples/entities.yaml declares it. */
export const guestbookEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'guestbook',
    namespace: 'default',
    annotations: {
      'gitops.backstage.io/path': 'apps/guestbook',
      'gitops.backstage.io/image': 'ghcr.io/acme/guestbook',
    },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'guests' },
};

/** A component that never opted in to the GitOps plugin. */
export const entityWithoutGitops: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'legacy-billing', namespace: 'default' },
  spec: { type: 'service', lifecycle: 'production', owner: 'guests' },
};

function desired(
  environmentName: string,
  overrides: Partial<DesiredState>,
): DesiredState {
  return {
    layout: 'kustomize',
    image: 'ghcr.io/acme/guestbook',
    tag: null,
    digest: null,
    replicas: null,
    autoscaling: null,
    resources: null,
    namespace: `guestbook-${environmentName}`,
    workload: 'guestbook',
    source: {
      repo: 'https://github.com/acme/gitops.git',
      branch: 'main',
      path: `apps/guestbook/overlays/${environmentName}`,
      revision: REVISION,
    },
    warnings: [],
    ...overrides,
  };
}

function environment(
  name: string,
  state: DesiredState | null,
  error: string | null = null,
): EnvironmentStatus {
  return {
    name,
    desired: state,
    live: null,
    sync: null,
    drift: [],
    problems: [],
    registry: null,
    error,
  };
}

export const guestbookDev = environment(
  'dev',
  desired('dev', {
    tag: 'v1.0.5',
    replicas: 1,
    resources: {
      requests: { cpu: '50m', memory: '64Mi' },
      limits: { cpu: '100m', memory: '128Mi' },
    },
  }),
);

export const guestbookStaging = environment(
  'staging',
  desired('staging', {
    tag: 'v1.0.4',
    replicas: 2,
    resources: {
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: '250m', memory: '256Mi' },
    },
  }),
);

export const guestbookProd = environment(
  'prod',
  desired('prod', {
    tag: 'v1.0.3',
    replicas: 3,
    autoscaling: {
      minReplicas: 3,
      maxReplicas: 10,
      targetCPUUtilizationPercentage: 70,
      targetMemoryUtilizationPercentage: 80,
    },
    resources: {
      requests: { cpu: '200m', memory: '256Mi' },
      limits: { cpu: '500m', memory: '512Mi' },
    },
  }),
);

/** What the environments endpoint returns for the example guestbook. */
export const guestbookEnvironments: EnvironmentsResponse = {
  entityRef: 'component:default/guestbook',
  environments: [guestbookDev, guestbookStaging, guestbookProd],
};

/**
 * Same service with a staging overlay that does not build and a prod overlay
 * that reads with warnings: the card has to keep showing the other rows.
 */
export const guestbookEnvironmentsWithProblems: EnvironmentsResponse = {
  entityRef: 'component:default/guestbook',
  environments: [
    guestbookDev,
    environment(
      'staging',
      null,
      'apps/guestbook/overlays/staging/kustomization.yaml: resource ../../base-v2 not found (apps/guestbook/base-v2)',
    ),
    {
      ...guestbookProd,
      desired: {
        ...guestbookProd.desired!,
        warnings: [
          'apps/guestbook/overlays/prod/kustomization.yaml: configMapGenerator is not rendered',
        ],
      },
    },
  ],
};

/**
 * Same service with its clusters read: prod still runs v1.0.2 (drift) under an HPA, and the
 * staging cluster could not be read while Git could.
 */
export const guestbookEnvironmentsLive: EnvironmentsResponse = {
  entityRef: 'component:default/guestbook',
  environments: [
    {
      ...guestbookDev,
      live: {
        cluster: 'nonprod',
        namespace: 'guestbook-dev',
        workload: 'guestbook',
        images: ['ghcr.io/acme/guestbook:v1.0.5'],
        replicas: { desired: 1, ready: 1, updated: 1, available: 1 },
        rollout: { status: 'Complete', message: null },
        autoscaling: null,
        pods: { total: 1, ready: 1, restarts: 0 },
      },
      sync: {
        engine: 'argocd',
        status: 'Synced',
        health: 'Healthy',
        revision: REVISION,
        lastSyncedAt: '2026-11-25T11:59:00Z',
        message: null,
        object: 'Application argocd/guestbook-dev',
      },
      registry: {
        image: 'ghcr.io/acme/guestbook',
        policy: 'semver',
        latest: 'v1.0.6',
        newer: ['v1.0.6'],
        digest: `sha256:${'b'.repeat(64)}`,
        tagExists: true,
      },
    },
    {
      ...guestbookStaging,
      error: 'cluster nonprod did not answer within 5000 ms',
    },
    {
      ...guestbookProd,
      live: {
        cluster: 'prod',
        namespace: 'guestbook-prod',
        workload: 'guestbook',
        images: ['ghcr.io/acme/guestbook:v1.0.2'],
        replicas: { desired: 3, ready: 3, updated: 3, available: 3 },
        rollout: { status: 'Complete', message: null },
        autoscaling: {
          minReplicas: 3,
          maxReplicas: 10,
          currentReplicas: 3,
          desiredReplicas: 3,
          metrics: [{ name: 'cpu', current: 41, target: 70 }],
        },
        pods: { total: 3, ready: 3, restarts: 0 },
      },
      sync: {
        engine: 'flux',
        status: 'Synced',
        health: 'Healthy',
        revision: `main@sha1:${REVISION}`,
        lastSyncedAt: '2026-11-25T11:58:00Z',
        message: null,
        object: 'Kustomization flux-system/guestbook-prod',
      },
      drift: [
        {
          field: 'image',
          desired: 'ghcr.io/acme/guestbook:v1.0.3',
          live: 'ghcr.io/acme/guestbook:v1.0.2',
        },
      ],
      problems: [
        {
          type: 'Drift',
          severity: 'warning',
          message:
            'image: Git ghcr.io/acme/guestbook:v1.0.3, cluster ghcr.io/acme/guestbook:v1.0.2',
          hint: 'The cluster differs from Git: with self-heal off, sync; a manual kubectl change is reverted on the next sync.',
          object: 'Deployment guestbook-prod/guestbook',
        },
      ],
    },
  ],
};

/** A dry-run answer of the backend, for the change dialogs. */
export function plannedAction(
  overrides: Partial<GitopsAction> = {},
): GitopsAction {
  return {
    id: null,
    action: 'promote',
    entityRef: 'component:default/guestbook',
    status: 'DryRun',
    from: 'dev',
    to: 'staging',
    actor: 'user:default/guest',
    gates: [],
    version: { tag: 'v1.0.5', digest: null },
    previousVersion: { tag: 'v1.0.4', digest: null },
    scaling: null,
    diff: '',
    commit: null,
    branch: null,
    pullRequest: null,
    message: null,
    createdAt: '2026-11-25T12:00:00.000Z',
    updatedAt: '2026-11-25T12:00:00.000Z',
    finishedAt: null,
    ...overrides,
  };
}

/** A gate as the policy answers it; `passed` follows `state`. */
export function gate(
  name: string,
  state: GateState,
  message: string,
  overrides: Partial<PromotionGate> = {},
): PromotionGate {
  return {
    name,
    state,
    passed: state === 'pass',
    message,
    retryAt: null,
    evidence: null,
    ...overrides,
  };
}

/** When staging's v1.0.4 has soaked long enough for prod. */
export const SOAK_UNTIL = '2026-12-04T09:00:00.000Z';
/** When the year-end freeze of prod ends. */
export const FREEZE_UNTIL = '2026-12-28T08:00:00.000Z';

/** An org-wide freeze of prod, as `GET /freezes` answers it. */
export const yearEndFreeze: GitopsFreeze = {
  id: 'freeze-1',
  environments: ['prod'],
  reason: 'year-end freeze',
  until: FREEZE_UNTIL,
  by: 'user:default/alice',
  createdAt: '2026-12-01T10:00:00.000Z',
};

/** The gates of the next promotion staging → prod: two pass, three wait. */
export const prodGates: PromotionGate[] = [
  gate('allowedSource', 'pass', 'prod takes promotions from staging'),
  gate('healthySource', 'pass', 'staging is Synced and Healthy'),
  gate('verifiedIn', 'pass', 'v1.0.4 passed its verification in staging', {
    evidence: { environment: 'staging', state: 'Passed' },
    links: [
      {
        title: 'error-ratio in Prometheus',
        url: 'https://prometheus.example.com/graph?g0.expr=error_ratio',
      },
    ],
  }),
  gate('soak', 'wait', 'v1.0.4 has run 20 h of 24 h in staging', {
    retryAt: SOAK_UNTIL,
    evidence: { since: '2026-12-03T09:00:00.000Z', hours: 24 },
  }),
  gate(
    'approvals',
    'wait',
    '0 of 1 approvals (group:default/release-managers)',
    {
      evidence: { required: 1, approvals: [] },
    },
  ),
  gate(
    'freeze',
    'wait',
    'prod is frozen: year-end freeze, set by user:default/alice',
    { retryAt: FREEZE_UNTIL, evidence: { freeze: 'freeze-1' } },
  ),
];

/**
 * The guestbook under a promotion policy: staging verified v1.0.4, prod frozen and waiting
 * for soak time and an approval before staging's v1.0.4 may go there, dev without checks.
 */
export const guestbookEnvironmentsWithPolicy: EnvironmentsResponse = {
  entityRef: 'component:default/guestbook',
  environments: [
    {
      ...guestbookDev,
      verification: {
        state: 'NotConfigured',
        version: { tag: 'v1.0.5', digest: null },
        at: null,
        checks: [],
        message: 'dev has no verification checks',
      },
      freeze: null,
      gates: null,
      policy: {
        requiredApprovals: 0,
        approvers: [],
        verifiedIn: [],
        windows: [],
        verificationChecks: [],
      },
    },
    {
      ...guestbookStaging,
      verification: {
        state: 'Passed',
        version: { tag: 'v1.0.4', digest: null },
        at: '2026-12-03T09:30:00.000Z',
        checks: [
          {
            name: 'error-ratio',
            kind: 'prometheus',
            state: 'Passed',
            value: 0.004,
            threshold: '< 0.01',
            detail: '5xx of all requests over 10 min after the rollout',
            links: [
              {
                title: 'Graph',
                url: 'https://prometheus.example.com/graph?g0.expr=error_ratio',
              },
            ],
            at: '2026-12-03T09:30:00.000Z',
          },
          {
            name: 'smoke',
            kind: 'http',
            state: 'Passed',
            value: 200,
            threshold: '200',
            detail: 'GET https://guestbook-staging.example.com/healthz',
            at: '2026-12-03T09:20:00.000Z',
          },
        ],
      },
      freeze: null,
      gates: {
        from: 'dev',
        version: { tag: 'v1.0.5', digest: null },
        items: [
          gate('allowedSource', 'pass', 'staging takes promotions from dev'),
          gate('versionKnown', 'pass', 'dev declares v1.0.5'),
        ],
      },
      policy: {
        requiredApprovals: 0,
        approvers: [],
        verifiedIn: [],
        windows: [],
        verificationChecks: ['error-ratio', 'smoke'],
      },
    },
    {
      ...guestbookProd,
      verification: {
        state: 'Failed',
        version: { tag: 'v1.0.3', digest: null },
        at: '2026-12-02T15:00:00.000Z',
        checks: [
          {
            name: 'error-ratio',
            kind: 'prometheus',
            state: 'Failed',
            value: 0.031,
            threshold: '< 0.01',
            detail: '5xx of all requests over 10 min after the rollout',
            at: '2026-12-02T15:00:00.000Z',
          },
        ],
      },
      freeze: {
        id: 'freeze-1',
        reason: 'year-end freeze',
        until: FREEZE_UNTIL,
        by: 'user:default/alice',
      },
      gates: {
        from: 'staging',
        version: { tag: 'v1.0.4', digest: null },
        items: prodGates,
      },
      policy: {
        requiredApprovals: 1,
        approvers: ['group:default/release-managers'],
        verifiedIn: ['staging'],
        windows: [],
        verificationChecks: ['error-ratio'],
      },
    },
  ],
};

/** A verification record of `GET …/verifications`. */
export function verificationRecord(
  overrides: Partial<VerificationRecord> = {},
): VerificationRecord {
  return {
    entityRef: 'component:default/guestbook',
    environment: 'staging',
    version: { tag: 'v1.0.4', digest: null },
    state: 'Passed',
    checks: [],
    attempts: 1,
    startedAt: '2026-12-03T09:20:00.000Z',
    finishedAt: '2026-12-03T09:30:00.000Z',
    nextAttemptAt: null,
    at: '2026-12-03T09:30:00.000Z',
    requestedBy: null,
    ...overrides,
  };
}

/** staging's verifications, newest first: v1.0.4 passed, v1.0.3 failed after two attempts. */
export const guestbookVerificationHistory: VerificationRecord[] = [
  verificationRecord(),
  verificationRecord({
    version: { tag: 'v1.0.3', digest: null },
    state: 'Failed',
    attempts: 2,
    startedAt: '2026-11-28T14:00:00.000Z',
    finishedAt: '2026-11-28T14:20:00.000Z',
    at: '2026-11-28T14:20:00.000Z',
  }),
];

/** An approval of staging's v1.0.4 for prod. */
export function approval(
  overrides: Partial<GitopsApproval> = {},
): GitopsApproval {
  return {
    id: 'approval-1',
    entityRef: 'component:default/guestbook',
    environment: 'prod',
    version: { tag: 'v1.0.4', digest: null },
    from: 'staging',
    approver: 'user:default/bob',
    approverGroups: ['group:default/release-managers'],
    comment: 'change log read, go',
    createdAt: '2026-12-03T10:00:00.000Z',
    ...overrides,
  };
}
