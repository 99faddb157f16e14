import {
  NAMESPACE,
  ROLLOUT_URL,
  RolloutDemo,
  hashOf,
  startRolloutDemo,
} from './__testUtils__/rolloutDemo';

jest.setTimeout(120_000);

/**
 * checkout's prod in the offline demo: an Argo Rollouts canary (examples/gitops-repo
 * apps/checkout/overlays/prod) played by the demo's controller, on the demo's own clock at the
 * pace Git sets (20 s pauses, an analysis of three measurements 10 s apart).
 */
describe("the demo's Argo Rollouts controller", () => {
  let demo: RolloutDemo;
  beforeEach(async () => {
    demo = await startRolloutDemo();
  });
  afterEach(() => demo.stop());
  const expectValidObjects = () => demo.expectValidObjects();
  const status = () => demo.status();
  const condition = (type: string) => demo.condition(type);

  it('starts with prod as a Healthy Rollout of v2.3.0 on five pods, which Argo CD tracks', async () => {
    const stable = hashOf('v2.3.0');
    const rollout = demo.rollout();
    expect(rollout.metadata).toMatchObject({
      generation: 1,
      labels: { 'app.kubernetes.io/instance': 'checkout-prod' },
      annotations: { 'rollout.argoproj.io/revision': '1' },
    });
    expect(rollout.status).toMatchObject({
      phase: 'Healthy',
      observedGeneration: '1',
      currentPodHash: stable,
      stableRS: stable,
      currentStepIndex: 9,
      replicas: 5,
      updatedReplicas: 5,
      readyReplicas: 5,
      availableReplicas: 5,
      selector: 'app.kubernetes.io/name=checkout',
      canary: {
        weights: {
          canary: { weight: 0, podTemplateHash: stable },
          stable: { weight: 100, podTemplateHash: stable },
        },
      },
    });
    expect(rollout.status).not.toHaveProperty('message');
    expect(
      rollout.status.conditions.map((c: any) => [c.type, c.status, c.reason]),
    ).toEqual([
      ['Healthy', 'True', 'RolloutHealthy'],
      ['Progressing', 'True', 'NewReplicaSetAvailable'],
      ['Available', 'True', 'AvailableReason'],
      ['Completed', 'True', 'RolloutCompleted'],
    ]);
    // Its pods carry the Rollout's hash label; no Deployment runs checkout in prod.
    expect(demo.podTags()).toEqual({ 'v2.3.0': 5 });
    for (const pod of demo.pods()) {
      expect(pod.metadata.labels).toMatchObject({
        'app.kubernetes.io/name': 'checkout',
        'rollouts-pod-template-hash': stable,
      });
      expect(pod.metadata.labels).not.toHaveProperty('pod-template-hash');
      expect(pod.metadata.ownerReferences[0].name).toBe(`checkout-${stable}`);
    }
    expect(demo.store.list('deployments', NAMESPACE)).toEqual([]);
    expect(demo.store.list('deployments', 'checkout-staging')).toHaveLength(1);
    // Argo CD applied the Rollout and its AnalysisTemplate, and reads the Rollout's health.
    const app = demo.store.get('applications', 'argocd', 'checkout-prod')!;
    expect(app.status.health.status).toBe('Healthy');
    expect(
      app.status.resources.map((r: any) => [r.group, r.kind, r.name, r.health]),
    ).toEqual([
      ['argoproj.io', 'Rollout', 'checkout', { status: 'Healthy' }],
      ['argoproj.io', 'AnalysisTemplate', 'success-rate', undefined],
    ]);
    expect(
      demo.store.get('analysistemplates', NAMESPACE, 'success-rate')?.spec
        .metrics[0],
    ).toMatchObject({
      name: 'success-rate',
      successCondition: 'result[0] >= 0.95',
      failureLimit: 0,
      count: 3,
      interval: '10s',
    });
    // The served list, as the plugin's watches list it.
    const list = await (
      await fetch(`${demo.base}/apis/argoproj.io/v1alpha1/rollouts`)
    ).json();
    expect(list.kind).toBe('RolloutList');
    expect(list.items.map((r: any) => r.metadata.name)).toEqual(['checkout']);
    expectValidObjects();
  });

  it('walks a good version through every step to Healthy, waiting for a promote at 40 %', async () => {
    const stable = hashOf('v2.3.0');
    const canary = hashOf('v2.4.0');
    await demo.deployToProd('v2.4.0');
    const start = demo.now();
    /** What changes, pass by pass: [step, phase, pods by tag, canary weight]. */
    const walk: string[] = [];
    const record = () => {
      const s = status();
      const line = `${s.currentStepIndex} ${s.phase} ${JSON.stringify(
        demo.podTags(),
      )} ${s.canary.weights.canary.weight}`;
      if (walk[walk.length - 1] !== line) walk.push(line);
    };
    let promotedAt = 0;
    await demo.until(() => {
      record();
      return status().currentStepIndex === 4 && status().phase === 'Paused';
    });
    const paused = status();
    expect(paused).toMatchObject({
      phase: 'Paused',
      message: 'CanaryPauseStep',
      controllerPause: true,
      currentPodHash: canary,
      stableRS: stable,
      pauseConditions: [{ reason: 'CanaryPauseStep' }],
      canary: {
        weights: {
          canary: { weight: 40, podTemplateHash: canary },
          stable: { weight: 60, podTemplateHash: stable },
        },
      },
    });
    expect(condition('Progressing')).toMatchObject({
      status: 'Unknown',
      reason: 'RolloutPaused',
    });
    expect(demo.rollout().metadata.annotations).toMatchObject({
      'rollout.argoproj.io/revision': '2',
    });
    // pause: {} holds until promoted.
    for (let i = 0; i < 60; i++) await demo.tick();
    expect(status().phase).toBe('Paused');
    expect(
      demo.store.get('applications', 'argocd', 'checkout-prod')!.status.health,
    ).toMatchObject({ status: 'Suspended', message: 'Rollout is paused' });
    const res = await demo.patch(`${ROLLOUT_URL}/status`, {
      status: { pauseConditions: null },
    });
    expect(res.status).toBe(200);
    promotedAt = demo.now();
    await demo.until(() => {
      record();
      return status().phase === 'Healthy';
    });
    const took = (demo.now() - start - (promotedAt - start)) / 1000;
    const waited = (promotedAt - start) / 1000;
    expect(walk).toEqual([
      `9 Healthy {"v2.3.0":5} 0`, // before the sync
      `0 Progressing {"v2.3.0":5,"v2.4.0":1} 20`,
      `0 Progressing {"v2.3.0":4,"v2.4.0":1} 20`,
      `1 Progressing {"v2.3.0":4,"v2.4.0":1} 20`,
      `1 Paused {"v2.3.0":4,"v2.4.0":1} 20`,
      `2 Progressing {"v2.3.0":4,"v2.4.0":1} 20`,
      `3 Progressing {"v2.3.0":4,"v2.4.0":2} 40`,
      `3 Progressing {"v2.3.0":3,"v2.4.0":2} 40`,
      `4 Progressing {"v2.3.0":3,"v2.4.0":2} 40`,
      `4 Paused {"v2.3.0":3,"v2.4.0":2} 40`,
      `5 Progressing {"v2.3.0":3,"v2.4.0":3} 60`,
      `5 Progressing {"v2.3.0":2,"v2.4.0":3} 60`,
      `6 Progressing {"v2.3.0":2,"v2.4.0":3} 60`,
      `6 Paused {"v2.3.0":2,"v2.4.0":3} 60`,
      `7 Progressing {"v2.3.0":2,"v2.4.0":4} 80`,
      `7 Progressing {"v2.3.0":1,"v2.4.0":4} 80`,
      `8 Progressing {"v2.3.0":1,"v2.4.0":4} 80`,
      `8 Paused {"v2.3.0":1,"v2.4.0":4} 80`,
      `9 Progressing {"v2.3.0":1,"v2.4.0":5} 100`,
      `9 Healthy {"v2.4.0":5} 0`,
    ]);
    // The pace Git sets: the 20 s pauses and the 20 s analysis before the promote, two
    // pauses after it, a second per pod and per step besides.
    expect(waited - 60).toBeGreaterThanOrEqual(44);
    expect(waited - 60).toBeLessThanOrEqual(52);
    expect(took).toBeGreaterThanOrEqual(44);
    expect(took).toBeLessThanOrEqual(52);
    expect(status()).toMatchObject({
      phase: 'Healthy',
      stableRS: canary,
      currentPodHash: canary,
      currentStepIndex: 9,
      observedGeneration: '2',
    });
    expect(status()).not.toHaveProperty('pauseConditions');
    expect(status()).not.toHaveProperty('controllerPause');
    expect(condition('Completed')).toMatchObject({ status: 'True' });
    expect(condition('Paused')).toMatchObject({ status: 'False' });
    expect(condition('Progressing')).toMatchObject({
      status: 'True',
      reason: 'NewReplicaSetAvailable',
      message: `ReplicaSet "checkout-${canary}" has successfully progressed.`,
    });
    // The analysis step's run: three measurements of the canary's success rate, 10 s apart.
    const [run] = demo.runs();
    expect(run.metadata).toMatchObject({
      name: `checkout-${canary}-2-2`,
      labels: {
        'rollouts-pod-template-hash': canary,
        'rollout-type': 'Step',
        'step-index': '2',
        'app.kubernetes.io/name': 'checkout',
      },
      annotations: { 'rollout.argoproj.io/revision': '2' },
      ownerReferences: [
        {
          kind: 'Rollout',
          name: 'checkout',
          uid: demo.rollout().metadata.uid,
          controller: true,
        },
      ],
    });
    expect(run.spec.args).toEqual([
      { name: 'service-name', value: 'checkout' },
      { name: 'namespace', value: NAMESPACE },
      { name: 'canary-hash', value: canary },
    ]);
    expect(run.status).toMatchObject({
      phase: 'Successful',
      runSummary: { count: 1, successful: 1 },
      metricResults: [
        {
          name: 'success-rate',
          phase: 'Successful',
          count: 3,
          successful: 3,
          metadata: {
            ResolvedPrometheusQuery: expect.stringContaining(
              `rollouts_pod_template_hash="${canary}"`,
            ),
          },
        },
      ],
    });
    const measurements = run.status.metricResults[0].measurements;
    expect(measurements.map((m: any) => m.phase)).toEqual([
      'Successful',
      'Successful',
      'Successful',
    ]);
    for (const m of measurements) {
      expect(m.value).toMatch(/^\[0\.99\d*\]$/);
    }
    const times = measurements.map((m: any) => Date.parse(m.startedAt));
    expect([times[1] - times[0], times[2] - times[1]]).toEqual([
      10_000, 10_000,
    ]);
    // The watches saw it pause, progress and end.
    const phases = new Set(
      demo.seen.filter(o => o.kind === 'Rollout').map(o => o.status?.phase),
    );
    expect([...phases].sort()).toEqual(['Healthy', 'Paused', 'Progressing']);
    expectValidObjects();
  });

  it('aborts the bad version at 20 %: the failed metric named, the stable version keeps its pods', async () => {
    const stable = hashOf('v2.3.0');
    const canary = hashOf('v2.5.0');
    await demo.deployToProd('v2.5.0');
    expect(await demo.until(() => status().abort === true)).toBe(true);
    const message =
      'Rollout aborted update to revision 2: Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0)';
    expect(status()).toMatchObject({
      abort: true,
      abortedAt: expect.stringMatching(/Z$/),
      phase: 'Degraded',
      message: `RolloutAborted: ${message}`,
      currentPodHash: canary,
      stableRS: stable,
      currentStepIndex: 0,
      canary: {
        weights: {
          canary: { weight: 0, podTemplateHash: canary },
          stable: { weight: 100, podTemplateHash: stable },
        },
        currentStepAnalysisRunStatus: {
          name: `checkout-${canary}-2-2`,
          status: 'Failed',
          message:
            'Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0)',
        },
      },
    });
    expect(condition('Progressing')).toMatchObject({
      status: 'False',
      reason: 'RolloutAborted',
      message,
    });
    const [run] = demo.runs();
    expect(run.status).toMatchObject({
      phase: 'Failed',
      message:
        'Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0)',
      runSummary: { count: 1, failed: 1 },
      metricResults: [
        { name: 'success-rate', phase: 'Failed', count: 1, failed: 1 },
      ],
    });
    expect(run.status.metricResults[0].measurements[0]).toMatchObject({
      phase: 'Failed',
      value: expect.stringMatching(/^\[0\.[78]\d*\]$/),
    });
    // The canary's pod goes, the stable version is back on all five.
    expect(
      await demo.until(
        () => demo.pods().length === 5 && !demo.podTags()['v2.5.0'],
      ),
    ).toBe(true);
    expect(demo.podTags()).toEqual({ 'v2.3.0': 5 });
    for (let i = 0; i < 10; i++) await demo.tick();
    expect(status()).toMatchObject({ phase: 'Degraded', abort: true });
    expect(
      demo.store.get('applications', 'argocd', 'checkout-prod')!.status.health,
    ).toMatchObject({
      status: 'Degraded',
      message: `RolloutAborted: ${message}`,
    });
    expectValidObjects();
  });
});
