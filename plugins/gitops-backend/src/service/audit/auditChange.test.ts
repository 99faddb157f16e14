import { mockServices } from '@backstage/backend-test-utils';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  GitopsAction,
  PromotionGate,
} from '@gitops-backstage/plugin-gitops-common';
import { TooManyChangesError } from '../changeRateLimit';
import { UpstreamError } from '../errors';
import {
  PolicyInputError,
  PolicyRefusedError,
} from '../policy/PolicyRefusedError';
import {
  AuditedChange,
  ChangeAuditor,
  actionOutcome,
  auditEvent,
  automationOf,
  diffSummary,
  failureOutcome,
} from './auditChange';

const PRODUCTION = new Set(['prod']);
const GUESTBOOK = 'component:default/guestbook';
const MOCK = 'user:default/mock';

function change(overrides: Partial<AuditedChange>): AuditedChange {
  return {
    kind: 'promotion',
    action: 'promote',
    actor: MOCK,
    entityRef: GUESTBOOK,
    environment: 'staging',
    ...overrides,
  };
}

function gate(
  name: string,
  state: PromotionGate['state'],
  override?: PromotionGate['override'],
): PromotionGate {
  return {
    name,
    state,
    passed: state === 'pass',
    message: `${name} says ${state}`,
    retryAt: null,
    evidence: null,
    ...(override ? { override } : {}),
  };
}

function action(overrides: Partial<GitopsAction>): GitopsAction {
  return {
    id: 'a1',
    action: 'promote',
    entityRef: GUESTBOOK,
    status: 'Committed',
    from: 'dev',
    to: 'staging',
    actor: MOCK,
    gates: [],
    version: null,
    previousVersion: null,
    scaling: null,
    diff: '',
    commit: null,
    branch: null,
    pullRequest: null,
    message: null,
    createdAt: '2026-12-03T10:00:00.000Z',
    updatedAt: '2026-12-03T10:00:00.000Z',
    finishedAt: null,
    ...overrides,
  };
}

const PROMOTION_DIFF = [
  'Index: apps/guestbook/overlays/staging/kustomization.yaml',
  '===================================================================',
  '--- a/apps/guestbook/overlays/staging/kustomization.yaml',
  '+++ b/apps/guestbook/overlays/staging/kustomization.yaml',
  '@@ -5,3 +5,3 @@',
  '   - name: ghcr.io/acme/guestbook',
  '-    newTag: v1.0.4 # updated by CI on promotion',
  '+    newTag: v1.0.5 # updated by CI on promotion',
  '',
].join('\n');

