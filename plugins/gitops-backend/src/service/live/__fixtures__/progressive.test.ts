import { validateWithModels } from 'gitops-testkit';
import { crdValidator } from 'supply-chain-testkit';
import { KubeObject, ProgressiveScenario, argoScenarios } from './progressive';
import { flaggerScenarios } from './progressiveFlagger';

const canarySchema = crdValidator('canaries.flagger.app.yaml');

const scenarios: ProgressiveScenario[] = [
  ...Object.values(argoScenarios),
  ...Object.values(flaggerScenarios),
].map(build => build());

const label = (o: KubeObject) =>
  `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`;

describe('progressive delivery fixtures', () => {
  it('give every scenario a unique name', () => {
    const names = scenarios.map(s => s.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(scenarios.map(s => [s.name, s] as const))(
    '%s: every Rollout and AnalysisRun validates with @kubernetes-models/argo-rollouts',
    (_name, scenario) => {
      const objects = [
        ...(scenario.snapshot.rollouts ?? []),
        ...(scenario.snapshot.analysisruns ?? []),
      ];
      const verdicts = validateWithModels(objects);
      expect(
        objects.map((o, i) => [label(o), verdicts[i]]).filter(([, v]) => v),
      ).toEqual([]);
    },
  );

  it.each(scenarios.map(s => [s.name, s] as const))(
    "%s: every Canary validates against Flagger's CRD schema",
    (_name, scenario) => {
      for (const canary of scenario.snapshot.canaries ?? []) {
        expect([label(canary), canarySchema(canary)]).toEqual([
          label(canary),
          [],
        ]);
      }
    },
  );

  it.each(scenarios.map(s => [s.name, s] as const))(
    '%s: Deployments, pods and events validate with kubernetes-models',
    (_name, scenario) => {
      const objects = [
        ...(scenario.snapshot.deployments ?? []),
        ...(scenario.snapshot.pods ?? []),
        ...(scenario.snapshot.events ?? []),
      ];
      const verdicts = validateWithModels(objects);
      expect(
        objects.map((o, i) => [label(o), verdicts[i]]).filter(([, v]) => v),
      ).toEqual([]);
    },
  );

  it('are checked by validators that reject what the API server would', () => {
    const [rollout] = argoScenarios.pausedAtStep2().snapshot.rollouts!;
    const broken = structuredClone(rollout);
    broken.status.pauseConditions = [{ reason: 'CanaryPauseStep' }];
    expect(validateWithModels([broken])[0]).toMatch(/startTime/);

    const [canary] = flaggerScenarios.failedChecks().snapshot.canaries!;
    const wrong = structuredClone(canary);
    wrong.status.phase = 'Aborted';
    wrong.spec.analysis.stepWeigth = 10;
    expect(canarySchema(wrong)).toEqual(
      expect.arrayContaining([
        '/status/phase must be equal to one of the allowed values',
        '/spec/analysis must NOT have additional properties (stepWeigth)',
      ]),
    );
  });
});
