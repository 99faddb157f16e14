import {
  GitopsApproval,
  GitopsFreeze,
  VerificationRecord,
} from '@gitops-backstage/plugin-gitops-common';
import { environmentStatus } from '../../__testUtils__/environmentStatus';
import { EnvironmentConfig } from '../config';
import { EnvironmentPolicy } from './policyConfig';
import { PolicyInput, evaluatePolicy } from './policyEngine';
import { scheduleWindow } from './windows';
import { defaultEnvironmentConfig } from '@gitops-backstage/plugin-gitops-repository';

// Thursday 3 Dec 2026, 12:00 UTC (13:00 in Berlin).
const NOW = new Date('2026-12-03T12:00:00Z');
const V105 = { tag: 'v1.0.5', digest: null };

function env(
  name: string,
  overrides: Partial<EnvironmentConfig> = {},
): EnvironmentConfig {
  return {
    ...defaultEnvironmentConfig(name),
    allowedSources: ['staging'],
    ...overrides,
  };
}

function record(
  state: VerificationRecord['state'],
  extra: Partial<VerificationRecord> = {},
): VerificationRecord {
  return {
    entityRef: 'component:default/guestbook',
    environment: 'staging',
    version: V105,
    state,
    checks:
      state === 'Failed'
        ? [
            {
              name: 'error-ratio',
              kind: 'prometheus',
              state: 'Failed',
              value: 0.12,
              threshold: '< 0.01',
              detail: 'error ratio 0.12 over 10m',
              at: NOW.toISOString(),
            },
          ]
        : [
            {
              name: 'error-ratio',
              kind: 'prometheus',
              state: state === 'Inconclusive' ? 'Inconclusive' : 'Passed',
              value: 0.004,
              threshold: '< 0.01',
              detail: state === 'Inconclusive' ? 'no data' : 'ok',
              at: NOW.toISOString(),
            },
          ],
    attempts: 1,
    startedAt: NOW.toISOString(),
    finishedAt: null,
    nextAttemptAt: null,
    at: NOW.toISOString(),
    requestedBy: null,
    ...extra,
  };
}

const approval = (approver: string, groups: string[] = []): GitopsApproval => ({
  id: approver,
  entityRef: 'component:default/guestbook',
  environment: 'prod',
  version: V105,
  from: 'staging',
  approver,
  approverGroups: groups,
  comment: null,
  createdAt: NOW.toISOString(),
});

const freeze = (
  until: string,
  environments: string[] | '*' = ['prod'],
): GitopsFreeze => ({
  id: 'f1',
  environments,
  reason: 'year-end freeze',
  until,
  by: 'user:default/alice',
  createdAt: NOW.toISOString(),
});

const weekendDeny = scheduleWindow({
  kind: 'deny',
  schedule: '0 0 * * 6',
  duration: '48h',
  timeZone: 'Europe/Berlin',
  reason: 'no prod changes at the weekend',
});
// Open only on weekdays 09:00–17:00 Berlin.
const officeHours = scheduleWindow({
  kind: 'allow',
  schedule: '0 9 * * 1-5',
  duration: '8h',
  timeZone: 'Europe/Berlin',
  reason: 'office hours',
});

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

function input(overrides: Partial<PolicyInput> = {}): PolicyInput {
  return {
    kind: 'promotion',
    to: env('prod'),
    policy: policy(),
    from: env('staging', { allowedSources: ['dev'] }),
    source: environmentStatus(),
    versionSince: null,
    verifications: [],
    approvals: [],
    approvers: ['group:default/guests'],
    requester: 'user:default/guest',
    freezes: [],
    evidence: [],
    override: null,
    timeZone: 'UTC',
    now: NOW,
    ...overrides,
  };
}

/** A literal message as a pattern. */
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

type Row = [
  string,
  Partial<PolicyInput>,
  string,
  'pass' | 'fail' | 'wait',
  string | RegExp,
  string | null,
];