describe('auditEvent', () => {
  it.each<[string, AuditedChange, string, string, object]>([
    [
      'a promotion into staging',
      change({ from: 'dev' }),
      'promotion',
      'medium',
      {
        actor: MOCK,
        entityRef: GUESTBOOK,
        environment: 'staging',
        from: 'dev',
        action: 'promote',
        dryRun: false,
      },
    ],
    [
      'a promotion into production',
      change({ environment: 'prod', from: 'staging' }),
      'promotion',
      'high',
      { environment: 'prod', from: 'staging' },
    ],
    [
      'a dry run into production: nothing is written',
      change({ environment: 'prod', dryRun: true }),
      'promotion',
      'low',
      { dryRun: true },
    ],
    [
      'a dry run with an override: still nothing written',
      change({ dryRun: true, override: { reason: 'INC-1' } }),
      'promotion',
      'low',
      { override: { reason: 'INC-1' } },
    ],
    [
      'an override in staging',
      change({
        kind: 'scale',
        action: 'scale',
        override: { reason: 'INC-42' },
        requested: { replicas: 3 },
      }),
      'scale',
      'high',
      { override: { reason: 'INC-42' }, requested: { replicas: 3 } },
    ],
    [
      'a rollback by the automation',
      change({
        kind: 'rollback',
        action: 'rollback',
        actor: 'plugin:gitops/automation',
        automation: {
          policy: 'rollback on failed verification in staging',
          reason: 'v1.0.5 failed verification in staging',
        },
        requested: { toTag: 'v1.0.4' },
      }),
      'rollback',
      'medium',
      {
        actor: 'plugin:gitops/automation',
        automation: {
          policy: 'rollback on failed verification in staging',
          reason: 'v1.0.5 failed verification in staging',
        },
        requested: { toTag: 'v1.0.4' },
      },
    ],
    [
      'an engine request in production',
      change({ kind: 'engine-request', action: 'sync', environment: 'prod' }),
      'engine-request',
      'high',
      { action: 'sync' },
    ],
    [
      'a rollout action in staging',
      change({ kind: 'rollout-action', action: 'abort' }),
      'rollout-action',
      'medium',
      { action: 'abort' },
    ],
    [
      'an approval for production',
      change({ kind: 'approval', action: 'approve', environment: 'prod' }),
      'approval',
      'high',
      { action: 'approve' },
    ],
    [
      'a freeze of staging: freezes stop every change',
      change({
        kind: 'freeze',
        action: 'declare',
        entityRef: null,
        environment: null,
        environments: ['staging'],
        requested: { reason: 'year-end', until: '2099-01-01T00:00:00Z' },
      }),
      'freeze',
      'high',
      {
        entityRef: null,
        environment: null,
        environments: ['staging'],
        requested: { reason: 'year-end', until: '2099-01-01T00:00:00Z' },
      },
    ],
    [
      'a lifted freeze',
      change({
        kind: 'freeze',
        action: 'lift',
        entityRef: null,
        environment: null,
      }),
      'freeze',
      'high',
      { action: 'lift' },
    ],
    [
      'a new service: files for every environment, nothing running yet',
      change({
        kind: 'service-create',
        action: 'create',
        entityRef: 'component:default/hello',
        environment: null,
        environments: ['dev', 'staging', 'prod'],
      }),
      'service-create',
      'medium',
      { environments: ['dev', 'staging', 'prod'] },
    ],
    [
      'a paused automation in staging',
      change({ kind: 'automation-pause', action: 'pause' }),
      'automation-pause',
      'medium',
      { action: 'pause' },
    ],
    [
      'a change denied in production',
      change({
        kind: 'change-denied',
        action: 'gitops.promote',
        environment: 'prod',
      }),
      'change-denied',
      'high',
      { action: 'gitops.promote' },
    ],
  ])('%s', (_name, input, eventId, severityLevel, meta) => {
    const event = auditEvent(input, PRODUCTION);
    expect(event.eventId).toBe(eventId);
    expect(event.severityLevel).toBe(severityLevel);
    expect(event.meta).toMatchObject(meta);
  });

  it('leaves out what was not given', () => {
    expect(auditEvent(change({ requested: {} }), PRODUCTION).meta).toEqual({
      actor: MOCK,
      entityRef: GUESTBOOK,
      environment: 'staging',
      action: 'promote',
      dryRun: false,
    });
  });
});

describe('diffSummary', () => {
  it.each<[string, string, ReturnType<typeof diffSummary>]>([
    ['no diff', '', { files: [], additions: 0, deletions: 0 }],
    [
      'one changed line',
      PROMOTION_DIFF,
      {
        files: ['apps/guestbook/overlays/staging/kustomization.yaml'],
        additions: 1,
        deletions: 1,
      },
    ],
    [
      'new files from /dev/null',
      [
        '--- /dev/null',
        '+++ b/apps/hello/base/kustomization.yaml',
        '@@ -0,0 +1,2 @@',
        '+resources:',
        '+  - deployment.yaml',
        '--- /dev/null',
        '+++ b/apps/hello/catalog-info.yaml',
        '@@ -0,0 +1,1 @@',
        '+kind: Component',
      ].join('\n'),
      {
        files: [
          'apps/hello/base/kustomization.yaml',
          'apps/hello/catalog-info.yaml',
        ],
        additions: 3,
        deletions: 0,
      },
    ],
    [
      'a deleted file',
      ['--- a/old.yaml', '+++ /dev/null', '@@ -1 +0,0 @@', '-a: 1'].join('\n'),
      { files: [], additions: 0, deletions: 1 },
    ],
  ])('%s', (_name, diff, expected) => {
    expect(diffSummary(diff)).toEqual(expected);
  });
});

