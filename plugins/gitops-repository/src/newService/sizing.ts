import { NewServiceEnvironment, NewServiceSpec } from './types';

/** How an environment is sized and synced: by its place in the promotion order. */
export type Tier = 'dev' | 'staging' | 'prod';

/** Container requests and limits. */
export interface Resources {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}

/** The HPA's utilization targets in the last environment (seed 002, seed 003). */
export const HPA_TARGETS = { cpu: 70, memory: 80 } as const;

/** The prod PodDisruptionBudget keeps one pod through voluntary disruptions (seed 003). */
export const PDB_MIN_AVAILABLE = 1;

/** Seed 002, "Environment Resource Allocation". */
const RESOURCES: Record<Tier, Resources> = {
  dev: {
    requests: { cpu: '50m', memory: '64Mi' },
    limits: { cpu: '100m', memory: '128Mi' },
  },
  staging: {
    requests: { cpu: '100m', memory: '128Mi' },
    limits: { cpu: '250m', memory: '256Mi' },
  },
  prod: {
    requests: { cpu: '200m', memory: '256Mi' },
    limits: { cpu: '500m', memory: '512Mi' },
  },
};

const REPLICAS: Record<Exclude<Tier, 'prod'>, number> = { dev: 1, staging: 2 };

/**
 * The first environment is dev and the last prod, the ones between staging: one environment
 * is prod, two are dev and prod.
 */
export function tierOf(index: number, count: number): Tier {
  if (index === count - 1) return 'prod';
  return index === 0 ? 'dev' : 'staging';
}

/** One environment with everything its files say about size, version and sync. */
export interface EnvironmentPlan {
  environment: NewServiceEnvironment;
  tier: Tier;
  resources: Resources;
  /** A fixed count, or null where the HPA owns it (prod). */
  replicas: number | null;
  /** HPA bounds, prod only. */
  autoscaling: { minReplicas: number; maxReplicas: number } | null;
  /** The digest the environment pins its image by (prod, when one is given). */
  digest: string | null;
  /** Argo CD reverts changes made in the cluster: dev only (seed 002). */
  selfHeal: boolean;
  /** Runs an Argo Rollouts canary instead of a Deployment: prod, with `progressiveDelivery: canary`. */
  canary: boolean;
}

/** Sizes every environment of a service by its tier. */
export function planEnvironments(spec: NewServiceSpec): EnvironmentPlan[] {
  const count = spec.environments.length;
  return spec.environments.map((environment, index) => {
    const tier = tierOf(index, count);
    return {
      environment,
      tier,
      resources: structuredClone(RESOURCES[tier]),
      replicas: tier === 'prod' ? null : REPLICAS[tier],
      autoscaling: tier === 'prod' ? { ...spec.autoscaling } : null,
      digest: tier === 'prod' ? spec.digest : null,
      selfHeal: tier === 'dev',
      canary: tier === 'prod' && spec.progressiveDelivery === 'canary',
    };
  });
}