describe('evaluatePolicy: each gate', () => {
  it.each<Row>([
    // allowedSource
    [
      'allowed source passes',
      {},
      'allowedSource',
      'pass',
      'prod takes promotions from staging',
      null,
    ],
    [
      'a source not allowed fails',
      { from: env('dev', { allowedSources: [] }) },
      'allowedSource',
      'fail',
      'prod takes promotions only from staging, not from dev',
      null,
    ],
    [
      'the first environment takes none',
      { to: env('dev', { allowedSources: [] }) },
      'allowedSource',
      'fail',
      'dev takes no promotions (it is the first environment)',
      null,
    ],
    // versionKnown
    [
      'a declared version passes',
      {},
      'versionKnown',
      'pass',
      'staging declares v1.0.5',
      null,
    ],
    [
      'no version fails',
      { source: environmentStatus({ tag: null, error: 'broken overlay' }) },
      'versionKnown',
      'fail',
      'staging has no version to promote: broken overlay',
      null,
    ],
    // healthySource
    [
      'healthy source passes',
      { to: env('prod', { requireHealthySource: true }) },
      'healthySource',
      'pass',
      'staging runs v1.0.5, Synced and Healthy',
      null,
    ],
    [
      'a rolling source waits',
      {
        to: env('prod', { requireHealthySource: true }),
        source: environmentStatus({ sync: ['OutOfSync', 'Progressing'] }),
      },
      'healthySource',
      'wait',
      'staging is OutOfSync and Progressing',
      null,
    ],
    [
      'a source on the old version waits',
      {
        to: env('prod', { requireHealthySource: true }),
        source: environmentStatus({
          images: ['ghcr.io/acme/guestbook:v1.0.4'],
        }),
      },
      'healthySource',
      'wait',
      'staging does not run v1.0.5 yet (running ghcr.io/acme/guestbook:v1.0.4)',
      null,
    ],
    [
      'a Degraded source fails',
      {
        to: env('prod', { requireHealthySource: true }),
        source: environmentStatus({ sync: ['Synced', 'Degraded'] }),
      },
      'healthySource',
      'fail',
      'staging is Synced and Degraded',
      null,
    ],
    [
      'a source without a cluster fails',
      {
        to: env('prod', { requireHealthySource: true }),
        source: environmentStatus({ sync: null }),
      },
      'healthySource',
      'fail',
      'cannot verify staging: no cluster is configured for it',
      null,
    ],
    // soak
    [
      'a long soak passes',
      {
        to: env('prod', { minSoakMinutes: 30 }),
        versionSince: new Date('2026-12-03T11:15:00Z'),
      },
      'soak',
      'pass',
      'v1.0.5 has been in staging for 45 min (since 2026-12-03T11:15:00.000Z); 30 min required',
      null,
    ],
    [
      'a short soak waits until it is long enough',
      {
        to: env('prod', { minSoakMinutes: 30 }),
        versionSince: new Date('2026-12-03T11:50:00Z'),
      },
      'soak',
      'wait',
      'v1.0.5 has been in staging for 10 min (since 2026-12-03T11:50:00.000Z); 30 min required',
      '2026-12-03T12:20:00.000Z',
    ],
    [
      'an unmeasurable soak fails',
      { to: env('prod', { minSoakMinutes: 30 }) },
      'soak',
      'fail',
      'cannot tell since when staging has v1.0.5; 30 min required',
      null,
    ],
    // verifiedIn
    [
      'passed in staging passes',
      {
        policy: policy({ verifiedIn: ['staging'] }),
        verifications: [
          {
            environment: 'staging',
            record: record('Passed'),
            declaresVersion: true,
          },
        ],
      },
      'verifiedIn',
      'pass',
      'v1.0.5 passed verification in staging (error-ratio)',
      null,
    ],
    [
      'failed in staging fails with the value',
      {
        policy: policy({ verifiedIn: ['staging'] }),
        verifications: [
          {
            environment: 'staging',
            record: record('Failed'),
            declaresVersion: true,
          },
        ],
      },
      'verifiedIn',
      'fail',
      'v1.0.5 failed verification in staging: error-ratio 0.12 (threshold < 0.01)',
      null,
    ],
    [
      'inconclusive fails',
      {
        policy: policy({ verifiedIn: ['staging'] }),
        verifications: [
          {
            environment: 'staging',
            record: record('Inconclusive'),
            declaresVersion: true,
          },
        ],
      },
      'verifiedIn',
      'fail',
      'verification of v1.0.5 in staging was inconclusive: error-ratio: no data',
      null,
    ],
    [
      'running waits until its next attempt',
      {
        policy: policy({ verifiedIn: ['staging'] }),
        verifications: [
          {
            environment: 'staging',
            record: record('Running', {
              nextAttemptAt: '2026-12-03T12:05:00.000Z',
            }),
            declaresVersion: true,
          },
        ],
      },
      'verifiedIn',
      'wait',
      'v1.0.5 is being verified in staging (Running)',
      '2026-12-03T12:05:00.000Z',
    ],
    [
      'not yet recorded where it runs waits',
      {
        policy: policy({ verifiedIn: ['staging'] }),
        verifications: [
          { environment: 'staging', record: null, declaresVersion: true },
        ],
      },
      'verifiedIn',
      'wait',
      'v1.0.5 is not verified in staging yet',
      null,
    ],
    [
      'never verified anywhere fails',
      {
        policy: policy({ verifiedIn: ['staging'] }),
        verifications: [
          { environment: 'staging', record: null, declaresVersion: false },
        ],
      },
      'verifiedIn',
      'fail',
      'v1.0.5 was never verified in staging',
      null,
    ],
    // approvals
    [
      'one approval from the group passes',
      {
        policy: policy({ requiredApprovals: 1 }),
        approvals: [approval('user:default/alice', ['group:default/guests'])],
      },
      'approvals',
      'pass',
      /^1 of 1 approval of v1.0.5 for prod from group:default\/guests \(approved by user:default\/alice\)$/,
      null,
    ],
    [
      'no approval waits',
      { policy: policy({ requiredApprovals: 1 }) },
      'approvals',
      'wait',
      '0 of 1 approval of v1.0.5 for prod from group:default/guests',
      null,
    ],
    [
      'the requester’s own approval does not count',
      {
        policy: policy({ requiredApprovals: 1 }),
        approvals: [approval('user:default/guest', ['group:default/guests'])],
      },
      'approvals',
      'wait',
      /the requester's own approval does not count/,
      null,
    ],
    [
      'an approval from outside the approvers does not count',
      {
        policy: policy({ requiredApprovals: 1 }),
        approvals: [approval('user:default/bob', ['group:default/other'])],
      },
      'approvals',
      'wait',
      /^0 of 1/,
      null,
    ],
    [
      'two approvals needed, one given',
      {
        policy: policy({ requiredApprovals: 2 }),
        approvals: [approval('user:default/alice', ['group:default/guests'])],
      },
      'approvals',
      'wait',
      /^1 of 2 approvals/,
      null,
    ],
    [
      'a named user counts',
      {
        policy: policy({ requiredApprovals: 1 }),
        approvers: ['user:default/carol'],
        approvals: [approval('user:default/carol')],
      },
      'approvals',
      'pass',
      /^1 of 1/,
      null,
    ],
    // windows
    [
      'a weekday is outside the weekend deny window',
      { policy: policy({ windows: [weekendDeny] }) },
      'window',
      'pass',
      'prod is inside its change windows',
      null,
    ],
    [
      'Saturday waits until Monday 00:00 Berlin',
      {
        policy: policy({ windows: [weekendDeny] }),
        now: new Date('2026-12-05T10:00:00Z'),
      },
      'window',
      'wait',
      'prod takes no changes until Mon 7 Dec 00:00 Europe/Berlin: no prod changes at the weekend (0 0 * * 6 for 48h)',
      '2026-12-06T23:00:00.000Z',
    ],
    [
      'Friday 23:30 Berlin is still open',
      {
        policy: policy({ windows: [weekendDeny] }),
        now: new Date('2026-12-04T22:30:00Z'),
      },
      'window',
      'pass',
      'prod is inside its change windows',
      null,
    ],
    [
      'inside office hours passes',
      { policy: policy({ windows: [officeHours] }) },
      'window',
      'pass',
      'prod is inside its change windows',
      null,
    ],
    [
      'after office hours waits for the next morning',
      {
        policy: policy({ windows: [officeHours] }),
        now: new Date('2026-12-03T17:30:00Z'),
      },
      'window',
      'wait',
      'prod takes no changes until Fri 4 Dec 09:00 Europe/Berlin: outside its allow windows',
      '2026-12-04T08:00:00.000Z',
    ],
    [
      'deny beats allow and the wait skips the weekend',
      {
        policy: policy({ windows: [officeHours, weekendDeny] }),
        now: new Date('2026-12-04T17:00:00Z'),
      },
      'window',
      'wait',
      /until Mon 7 Dec 09:00 Europe\/Berlin/,
      '2026-12-07T08:00:00.000Z',
    ],
    // freeze
    ['no freeze passes', {}, 'freeze', 'pass', 'no freeze covers prod', null],
    [
      'a freeze of prod waits until it ends',
      {
        freezes: [freeze('2026-12-07T08:00:00.000Z')],
        timeZone: 'Europe/Berlin',
      },
      'freeze',
      'wait',
      'prod is frozen until Mon 7 Dec 09:00 Europe/Berlin: year-end freeze, set by user:default/alice',
      '2026-12-07T08:00:00.000Z',
    ],
    [
      'a freeze of everything covers prod',
      { freezes: [freeze('2026-12-07T08:00:00.000Z', '*')] },
      'freeze',
      'wait',
      /^prod is frozen until Mon 7 Dec 08:00 UTC/,
      '2026-12-07T08:00:00.000Z',
    ],
    [
      'a freeze of staging does not cover prod',
      { freezes: [freeze('2026-12-07T08:00:00.000Z', ['staging'])] },
      'freeze',
      'pass',
      'no freeze covers prod',
      null,
    ],
    [
      'an ended freeze does not count',
      { freezes: [freeze('2026-12-03T11:00:00.000Z')] },
      'freeze',
      'pass',
      'no freeze covers prod',
      null,
    ],
    // evidence providers
    [
      'a provider gate passes through',
      {
        evidence: [{ name: 'signed', state: 'pass', message: 'signed by CI' }],
      },
      'signed',
      'pass',
      'signed by CI',
      null,
    ],
    [
      'a provider gate fails through',
      { evidence: [{ name: 'signed', state: 'fail', message: 'unsigned' }] },
      'signed',
      'fail',
      'unsigned',
      null,
    ],
  ])('%s', (_name, overrides, gateName, state, message, retryAt) => {
    const decision = evaluatePolicy(input(overrides));
    const found = decision.gates.find(g => g.name === gateName);
    expect(found).toBeDefined();
    expect(found!.state).toBe(state);
    expect(found!.passed).toBe(state === 'pass');
    expect(found!.message).toMatch(
      typeof message === 'string'
        ? new RegExp(`^${escape(message)}$`)
        : message,
    );
    expect(found!.retryAt).toBe(retryAt);
    expect(decision.allowed).toBe(
      decision.gates.every(g => g.state === 'pass'),
    );
  });
});