describe('actionOutcome', () => {
  it.each<[string, GitopsAction, Parameters<typeof actionOutcome>[1], object]>([
    [
      'a committed promotion: versions, files, commit',
      action({
        version: { tag: 'v1.0.5', digest: null },
        previousVersion: { tag: 'v1.0.4', digest: null },
        diff: PROMOTION_DIFF,
        commit: 'c0ffee',
        message: 'Waiting for staging to sync',
      }),
      {},
      {
        plan: {
          before: 'v1.0.4',
          after: 'v1.0.5',
          files: ['apps/guestbook/overlays/staging/kustomization.yaml'],
          additions: 1,
          deletions: 1,
        },
        result: {
          status: 'Committed',
          actionId: 'a1',
          commit: 'c0ffee',
          branch: null,
          pullRequest: null,
          message: 'Waiting for staging to sync',
        },
      },
    ],
    [
      'a scale by pull request: scaling before and after',
      action({
        action: 'scale',
        status: 'PullRequestOpened',
        scaling: { replicas: null, minReplicas: 3, maxReplicas: 12 },
        branch: 'gitops/guestbook/prod/a1',
        pullRequest: 'https://github.com/acme/gitops/pull/7',
      }),
      {
        scalingBefore: { replicas: null, minReplicas: 2, maxReplicas: 10 },
      },
      {
        plan: {
          scaling: {
            before: { replicas: null, minReplicas: 2, maxReplicas: 10 },
            after: { replicas: null, minReplicas: 3, maxReplicas: 12 },
          },
        },
        result: {
          status: 'PullRequestOpened',
          branch: 'gitops/guestbook/prod/a1',
          pullRequest: 'https://github.com/acme/gitops/pull/7',
        },
      },
    ],
    [
      'a rollout action: the requests sent, never their bodies',
      action({
        action: 'rollout',
        status: 'Requested',
        diff: 'PATCH /apis/argoproj.io/v1alpha1/namespaces/x/rollouts/x/status\nContent-Type: application/merge-patch+json\n\n{"status":{"pauseConditions":null}}\n',
      }),
      {},
      {
        plan: {
          requests: [
            'PATCH /apis/argoproj.io/v1alpha1/namespaces/x/rollouts/x/status',
          ],
        },
        result: { status: 'Requested' },
      },
    ],
    [
      'an override: the gates it let through',
      action({
        gates: [
          gate('allowedSource', 'pass'),
          gate('freeze', 'pass', { by: MOCK, reason: 'INC-42' }),
        ],
      }),
      {},
      { plan: { overriddenGates: ['freeze'] } },
    ],
    [
      'a replayed request',
      action({}),
      { replayed: true },
      { result: { status: 'Committed', replayed: true } },
    ],
  ])('%s', (_name, input, extra, expected) => {
    expect(actionOutcome(input, extra)).toMatchObject(expected);
  });

  it('a dry run has no record and no commit', () => {
    expect(
      actionOutcome(action({ id: null, status: 'DryRun' })).result,
    ).toEqual({
      status: 'DryRun',
      actionId: null,
      commit: null,
      branch: null,
      pullRequest: null,
      message: null,
    });
  });
});

describe('failureOutcome', () => {
  const retryAt = '2026-12-07T08:00:00.000Z';
  it.each<[string, unknown, object]>([
    [
      'a gate that waits (409)',
      new PolicyRefusedError(
        'refused: freeze',
        [gate('allowedSource', 'pass'), gate('freeze', 'wait')],
        retryAt,
      ),
      {
        status: 'Refused',
        error: 'ConflictError',
        gates: [{ name: 'freeze', state: 'wait' }],
        retryAt,
      },
    ],
    [
      'a source the config never allows (400)',
      new PolicyInputError('refused: allowedSource', [
        gate('allowedSource', 'fail'),
      ]),
      {
        status: 'Refused',
        error: 'InputError',
        gates: [{ name: 'allowedSource', state: 'fail' }],
      },
    ],
    ['bad input', new InputError('no'), { status: 'Refused' }],
    ['a conflict', new ConflictError('moved'), { status: 'Refused' }],
    ['a denial', new NotAllowedError('no'), { status: 'Refused' }],
    ['an unknown environment', new NotFoundError('qa'), { status: 'Refused' }],
    [
      'too many changes',
      new TooManyChangesError('slow down', 3),
      { status: 'Refused', error: 'TooManyChangesError' },
    ],
    [
      'a cluster that failed',
      new UpstreamError('Cluster local: 500'),
      { status: 'Failed', error: 'UpstreamError' },
    ],
    ['anything else', new Error('boom'), { status: 'Failed', error: 'Error' }],
  ])('%s', (_name, error, result) => {
    expect(failureOutcome(error)).toEqual({
      result: expect.objectContaining(result),
    });
  });

  it('never copies the error message, which may quote an upstream answer', () => {
    expect(
      JSON.stringify(failureOutcome(new Error('token=abc in a URL'))),
    ).not.toContain('abc');
  });
});

describe('automationOf', () => {
  it.each<[string, string[] | undefined, object | null]>([
    ['a user', undefined, null],
    ['other trailers', ['Co-authored-by: x'], null],
    [
      'the automation',
      [
        'Gitops-Policy: auto-promotion of staging from dev',
        'Gitops-Reason: v1.0.5 passed verification in dev',
      ],
      {
        policy: 'auto-promotion of staging from dev',
        reason: 'v1.0.5 passed verification in dev',
      },
    ],
  ])('%s', (_name, trailers, expected) => {
    expect(automationOf({ trailers })).toEqual(expected);
  });
});

