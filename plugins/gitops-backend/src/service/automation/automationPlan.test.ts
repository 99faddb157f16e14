import { VerificationRecord } from '@gitops-backstage/plugin-gitops-common';
import { environmentStatus } from '../../__testUtils__/environmentStatus';
import { EnvironmentPolicy } from '../policy/policyConfig';
import {
  judgePromotion,
  judgeRollback,
  offersOf,
  sameVersion,
} from './automationPlan';

const v = (tag: string | null, digest: string | null = null) => ({
  tag,
  digest,
});

function record(
  environment: string,
  tag: string,
  state: VerificationRecord['state'],
  finishedAt = '2026-12-03T10:00:00.000Z',
): VerificationRecord {
  return {
    entityRef: 'component:default/guestbook',
    environment,
    version: v(tag),
    state,
    checks: [],
    attempts: 1,
    startedAt: finishedAt,
    finishedAt,
    nextAttemptAt: null,
    at: finishedAt,
    requestedBy: null,
  };
}

function policy(overrides: Partial<EnvironmentPolicy> = {}): EnvironmentPolicy {
  return {
    verifiedIn: [],
    requiredApprovals: 0,
    approvers: [],
    windows: [],
    evidence: [],
    autoPromotion: null,
    rollbackOnFailedVerification: false,
    supplyChain: null,
    ...overrides,
  };
}

const POLICIES = {
  dev: policy(),
  staging: policy({
    autoPromotion: { from: 'dev', entities: null },
    rollbackOnFailedVerification: true,
    supplyChain: null,
  }),
  prod: policy({ verifiedIn: ['staging'] }),
  // Only podinfo moves into qa by itself.
  qa: policy({
    autoPromotion: { from: 'dev', entities: ['component:default/podinfo'] },
  }),
};

describe('offersOf', () => {
  it.each([
    [
      'Passed in dev: staging takes it',
      record('dev', 'v1.0.5', 'Passed'),
      [
        {
          kind: 'promotion',
          environment: 'staging',
          sourceEnvironment: 'dev',
          version: v('v1.0.5'),
        },
      ],
    ],
    [
      'Passed in dev for podinfo: staging and qa take it',
      {
        ...record('dev', '6.7.1', 'Passed'),
        entityRef: 'component:default/podinfo',
      },
      ['staging', 'qa'].map(environment => ({
        kind: 'promotion',
        environment,
        sourceEnvironment: 'dev',
        version: v('6.7.1'),
      })),
    ],
    [
      'Passed in staging: nobody auto-promotes from staging',
      record('staging', 'v1.0.5', 'Passed'),
      [],
    ],
    [
      'Failed in staging: rolled back there',
      record('staging', 'v1.0.4', 'Failed'),
      [
        {
          kind: 'rollback',
          environment: 'staging',
          sourceEnvironment: null,
          version: v('v1.0.4'),
        },
      ],
    ],
    [
      'Failed in dev: no rollback configured',
      record('dev', 'v1', 'Failed'),
      [],
    ],
    ['Inconclusive: nothing', record('staging', 'v1', 'Inconclusive'), []],
    ['Running: nothing', record('dev', 'v1', 'Running'), []],
  ])('%s', (_name, input, expected) => {
    expect(offersOf(input, POLICIES)).toEqual(expected);
  });
});

describe('sameVersion', () => {
  it.each([
    [v('v1'), v('v1'), true],
    [v('v1'), v('v1', 'sha256:aa'), true],
    [v('v1', 'sha256:aa'), v('v1', 'sha256:bb'), false],
    [v('v1'), v('v2'), false],
    [v(null, 'sha256:aa'), v(null, 'sha256:aa'), true],
    [v(null, 'sha256:aa'), v('v1'), false],
    [
      { tag: null, digest: null, chartVersion: '6.9.0' },
      { tag: null, digest: null, chartVersion: '6.9.0' },
      true,
    ],
    [v(null), v(null), false],
  ])('%j ~ %j → %p', (a, b, expected) => {
    expect(sameVersion(a, b)).toBe(expected);
  });
});

type PromotionCase = {
  source: string;
  target: string;
  failedBefore?: boolean;
};

describe('judgePromotion', () => {
  const event = {
    environment: 'staging',
    sourceEnvironment: 'dev',
    version: v('v1.0.5'),
  };
  it.each([
    [
      'dev runs it, staging is behind: act',
      { source: 'v1.0.5', target: 'v1.0.4' },
      { act: true },
    ],
    [
      'dev moved on',
      { source: 'v1.0.6', target: 'v1.0.4' },
      {
        act: false,
        state: 'Superseded',
        message: 'dev now declares v1.0.6, not v1.0.5',
      },
    ],
    [
      'staging has it already',
      { source: 'v1.0.5', target: 'v1.0.5' },
      {
        act: false,
        state: 'Superseded',
        message: 'staging already declares v1.0.5',
      },
    ],
    [
      'staging is ahead (a hotfix went there first)',
      { source: 'v1.0.5', target: 'v1.1.0' },
      {
        act: false,
        state: 'Superseded',
        message: 'staging declares v1.1.0, newer than v1.0.5',
      },
    ],
    [
      'failed in staging before: never again by itself',
      { source: 'v1.0.5', target: 'v1.0.4', failedBefore: true },
      {
        act: false,
        state: 'Refused',
        message:
          'v1.0.5 failed verification in staging before: not taken again automatically',
      },
    ],
    [
      'non-semantic tags: taken when different',
      { source: 'v1.0.5', target: 'main-abc123' },
      { act: true },
    ],
  ] as Array<[string, PromotionCase, object]>)(
    '%s',
    (_name, input, expected) => {
      expect(
        judgePromotion({
          event,
          source: environmentStatus({ name: 'dev', tag: input.source }),
          target: environmentStatus({ name: 'staging', tag: input.target }),
          targetVerification: input.failedBefore
            ? record('staging', 'v1.0.5', 'Failed')
            : undefined,
        }),
      ).toEqual(expected);
    },
  );
});

describe('judgeRollback', () => {
  const event = { environment: 'staging', version: v('v1.0.4') };
  it.each([
    [
      'the newest Passed version other than the failed one',
      'v1.0.4',
      [
        record('staging', 'v1.0.2', 'Passed', '2026-12-01T10:00:00.000Z'),
        record('staging', 'v1.0.3', 'Passed', '2026-12-02T10:00:00.000Z'),
        record('staging', 'v1.0.4', 'Failed', '2026-12-03T10:00:00.000Z'),
      ],
      { act: true, rollbackTo: v('v1.0.3') },
    ],
    [
      'Git moved on already',
      'v1.0.5',
      [record('staging', 'v1.0.3', 'Passed')],
      {
        act: false,
        state: 'Superseded',
        message: 'staging now declares v1.0.5, not v1.0.4',
      },
    ],
    [
      'nothing ever passed',
      'v1.0.4',
      [
        record('staging', 'v1.0.3', 'Inconclusive'),
        record('staging', 'v1.0.4', 'Failed'),
      ],
      {
        act: false,
        state: 'Refused',
        message:
          'no version passed verification in staging before v1.0.4: nothing to roll back to',
      },
    ],
  ])('%s', (_name, declared, history, expected) => {
    expect(
      judgeRollback({
        event,
        target: environmentStatus({ name: 'staging', tag: declared }),
        history,
      }),
    ).toEqual(expected);
  });
});
