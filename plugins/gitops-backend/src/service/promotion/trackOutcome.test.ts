import {
  EnvironmentStatus,
  GitopsAction,
} from '@gitops-backstage/plugin-gitops-common';
import { TrackedOutcome, trackOutcome } from './trackOutcome';

const CREATED = '2026-11-25T12:00:00.000Z';
const LIMITS = { timeoutMs: 30 * 60_000, pullRequestTimeoutMs: 72 * 3_600_000 };

type Action = Pick<
  GitopsAction,
  'action' | 'status' | 'to' | 'version' | 'scaling' | 'createdAt' | 'updatedAt'
>;

const promotion: Action = {
  action: 'promote',
  status: 'Committed',
  to: 'staging',
  version: { tag: 'v1.0.5', digest: null },
  scaling: null,
  createdAt: CREATED,
  updatedAt: CREATED,
};

const scale: Action = {
  ...promotion,
  action: 'scale',
  version: null,
  scaling: { replicas: 5, minReplicas: null, maxReplicas: null },
};

function target(o: {
  tag?: string;
  replicas?: number;
  running?: string;
  ready?: number;
  sync?: [string, string];
  problems?: Array<[string, string]>;
}): EnvironmentStatus {
  return {
    name: 'staging',
    desired: {
      tag: o.tag ?? 'v1.0.5',
      digest: null,
      replicas: o.replicas ?? 2,
      autoscaling: null,
    } as any,
    live: {
      images: [`ghcr.io/acme/guestbook:${o.running ?? 'v1.0.5'}`],
      replicas: { desired: o.ready ?? 2, ready: o.ready ?? 2 },
      autoscaling: null,
    } as any,
    sync: {
      status: (o.sync ?? ['Synced', 'Healthy'])[0],
      health: (o.sync ?? ['Synced', 'Healthy'])[1],
    } as any,
    drift: [],
    problems: (o.problems ?? []).map(([type, message]) => ({
      type: type as any,
      severity: 'error',
      message,
      hint: '',
    })) as any,
    registry: null,
    error: null,
  };
}

const at = (minutes: number) =>
  new Date(Date.parse(CREATED) + minutes * 60_000);

describe('trackOutcome', () => {
  it.each<[string, Action, EnvironmentStatus, Date, TrackedOutcome, object?]>([
    [
      'succeeds when the cluster runs the version Synced and Healthy',
      promotion,
      target({}),
      at(2),
      {
        status: 'Succeeded',
        message: 'staging runs v1.0.5, Synced and Healthy',
      },
    ],
    [
      'waits while the old version still runs',
      promotion,
      target({ running: 'v1.0.4', sync: ['OutOfSync', 'Progressing'] }),
      at(2),
      null,
    ],
    [
      'fails on Degraded, with the problems',
      promotion,
      target({
        sync: ['Synced', 'Degraded'],
        problems: [['CrashLoopBackOff', 'guestbook restarts 5 times']],
      }),
      at(3),
      {
        status: 'Failed',
        message:
          'staging is Degraded with the change — CrashLoopBackOff: guestbook restarts 5 times',
      },
    ],
    [
      'fails on a pull failure before the engine calls it Degraded',
      promotion,
      target({
        sync: ['Synced', 'Progressing'],
        problems: [['ImagePullBackOff', 'v1.0.5 not found']],
      }),
      at(3),
      {
        status: 'Failed',
        message:
          'staging is Progressing with the change — ImagePullBackOff: v1.0.5 not found',
      },
    ],
    [
      'fails after the time-out',
      promotion,
      target({ running: 'v1.0.4', sync: ['OutOfSync', 'Healthy'] }),
      at(31),
      {
        status: 'Failed',
        message:
          'staging did not run v1.0.5 Synced and Healthy within 30 min (now OutOfSync/Healthy)',
      },
    ],
    [
      'fails when a later commit replaced the change',
      promotion,
      target({ tag: 'v1.0.6' }),
      at(1),
      {
        status: 'Failed',
        message:
          'staging no longer declares this change in Git (now v1.0.6, replicas 2, autoscaling none): a later commit replaced it',
      },
    ],
    [
      'waits while the state may have been read before the commit was fetched',
      promotion,
      target({ tag: 'v1.0.4' }),
      new Date(Date.parse(CREATED) + 30_000),
      null,
      { viewLagMs: 50_000 },
    ],
    [
      'calls the change replaced once every clone has fetched it',
      promotion,
      target({ tag: 'v1.0.6' }),
      new Date(Date.parse(CREATED) + 51_000),
      {
        status: 'Failed',
        message:
          'staging no longer declares this change in Git (now v1.0.6, replicas 2, autoscaling none): a later commit replaced it',
      },
      { viewLagMs: 50_000 },
    ],
    [
      'does not call a change replaced from a clone the remote does not update',
      promotion,
      {
        ...target({ tag: 'v1.0.4' }),
        desired: { ...target({ tag: 'v1.0.4' }).desired!, stale: true },
      },
      at(10),
      null,
    ],
    [
      'waits for an open pull request',
      { ...promotion, status: 'PullRequestOpened' },
      target({ tag: 'v1.0.4', running: 'v1.0.4' }),
      at(600),
      null,
    ],
    [
      'gives up on a pull request never merged',
      { ...promotion, status: 'PullRequestOpened' },
      target({ tag: 'v1.0.4', running: 'v1.0.4' }),
      at(73 * 60),
      {
        status: 'Failed',
        message: 'the pull request was not merged within 72 h',
      },
    ],
    [
      'moves a merged pull request to Committed, its clock restarting',
      { ...promotion, status: 'PullRequestOpened' },
      target({ running: 'v1.0.4', sync: ['OutOfSync', 'Healthy'] }),
      at(600),
      {
        status: 'Committed',
        message: 'the pull request was merged; waiting for staging to sync',
      },
    ],
    [
      'succeeds a scale once the replicas are ready',
      scale,
      target({ replicas: 5, ready: 5 }),
      at(1),
      {
        status: 'Succeeded',
        message: 'staging runs 5 replicas, Synced and Healthy',
      },
    ],
    [
      'waits for a scale whose pods are not ready',
      scale,
      target({ replicas: 5, ready: 3 }),
      at(1),
      null,
    ],
  ])('%s', (_name, action, status, now, expected, limits = {}) => {
    expect(trackOutcome(action, status, now, { ...LIMITS, ...limits })).toEqual(
      expected,
    );
  });
});