describe('ChangeAuditor', () => {
  function setUp(
    impl: Parameters<typeof mockServices.auditor.mock>[0] = undefined,
  ) {
    const auditor = mockServices.auditor.mock(impl);
    const logger = mockServices.logger.mock();
    const audit = new ChangeAuditor({
      auditor,
      logger,
      productionEnvironments: ['prod'],
    });
    const events = () =>
      Promise.all(
        auditor.createEvent.mock.results.map(r => r.value as Promise<any>),
      );
    return { auditor, logger, audit, events };
  }

  it('opens one event before the work and settles it with success', async () => {
    const { auditor, audit, events } = setUp();
    const order: string[] = [];
    auditor.createEvent.mockImplementationOnce(async () => {
      order.push('created');
      return { success: jest.fn(), fail: jest.fn() };
    });
    const request = {} as any;
    const value = await audit.audit({
      change: change({ from: 'dev' }),
      request,
      work: async () => {
        order.push('work');
        return 42;
      },
      outcome: v => ({ result: { value: v } }),
    });
    expect(value).toBe(42);
    expect(order).toEqual(['created', 'work']);
    expect(auditor.createEvent).toHaveBeenCalledTimes(1);
    expect(auditor.createEvent).toHaveBeenCalledWith({
      eventId: 'promotion',
      severityLevel: 'medium',
      request,
      meta: expect.objectContaining({ from: 'dev', actor: MOCK }),
    });
    const [event] = await events();
    expect(event.success).toHaveBeenCalledTimes(1);
    expect(event.success).toHaveBeenCalledWith({
      meta: { result: { value: 42 } },
    });
    expect(event.fail).not.toHaveBeenCalled();
  });

  it('fails the event and throws the same error when the work fails', async () => {
    const { auditor, audit, events } = setUp();
    const refused = new PolicyRefusedError(
      'refused',
      [gate('freeze', 'wait')],
      null,
    );
    await expect(
      audit.audit({
        change: change({}),
        work: async () => {
          throw refused;
        },
        outcome: () => ({}),
      }),
    ).rejects.toBe(refused);
    expect(auditor.createEvent).toHaveBeenCalledTimes(1);
    const [event] = await events();
    expect(event.success).not.toHaveBeenCalled();
    expect(event.fail).toHaveBeenCalledWith({
      error: refused,
      meta: {
        result: {
          status: 'Refused',
          error: 'ConflictError',
          gates: [{ name: 'freeze', state: 'wait' }],
          retryAt: null,
        },
      },
    });
  });

  it('does not start a change it cannot audit', async () => {
    const { audit } = setUp({
      createEvent: async () => {
        throw new Error('auditor down');
      },
    });
    const work = jest.fn();
    await expect(
      audit.audit({ change: change({}), work, outcome: () => ({}) }),
    ).rejects.toThrow('auditor down');
    expect(work).not.toHaveBeenCalled();
  });

  it('answers a change that happened even when its end cannot be recorded', async () => {
    const { audit, logger } = setUp({
      createEvent: async () => ({
        success: async () => {
          throw new Error('log full');
        },
        fail: jest.fn(),
      }),
    });
    await expect(
      audit.audit({
        change: change({}),
        work: async () => 'committed',
        outcome: () => ({}),
      }),
    ).resolves.toBe('committed');
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining(
        'Could not record the audit event promotion (promote) of component:default/guestbook by user:default/mock: log full',
      ),
    );
  });

  it('records a denial as one failed event, and never turns it into another error', async () => {
    const { auditor, audit, events } = setUp();
    const denied = new NotAllowedError('Not allowed to promote');
    await audit.denied(
      change({ kind: 'change-denied', action: 'gitops.promote' }),
      denied,
    );
    expect(auditor.createEvent).toHaveBeenCalledTimes(1);
    expect(auditor.createEvent.mock.calls[0][0]).toMatchObject({
      eventId: 'change-denied',
      severityLevel: 'medium',
    });
    const [event] = await events();
    expect(event.fail).toHaveBeenCalledWith({
      error: denied,
      meta: { result: { status: 'Refused', error: 'NotAllowedError' } },
    });

    const broken = setUp({
      createEvent: async () => {
        throw new Error('auditor down');
      },
    });
    await expect(
      broken.audit.denied(change({ kind: 'change-denied' }), denied),
    ).resolves.toBeUndefined();
    expect(broken.logger.warn).toHaveBeenCalledTimes(1);
  });
});
