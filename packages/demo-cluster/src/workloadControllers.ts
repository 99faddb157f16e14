import { DesiredState } from '@gitops-backstage/plugin-gitops-common';
import { DemoRegistry } from './DemoRegistry';
import { DemoPod, templateHash } from './workloadObjects';
import { Runtime, imageOf } from './runtimes';

/** DEMO ONLY. What the demo's Deployment and autoscaler controllers step with. */
export interface WorkloadControllers {
  /** Says whether an image runs, crashes or cannot be pulled. */
  registry: Pick<DemoRegistry, 'outcome'>;
  /** Replica demand of autoscaled services, keyed `<workload>/<namespace>`. */
  load: Map<string, number>;
  /** Time between rollout steps (one pod started or stopped). */
  stepMs: number;
  /** The Rollouts controller moves a Rollout's pods: they are left to it. */
  rolloutsControlled: boolean;
}

/** The replicas the workload runs: the autoscaler's current count, or Git's `replicas`. */
export function replicasOf(rt: Runtime, desired: DesiredState): number {
  const hpa = desired.autoscaling;
  if (hpa?.minReplicas || hpa?.maxReplicas) {
    const min = hpa.minReplicas ?? 1;
    const max = hpa.maxReplicas ?? min;
    rt.hpaCurrent = Math.min(max, Math.max(min, rt.hpaCurrent ?? min));
    return rt.hpaCurrent;
  }
  return desired.replicas ?? 1;
}

/** A new pod of the workload's ReplicaSet for `image`, named as the controller names them. */
export function newPod(
  rt: Runtime,
  image: string,
  startedAt: Date,
  controllers: Pick<WorkloadControllers, 'registry'>,
): DemoPod {
  const hash = templateHash(image);
  rt.podSerial++;
  return {
    name: `${rt.workload}-${hash}-${String(rt.podSerial)
      .padStart(5, '0')
      .slice(-5)}`,
    image,
    hash,
    outcome: controllers.registry.outcome(image),
    startedAt: startedAt.toISOString(),
    restarts: 0,
  };
}

/**
 * One controller step: a surge pod, an old pod retired, a scale step, a crash restart.
 * Whether it was time for one: a Rollout's pods are then moved by the Rollouts controller.
 */
export function stepWorkload(
  rt: Runtime,
  now: Date,
  controllers: WorkloadControllers,
): boolean {
  if (!rt.applied) return false;
  if (now.getTime() - rt.lastStep < controllers.stepMs) return false;
  rt.lastStep = now.getTime();
  const desired = rt.applied.desired;
  stepAutoscaler(rt, desired, controllers);
  const image = imageOf(desired);
  const hash = templateHash(image);
  const replicas = replicasOf(rt, desired);
  const fresh = rt.pods.filter(p => p.hash === hash);
  const old = rt.pods.filter(p => p.hash !== hash);
  const readyFresh = fresh.filter(p => p.outcome === 'runs').length;
  for (const pod of rt.pods) {
    // The kubelet's back-off: 10 s, doubling, at most five minutes between restarts.
    const backoff = Math.min(300_000, 10_000 * 2 ** pod.restarts);
    const sinceStart = now.getTime() - Date.parse(pod.startedAt);
    if (pod.outcome === 'crashes' && sinceStart > backoff) {
      pod.restarts++;
      pod.startedAt = now.toISOString();
    }
  }
  if (rt.applied.rollout && controllers.rolloutsControlled) return true;
  if (fresh.length < replicas && rt.pods.length < replicas + 1) {
    rt.pods.push(newPod(rt, image, now, controllers)); // maxSurge 1
  } else if (old.length > 0 && readyFresh + old.length > replicas) {
    rt.pods.splice(rt.pods.indexOf(old[0]), 1); // maxUnavailable 0
  } else if (fresh.length > replicas) {
    rt.pods.splice(rt.pods.indexOf(fresh[fresh.length - 1]), 1);
  }
  return true;
}

function stepAutoscaler(
  rt: Runtime,
  desired: DesiredState,
  controllers: Pick<WorkloadControllers, 'load'>,
) {
  const hpa = desired.autoscaling;
  if (!hpa?.maxReplicas) {
    rt.hpaCurrent = undefined;
    return;
  }
  const target = autoscalerTarget(rt, desired, controllers);
  if (rt.hpaCurrent === undefined) rt.hpaCurrent = hpa.minReplicas ?? 1;
  if (rt.hpaCurrent < target) rt.hpaCurrent++;
  else if (rt.hpaCurrent > target) rt.hpaCurrent--;
}

/** The replica count the autoscaler wants: the demand, within the bounds. */
export function autoscalerTarget(
  rt: Runtime,
  desired: DesiredState,
  controllers: Pick<WorkloadControllers, 'load'>,
): number {
  const min = desired.autoscaling?.minReplicas ?? 1;
  const max = desired.autoscaling?.maxReplicas ?? min;
  const demand = demandOf(rt, controllers) ?? min * 0.8;
  return Math.min(max, Math.max(min, Math.ceil(demand)));
}

/** The demand seeded for the workload (`DemoLoad`), if any. */
export function demandOf(
  rt: Runtime,
  controllers: Pick<WorkloadControllers, 'load'>,
): number | undefined {
  return controllers.load.get(`${rt.workload}/${rt.destination}`);
}
