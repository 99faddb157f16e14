import { RolloutAction } from '@gitops-backstage/plugin-gitops-common';
import { HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { KubeObject } from '../live/kinds';
import { argoRolloutRequests } from './argoRolloutCommands';
import { ClusterRequests } from './clusterRequests';
import {
  MERGE_PATCH,
  NOW,
  SERVER,
  TOKEN,
  clusterKubeConfig,
  recordingKubeApi,
  sent,
  status,
} from './__testUtils__/recordingKubeApi';

const ROLLOUT =
  '/apis/argoproj.io/v1alpha1/namespaces/checkout-prod/rollouts/checkout';
const STATUS = `${ROLLOUT}/status`;

function rollout(spec: object, rolloutStatus: object): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'checkout', namespace: 'checkout-prod' },
    spec,
    status: rolloutStatus,
  };
}

const canary = (steps: object[]) => ({ strategy: { canary: { steps } } });
const STEPS = [
  { setWeight: 20 },
  { pause: {} },
  { analysis: { templates: [{ templateName: 'success-rate' }] } },
  { setWeight: 60 },
];
const updating = { currentPodHash: 'b7c9', stableRS: '5f6d' };

describe('argoRolloutCommands: what `kubectl argo rollouts` sends', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => server.close());
  let api: ReturnType<typeof recordingKubeApi>;
  beforeEach(() => {
    api = recordingKubeApi(server);
  });
  afterEach(() => {
    server.resetHandlers();
    // Always the cluster's own token.
    const strays = api.requests.filter(
      r => r.authorization !== `Bearer ${TOKEN}`,
    );
    if (strays.length) {
      throw new Error(`unexpected requests: ${JSON.stringify(strays)}`);
    }
  });

  function act(object: KubeObject, action: RolloutAction) {
    const requests = argoRolloutRequests(object, action, NOW);
    return new ClusterRequests(clusterKubeConfig(), {
      timeoutMs: 2000,
    }).sendAll(requests);
  }

  const patch = (path: string, body: string) => ({
    method: 'PATCH',
    path,
    contentType: MERGE_PATCH,
    body,
  });

  it.each<[string, KubeObject, RolloutAction, ReturnType<typeof patch>[]]>([
    [
      'promote at a pause step: clears the pause conditions on the status subresource',
      rollout(canary(STEPS), {
        ...updating,
        currentStepIndex: 1,
        pauseConditions: [
          { reason: 'CanaryPauseStep', startTime: '2026-12-04T08:00:00Z' },
        ],
      }),
      'promote',
      [patch(STATUS, '{"status":{"pauseConditions":null}}')],
    ],
    [
      'promote during an analysis step: skips to the next step',
      rollout(canary(STEPS), { ...updating, currentStepIndex: 2 }),
      'promote',
      [
        patch(
          STATUS,
          '{"status":{"pauseConditions":null,"currentStepIndex":3}}',
        ),
      ],
    ],
    [
      'promote of a canary with no step index yet: from step 0 to 1',
      rollout(canary(STEPS), updating),
      'promote',
      [
        patch(
          STATUS,
          '{"status":{"pauseConditions":null,"currentStepIndex":1}}',
        ),
      ],
    ],
    [
      'promote of a paused Rollout (spec.paused) at a pause step: both patches',
      rollout(
        { ...canary(STEPS), paused: true },
        { ...updating, currentStepIndex: 1, pauseConditions: [{}] },
      ),
      'promote',
      [
        patch(STATUS, '{"status":{"pauseConditions":null}}'),
        patch(ROLLOUT, '{"spec":{"paused":false}}'),
      ],
    ],
    [
      'promote of a blue-green Rollout paused by spec.paused: only the spec patch',
      rollout(
        {
          strategy: { blueGreen: { activeService: 'checkout' } },
          paused: true,
        },
        updating,
      ),
      'promote',
      [patch(ROLLOUT, '{"spec":{"paused":false}}')],
    ],
    [
      'promote after an inconclusive analysis the controller paused at',
      rollout(canary(STEPS), {
        ...updating,
        currentStepIndex: 2,
        controllerPause: true,
        pauseConditions: [{ reason: 'InconclusiveAnalysisRun' }],
        canary: { currentStepAnalysisRunStatus: { status: 'Inconclusive' } },
      }),
      'promote',
      [
        patch(
          STATUS,
          '{"status":{"pauseConditions":null,"controllerPause":false,"currentStepIndex":3}}',
        ),
      ],
    ],
    [
      'promoteFull',
      rollout(canary(STEPS), { ...updating, currentStepIndex: 1 }),
      'promoteFull',
      [patch(STATUS, '{"status":{"promoteFull":true}}')],
    ],
    [
      'abort',
      rollout(canary(STEPS), { ...updating, currentStepIndex: 1 }),
      'abort',
      [patch(STATUS, '{"status":{"abort":true}}')],
    ],
    [
      'retry',
      rollout(canary(STEPS), { ...updating, abort: true }),
      'retry',
      [patch(STATUS, '{"status":{"abort":false}}')],
    ],
    [
      'restart: spec.restartAt, RFC 3339 in UTC to the second',
      rollout(canary(STEPS), updating),
      'restart',
      [patch(ROLLOUT, '{"spec":{"restartAt":"2026-12-04T08:09:10Z"}}')],
    ],
  ])('%s', async (_name, object, action, expected) => {
    await act(object, action);
    expect(sent(api.requests)).toEqual(expected);
  });

  it.each<[string, KubeObject, RolloutAction, ReturnType<typeof patch>[]]>([
    [
      'promote with step',
      rollout(
        { ...canary(STEPS), paused: true },
        { ...updating, currentStepIndex: 2 },
      ),
      'promote',
      [
        patch(
          STATUS,
          '{"status":{"pauseConditions":null,"currentStepIndex":3}}',
        ),
        patch(
          ROLLOUT,
          '{"spec":{"paused":false},"status":{"pauseConditions":null,"currentStepIndex":3}}',
        ),
      ],
    ],
    [
      'promote at a pause',
      rollout(canary(STEPS), {
        ...updating,
        currentStepIndex: 1,
        pauseConditions: [{}],
      }),
      'promote',
      [
        patch(STATUS, '{"status":{"pauseConditions":null}}'),
        patch(
          ROLLOUT,
          '{"spec":{"paused":false},"status":{"pauseConditions":null}}',
        ),
      ],
    ],
    [
      'abort',
      rollout(canary(STEPS), updating),
      'abort',
      [
        patch(STATUS, '{"status":{"abort":true}}'),
        patch(ROLLOUT, '{"status":{"abort":true}}'),
      ],
    ],
    [
      'retry',
      rollout(canary(STEPS), { ...updating, abort: true }),
      'retry',
      [
        patch(STATUS, '{"status":{"abort":false}}'),
        patch(ROLLOUT, '{"status":{"abort":false}}'),
      ],
    ],
  ])(
    'without a status subresource (Argo Rollouts < v0.10), %s: 404, then one patch of the Rollout',
    async (_name, object, action, expected) => {
      api.respond = r =>
        r.path === STATUS
          ? status(404, 'the server could not find')
          : undefined;
      await act(object, action);
      expect(sent(api.requests)).toEqual(expected);
    },
  );

  it('sends nothing where the CLI sends nothing, and says why', () => {
    expect(() =>
      argoRolloutRequests(
        rollout(canary(STEPS), { currentPodHash: 'a', stableRS: 'a' }),
        'promoteFull',
        NOW,
      ),
    ).toThrow(
      'Rollout checkout-prod/checkout already runs its current version as stable: there is nothing to promote',
    );
    expect(() =>
      argoRolloutRequests(
        rollout({ strategy: { blueGreen: {} } }, updating),
        'promote',
        NOW,
      ),
    ).toThrow(
      'Rollout checkout-prod/checkout is not paused and runs no canary step to skip: there is nothing to promote',
    );
  });

  it('answers 403 naming the grant, 409 for a conflict, and the cluster failing otherwise', async () => {
    const object = rollout(canary(STEPS), updating);
    api.respond = () =>
      status(403, 'rollouts.argoproj.io "checkout" is forbidden');
    await expect(act(object, 'abort')).rejects.toMatchObject({
      name: 'NotAllowedError',
      message:
        "the backend's cluster credentials may not patch the status of Rollout checkout-prod/checkout: grant patch on rollouts/status (argoproj.io) in namespace checkout-prod to its service account (see examples/rbac)",
    });
    api.respond = () => status(409, 'the object has been modified');
    await expect(act(object, 'abort')).rejects.toMatchObject({
      name: 'ConflictError',
    });
    api.respond = () => status(500, 'etcdserver: request timed out');
    await expect(act(object, 'abort')).rejects.toMatchObject({
      name: 'ClusterRequestError',
      status: 500,
      message:
        'the cluster answered 500 to the patch of the status of Rollout checkout-prod/checkout: etcdserver: request timed out',
    });
  });

  it('names the object, never the URL, when the API server does not answer', async () => {
    api.respond = () => HttpResponse.error();
    const error = await act(rollout(canary(STEPS), updating), 'abort').catch(
      e => e,
    );
    expect(error.name).toBe('ClusterRequestError');
    expect(error.message).toMatch(
      /^could not patch the status of Rollout checkout-prod\/checkout: the cluster's API server did not answer/,
    );
    expect(error.message).not.toContain(SERVER);
    expect(error.message).not.toContain(TOKEN);
  });
});
