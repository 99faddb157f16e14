import {
  ROLLOUT_UID,
  argoScenarios,
  buildStepAnalysisRun,
  measurement,
} from './__fixtures__/progressive';
import { flaggerScenarios } from './__fixtures__/progressiveFlagger';
import { slimObject } from './slimObject';

describe('slimObject of progressive-delivery kinds', () => {
  it('keeps of a Rollout its replicas, selector, images, strategy and status', () => {
    const [rollout] = argoScenarios.analysisRunning().snapshot.rollouts!;
    const original = structuredClone(rollout);
    original.status.alb = { ingress: 'x' };
    const slim = slimObject('rollouts', structuredClone(original));
    expect(slim.metadata).toEqual(
      expect.objectContaining({
        uid: ROLLOUT_UID,
        generation: 7,
        labels: original.metadata.labels,
        annotations: original.metadata.annotations,
      }),
    );
    expect(slim.spec).toEqual({
      replicas: 5,
      selector: original.spec.selector,
      template: {
        metadata: { labels: original.spec.template.metadata.labels },
        spec: {
          containers: [
            {
              name: 'guestbook',
              image: original.spec.template.spec.containers[0].image,
            },
          ],
        },
      },
      workloadRef: undefined,
      strategy: {
        canary: {
          steps: original.spec.strategy.canary.steps,
          analysis: undefined,
          trafficRouting: {},
        },
        blueGreen: undefined,
      },
      paused: undefined,
      restartAt: undefined,
    });
    const { alb: _alb, ...status } = original.status;
    expect(slim.status).toEqual(status);
  });

  it('keeps of an AnalysisRun its owners, metrics and the last five measurements', () => {
    const [rollout] = argoScenarios.analysisRunning().snapshot.rollouts!;
    const run = buildStepAnalysisRun({
      rollout,
      phase: 'Running',
      measurements: [9, 8, 7, 6, 5, 4, 3].map(m =>
        measurement('Successful', 0.99, m),
      ),
    });
    const slim = slimObject('analysisruns', structuredClone(run));
    expect(slim.metadata?.ownerReferences).toEqual([
      {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        name: 'guestbook',
        uid: ROLLOUT_UID,
        controller: true,
      },
    ]);
    expect(slim.metadata?.labels['rollout-type']).toBe('Step');
    expect(slim.spec.metrics[0]).toEqual({
      name: 'success-rate',
      successCondition: 'result[0] >= 0.95',
      failureCondition: undefined,
      failureLimit: 0,
      inconclusiveLimit: undefined,
      interval: '1m',
      count: 3,
      provider: {
        prometheus: { query: run.spec.metrics[0].provider.prometheus.query },
      },
    });
    expect(slim.spec.args).toBeUndefined();
    const [result] = slim.status.metricResults;
    expect(result.measurements).toHaveLength(5);
    expect(result.measurements[0].startedAt).toBe(
      run.status.metricResults[0].measurements[2].startedAt,
    );
  });

  it("keeps of a Canary its target, analysis settings and webhooks' types and URLs", () => {
    const [canary] = flaggerScenarios.waitingPromotion().snapshot.canaries!;
    const slim = slimObject('canaries', structuredClone(canary));
    expect(slim.spec.targetRef).toEqual(canary.spec.targetRef);
    expect(slim.spec.service).toBeUndefined();
    expect(slim.spec.analysis).toEqual(
      expect.objectContaining({
        interval: '1m',
        threshold: 5,
        maxWeight: 50,
        stepWeight: 10,
      }),
    );
    expect(slim.spec.analysis.webhooks).toEqual(
      canary.spec.analysis.webhooks.map((w: any) => ({
        name: w.name,
        type: w.type,
        url: w.url,
      })),
    );
    expect(slim.status.lastAppliedSpec).toBeUndefined();
    expect(slim.status.trackedConfigs).toBeUndefined();
    expect(slim.status.conditions).toEqual(canary.status.conditions);
  });

  it("keeps a Deployment's owner: Flagger's primary is told apart by it", () => {
    const { deployments } = flaggerScenarios.progressingAt30().snapshot;
    const primary = deployments!.find(
      d => d.metadata.name === 'guestbook-primary',
    )!;
    expect(
      slimObject('deployments', structuredClone(primary)).metadata
        ?.ownerReferences,
    ).toEqual([expect.objectContaining({ kind: 'Canary', name: 'guestbook' })]);
  });
});