it('writes a measured ratio with three significant digits', () => {
  const long = record('Failed');
  long.checks[0].value = 0.11936560934891487;
  const decision = evaluatePolicy(
    input({
      policy: policy({ verifiedIn: ['staging'] }),
      verifications: [
        { environment: 'staging', record: long, declaresVersion: true },
      ],
    }),
  );
  expect(decision.gates.find(g => g.name === 'verifiedIn')!.message).toBe(
    'v1.0.5 failed verification in staging: error-ratio 0.119 (threshold < 0.01)',
  );
});

describe('evaluatePolicy: kinds of change', () => {
  const strict = policy({
    verifiedIn: ['staging'],
    requiredApprovals: 1,
    windows: [weekendDeny],
  });
  const saturday = new Date('2026-12-05T10:00:00Z');
  const failedInStaging = [
    { environment: 'staging', record: record('Failed'), declaresVersion: true },
  ];

  it.each<[string, Partial<PolicyInput>, string[]]>([
    [
      'a promotion meets every gate',
      { kind: 'promotion' },
      [
        'allowedSource',
        'versionKnown',
        'healthySource',
        'soak',
        'verifiedIn',
        'approvals',
        'window',
        'freeze',
      ],
    ],
    [
      'automation meets the same gates',
      { kind: 'automation' },
      [
        'allowedSource',
        'versionKnown',
        'healthySource',
        'soak',
        'verifiedIn',
        'approvals',
        'window',
        'freeze',
      ],
    ],
    [
      'a rollback skips verification, soak, approvals and the source',
      { kind: 'rollback', from: null, source: null },
      ['window', 'freeze'],
    ],
    [
      'scaling too',
      { kind: 'scale', from: null, source: null },
      ['window', 'freeze'],
    ],
  ])('%s', (_name, overrides, names) => {
    const decision = evaluatePolicy(
      input({
        to: env('prod', { requireHealthySource: true, minSoakMinutes: 30 }),
        policy: strict,
        ...overrides,
      }),
    );
    expect(decision.gates.map(g => g.name)).toEqual(names);
  });

  it('refuses a version that failed verification with 409 and no retry time', () => {
    const decision = evaluatePolicy(
      input({
        policy: policy({ verifiedIn: ['staging'] }),
        verifications: failedInStaging,
      }),
    );
    expect(decision.allowed).toBe(false);
    expect(decision.refusal).toEqual({
      status: 409,
      message:
        'Promotion staging → prod refused: verifiedIn: v1.0.5 failed verification in staging: error-ratio 0.12 (threshold < 0.01)',
      retryAt: null,
    });
  });

  it('refuses a source that is never allowed with 400', () => {
    const decision = evaluatePolicy(
      input({ from: env('dev', { allowedSources: [] }) }),
    );
    expect(decision.refusal?.status).toBe(400);
  });

  it('a rollback in a freeze waits until the freeze ends', () => {
    const decision = evaluatePolicy(
      input({
        kind: 'rollback',
        from: null,
        source: null,
        policy: strict,
        verifications: failedInStaging,
        freezes: [freeze('2026-12-07T08:00:00.000Z')],
      }),
    );
    expect(decision.refusal).toEqual({
      status: 409,
      message:
        'Rollback prod refused: freeze: prod is frozen until Mon 7 Dec 09:00 Europe/Berlin: year-end freeze, set by user:default/alice',
      retryAt: '2026-12-07T08:00:00.000Z',
    });
  });

  it('the refusal retries when the last waiting gate opens', () => {
    const decision = evaluatePolicy(
      input({
        policy: policy({ windows: [weekendDeny] }),
        freezes: [freeze('2026-12-06T12:00:00.000Z')],
        now: saturday,
      }),
    );
    expect(
      decision.gates.filter(g => g.state === 'wait').map(g => g.name),
    ).toEqual(['window', 'freeze']);
    expect(decision.refusal?.retryAt).toBe('2026-12-06T23:00:00.000Z');
  });

  it('an override lets a person through a window, a freeze, missing approvals and a failed verification', () => {
    const decision = evaluatePolicy(
      input({
        policy: strict,
        now: saturday,
        verifications: failedInStaging,
        freezes: [freeze('2026-12-07T08:00:00.000Z')],
        override: { by: 'user:default/oncall', reason: 'INC-42 hotfix' },
      }),
    );
    expect(decision.allowed).toBe(true);
    const overridden = decision.gates.filter(g => g.override);
    expect(overridden.map(g => g.name)).toEqual([
      'verifiedIn',
      'approvals',
      'window',
      'freeze',
    ]);
    for (const g of overridden) {
      expect(g.override).toEqual({
        by: 'user:default/oncall',
        reason: 'INC-42 hotfix',
      });
      expect(g.message).toMatch(
        /— overridden by user:default\/oncall: INC-42 hotfix$/,
      );
      expect(g.state).toBe('pass');
    }
  });

  it('an override never makes a source allowed or a version known', () => {
    const decision = evaluatePolicy(
      input({
        from: env('dev', { allowedSources: [] }),
        source: environmentStatus({ tag: null }),
        override: { by: 'user:default/oncall', reason: 'INC-42' },
      }),
    );
    expect(decision.allowed).toBe(false);
    expect(
      decision.gates.filter(g => g.state === 'fail').map(g => g.name),
    ).toEqual(['allowedSource', 'versionKnown']);
  });

  it('automation is never overridden', () => {
    const decision = evaluatePolicy(
      input({
        kind: 'automation',
        freezes: [freeze('2026-12-07T08:00:00.000Z')],
        override: { by: 'user:default/oncall', reason: 'INC-42' },
      }),
    );
    expect(decision.allowed).toBe(false);
    expect(decision.refusal?.message).toMatch(
      /^Automatic promotion staging → prod refused: freeze/,
    );
  });

  it('a rollback overridden through a freeze goes in', () => {
    const decision = evaluatePolicy(
      input({
        kind: 'rollback',
        from: null,
        source: null,
        freezes: [freeze('2026-12-07T08:00:00.000Z')],
        override: { by: 'user:default/oncall', reason: 'bad release' },
      }),
    );
    expect(decision.allowed).toBe(true);
  });
});
