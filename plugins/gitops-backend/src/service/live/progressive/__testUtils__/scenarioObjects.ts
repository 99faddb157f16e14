import {
  NAMESPACE,
  ProgressiveScenario,
  SERVICE,
} from '../../__fixtures__/progressive';
import { KindKey, KubeObject } from '../../kinds';
import { memoryCluster } from '../../memoryCluster';
import {
  ServiceObjects,
  selectServiceObjects,
} from '../../selectServiceObjects';
import { slimObject } from '../../slimObject';

/** A scenario's objects as the watch cache keeps them (slimmed), by kind. */
export function cachedSnapshot(
  scenario: ProgressiveScenario,
): Partial<Record<KindKey, KubeObject[]>> {
  return Object.fromEntries(
    Object.entries(scenario.snapshot).map(([kind, objects]) => [
      kind,
      (objects ?? []).map(o => slimObject(kind as KindKey, structuredClone(o))),
    ]),
  );
}

/** The service's objects of a scenario, found the way a view finds them. */
export function scenarioObjects(scenario: ProgressiveScenario): ServiceObjects {
  return selectServiceObjects(memoryCluster(cachedSnapshot(scenario)), {
    namespace: NAMESPACE,
    environment: 'prod',
    kubernetesId: SERVICE,
    workloadName: SERVICE,
  });
}
