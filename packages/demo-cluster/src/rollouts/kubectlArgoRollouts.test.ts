import { metaTime } from './analysisRuns';
import {
  NAMESPACE,
  ROLLOUTS,
  ROLLOUT_URL,
  RolloutDemo,
  hashOf,
  startRolloutDemo,
} from './__testUtils__/rolloutDemo';

jest.setTimeout(120_000);

/**
 * What `kubectl argo rollouts` (and the portal, which sends the same) asks through the API
 * server — merge patches of the Rollout's `status` subresource and of its spec — and how the
 * demo's controller answers, as Argo Rollouts does.
 */
describe('kubectl argo rollouts against the demo cluster', () => {
  let demo: RolloutDemo;
  beforeEach(async () => {
    demo = await startRolloutDemo();
  });
  afterEach(() => demo.stop());
  const expectValidObjects = () => demo.expectValidObjects();
  const status = () => demo.status();
  const condition = (type: string) => demo.condition(type);
  const patchStatus = async (body: object) => {
    const res = await demo.patch(`${ROLLOUT_URL}/status`, { status: body });
    expect(res.status).toBe(200);
    return res.json();
  };
  const atStep = (index: number, phase: string) => () =>
    status().currentStepIndex === index && status().phase === phase;

  it('abort sends the canary away and retry starts the steps again', async () => {
    await demo.deployToProd('v2.4.0');
    expect(await demo.until(atStep(1, 'Paused'))).toBe(true);
    await patchStatus({ abort: true });
    await demo.tick();
    expect(status()).toMatchObject({
      abort: true,
      abortedAt: metaTime(demo.now()),
      phase: 'Degraded',
      message: 'RolloutAborted: Rollout aborted update to revision 2',
      currentStepIndex: 0,
      canary: { weights: { canary: { weight: 0 }, stable: { weight: 100 } } },
    });
    expect(status()).not.toHaveProperty('pauseConditions');
    expect(condition('Progressing')).toMatchObject({
      status: 'False',
      reason: 'RolloutAborted',
    });
    expect(await demo.until(() => !demo.podTags()['v2.4.0'], 10)).toBe(true);
    expect(demo.podTags()).toEqual({ 'v2.3.0': 5 });

    await patchStatus({ abort: false });
    await demo.tick();
    expect(status()).toMatchObject({
      phase: 'Progressing',
      currentStepIndex: 0,
    });
    expect(status()).not.toHaveProperty('abort');
    expect(status()).not.toHaveProperty('abortedAt');
    expect(condition('Progressing')).toMatchObject({
      status: 'Unknown',
      reason: 'RolloutRetry',
      message: 'Retrying Rollout after abort',
    });
    expect(await demo.until(atStep(1, 'Paused'), 10)).toBe(true);
    expect(demo.podTags()).toEqual({ 'v2.3.0': 4, 'v2.4.0': 1 });
    expectValidObjects();
  });

  it('a retry of the bad version analyses it again in a new run, which fails again', async () => {
    const canary = hashOf('v2.5.0');
    await demo.deployToProd('v2.5.0');
    expect(await demo.until(() => status().abort === true)).toBe(true);
    await patchStatus({ abort: false });
    expect(
      await demo.until(() =>
        Boolean(
          demo.store.get('analysisruns', NAMESPACE, `checkout-${canary}-2-2.1`),
        ),
      ),
    ).toBe(true);
    expect(await demo.until(() => status().abort === true)).toBe(true);
    expect(status().canary.currentStepAnalysisRunStatus).toEqual({
      name: `checkout-${canary}-2-2.1`,
      status: 'Failed',
      message:
        'Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0)',
    });
    expect(demo.runs().map(r => r.status.phase)).toEqual(['Failed', 'Failed']);
    expectValidObjects();
  });

  it('promote ends a pause, and with a step index skips to that step', async () => {
    await demo.deployToProd('v2.4.0');
    expect(await demo.until(atStep(1, 'Paused'))).toBe(true);
    // `promote` at a pause: the pause condition cleared, the next step (the analysis).
    const promoted = await patchStatus({ pauseConditions: null });
    // Until the controller reacts: "waiting for rollout to unpause", as the CLI says.
    expect(promoted.status).toMatchObject({ controllerPause: true });
    expect(promoted.status).not.toHaveProperty('pauseConditions');
    await demo.tick();
    expect(status()).toMatchObject({
      currentStepIndex: 2,
      phase: 'Progressing',
    });
    expect(status()).not.toHaveProperty('controllerPause');
    expect(demo.runs()).toHaveLength(0);
    await demo.tick();
    expect(demo.runs()).toHaveLength(1);
    // `promote` during the analysis skips it: the run is cancelled, setWeight 40 follows.
    await patchStatus({ pauseConditions: null, currentStepIndex: 3 });
    await demo.tick();
    expect(status().currentStepIndex).toBe(3);
    expect(demo.runs()[0]).toMatchObject({
      spec: { terminate: true },
      status: { phase: 'Successful', message: 'Run Terminated' },
    });
    expect(await demo.until(atStep(4, 'Paused'), 10)).toBe(true);
    expect(demo.podTags()).toEqual({ 'v2.3.0': 3, 'v2.4.0': 2 });
    // A promote that jumps onto a pause step pauses there.
    await patchStatus({ pauseConditions: null, currentStepIndex: 6 });
    await demo.tick();
    expect(status()).toMatchObject({
      currentStepIndex: 6,
      phase: 'Paused',
      pauseConditions: [{ reason: 'CanaryPauseStep' }],
    });
    expectValidObjects();
  });

  it('promoteFull skips the remaining steps, analysis and pauses', async () => {
    const canary = hashOf('v2.4.0');
    await demo.deployToProd('v2.4.0');
    expect(await demo.until(() => demo.runs().length === 1)).toBe(true);
    expect(status().currentStepIndex).toBe(2);
    await patchStatus({ promoteFull: true });
    await demo.tick();
    expect(status()).toMatchObject({
      promoteFull: true,
      currentStepIndex: 9,
      phase: 'Progressing',
      canary: { weights: { canary: { weight: 100 } } },
    });
    expect(demo.runs()[0].status.phase).toBe('Successful');
    expect(await demo.until(() => status().phase === 'Healthy', 20)).toBe(true);
    expect(status()).toMatchObject({ stableRS: canary, currentStepIndex: 9 });
    expect(status()).not.toHaveProperty('promoteFull');
    expect(demo.podTags()).toEqual({ 'v2.4.0': 5 });
    expectValidObjects();
  });

  it('restart recreates the pods one by one; pause and resume the spec', async () => {
    const before = demo.pods().map(p => p.metadata.name);
    const restartAt = metaTime(demo.now());
    const res = await demo.patch(ROLLOUT_URL, { spec: { restartAt } });
    expect(res.status).toBe(200);
    await demo.tick();
    expect(demo.rollout().metadata.generation).toBe(2);
    expect(status()).toMatchObject({
      phase: 'Progressing',
      message: 'rollout is restarting',
      observedGeneration: '2',
    });
    expect(await demo.until(() => status().restartedAt === restartAt, 20)).toBe(
      true,
    );
    const after = demo.pods().map(p => p.metadata.name);
    expect(after).toHaveLength(5);
    expect(after.filter(name => before.includes(name))).toEqual([]);
    await demo.tick();
    expect(status().phase).toBe('Healthy');

    // `kubectl argo rollouts pause`, then `promote` (spec.paused false and the conditions).
    await demo.deployToProd('v2.4.0');
    await demo.tick();
    expect(
      (await demo.patch(ROLLOUT_URL, { spec: { paused: true } })).status,
    ).toBe(200);
    await demo.tick();
    expect(status()).toMatchObject({
      phase: 'Paused',
      message: 'manually paused',
    });
    const index = status().currentStepIndex;
    for (let i = 0; i < 30; i++) await demo.tick();
    expect(status().currentStepIndex).toBe(index);
    await demo.patch(ROLLOUT_URL, { spec: { paused: false } });
    await patchStatus({ pauseConditions: null });
    expect(await demo.until(atStep(1, 'Paused'), 10)).toBe(true);
    expectValidObjects();
  });

  it('serves the status subresource: each patch changes its own part only', async () => {
    const get = await fetch(`${demo.base}${ROLLOUT_URL}/status`);
    expect((await get.json()).status.phase).toBe('Healthy');
    // On /status the spec of a patch is dropped; on the object its status is.
    const patched = await patchStatus({ promoteFull: false });
    expect(patched.spec.replicas).toBe(5);
    const both = await demo.patch(`${ROLLOUT_URL}/status`, {
      spec: { replicas: 1 },
      status: { abort: true },
    });
    expect((await both.json()).spec.replicas).toBe(5);
    const main = await demo.patch(ROLLOUT_URL, {
      spec: { paused: true },
      status: { abort: false },
    });
    expect(await main.json()).toMatchObject({
      spec: { paused: true },
      status: { abort: true },
    });
    // Kinds without one have no status subresource in the demo.
    const deployment = await demo.patch(
      '/apis/apps/v1/namespaces/checkout-staging/deployments/checkout/status',
      { status: {} },
    );
    expect(deployment.status).toBe(404);
    const scale = await demo.patch(`${ROLLOUT_URL}/scale`, { spec: {} });
    expect(scale.status).toBe(404);
    expectValidObjects();
  });

  it('watches of Rollouts and AnalysisRuns see each change', async () => {
    const list = await (await fetch(`${demo.base}${ROLLOUTS}/rollouts`)).json();
    const controller = new AbortController();
    const events: any[] = [];
    const res = await fetch(
      `${demo.base}${ROLLOUTS}/analysisruns?watch=true&resourceVersion=${list.metadata.resourceVersion}`,
      { signal: controller.signal },
    );
    const rollouts = await fetch(
      `${demo.base}${ROLLOUTS}/namespaces/${NAMESPACE}/rollouts?watch=true&resourceVersion=${list.metadata.resourceVersion}`,
      { signal: controller.signal },
    );
    const read = async (body: ReadableStream<Uint8Array>) => {
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for await (const chunk of body as any) {
          buffer += decoder.decode(chunk, { stream: true });
          const lines = buffer.split('\n');
          buffer = lines.pop()!;
          events.push(...lines.filter(Boolean).map(l => JSON.parse(l)));
        }
      } catch {
        // aborted
      }
    };
    const reading = Promise.all([read(res.body!), read(rollouts.body!)]);
    await demo.deployToProd('v2.4.0');
    expect(await demo.until(atStep(3, 'Progressing'))).toBe(true);
    await new Promise(resolve => setTimeout(resolve, 200));
    controller.abort();
    await reading;
    const seen = (kind: string) =>
      events
        .filter(e => e.object.kind === kind)
        .map(e => `${e.type} ${e.object.status?.phase}`);
    // One event per measurement: three, 10 s apart.
    expect(seen('AnalysisRun')).toEqual([
      'ADDED Running',
      'MODIFIED Running',
      'MODIFIED Successful',
    ]);
    expect(new Set(seen('Rollout'))).toEqual(
      new Set(['MODIFIED Progressing', 'MODIFIED Paused']),
    );
    expectValidObjects();
  });
});
