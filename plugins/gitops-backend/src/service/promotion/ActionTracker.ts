import {
  AuthService,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { GitopsConfig } from '../config';
import { EnvironmentService } from '../EnvironmentService';
import { PENDING_STATUSES, ActionStore } from '../store/ActionStore';
import { trackOutcome } from './trackOutcome';
import { FleetEntities } from '../fleet/FleetEntities';
import { gitopsEntity } from '../fleetPass';

/** Options of {@link ActionTracker}. */
export interface ActionTrackerOptions {
  config: GitopsConfig;
  store: ActionStore;
  environments: EnvironmentService;
  catalog: CatalogService;
  auth: AuthService;
  /** The shared list of GitOps entities: followed services are looked up there. */
  fleet?: FleetEntities;
  /** Whether an environment's cluster is configured; others cannot be followed. */
  tracks(environment: GitopsConfig['environments'][number]): boolean;
  logger: LoggerService;
  now?: () => Date;
}

/**
 * Follows committed promotions, rollbacks and scaling until the target environment runs them
 * Synced and Healthy (Succeeded) or cannot (Failed: Degraded, crash loop, time-out, replaced).
 * Runs as a scheduled task, so with several backend instances one of them runs it at a time.
 */
export class ActionTracker {
  constructor(private readonly options: ActionTrackerOptions) {}

  /** Registers the task; the scheduler runs it on one instance at a time. */
  async schedule(scheduler: SchedulerService): Promise<void> {
    const seconds = this.options.config.promotion.trackIntervalSeconds;
    await scheduler.scheduleTask({
      id: 'gitops-action-tracker',
      frequency: { seconds },
      // The scheduler holds the task's lock until the time-out when the instance running it
      // dies: a short one lets another instance (or this one, restarted) resume tracking soon.
      timeout: { seconds: Math.max(60, 4 * seconds) },
      initialDelay: { seconds: Math.min(seconds, 5) },
      fn: async () => {
        await this.runOnce();
      },
    });
  }

  /** One pass over the pending records. @returns how many records changed. */
  async runOnce(): Promise<number> {
    const { store, environments, catalog, auth, config, logger } = this.options;
    const pending = await store.listPending();
    const now = this.options.now?.() ?? new Date();
    const limits = {
      timeoutMs: config.promotion.trackTimeoutMinutes * 60_000,
      pullRequestTimeoutMs:
        config.promotion.pullRequestTimeoutHours * 3_600_000,
      // This instance's clone sees another instance's commit at its next fetch: until then a
      // record it does not find in Git is not yet "replaced".
      viewLagMs: config.git.fetchIntervalSeconds * 1000 + config.timeouts.gitMs,
    };
    let changed = 0;
    // One read of an entity's environments serves all of its pending records.
    const byEntity = new Map<string, typeof pending>();
    for (const action of pending) {
      const environment = config.environments.find(e => e.name === action.to);
      if (!environment || !this.options.tracks(environment)) continue; // stays Committed
      byEntity.set(action.entityRef, [
        ...(byEntity.get(action.entityRef) ?? []),
        action,
      ]);
    }
    for (const [entityRef, actions] of byEntity) {
      try {
        const entity = await gitopsEntity(
          catalog,
          auth,
          entityRef,
          this.options.fleet,
        );
        if (!entity) {
          for (const action of actions) {
            // A new service's entity is registered after its files are written (the
            // scaffolder's next step): wait for it as long as for the environment to sync.
            if (
              action.action === 'create' &&
              now.getTime() - Date.parse(action.createdAt) < limits.timeoutMs
            ) {
              continue;
            }
            if (
              await store.update(
                action.id,
                {
                  status: 'Failed',
                  message: `${entityRef} is no longer in the catalog`,
                  finishedAt: now.toISOString(),
                },
                PENDING_STATUSES,
              )
            )
              changed++;
          }
          continue;
        }
        const status = await environments.getEnvironments(entity);
        for (const action of actions) {
          const target = status.environments.find(e => e.name === action.to);
          if (!target) continue;
          const outcome = trackOutcome(action, target, now, limits);
          if (!outcome) continue;
          const done =
            outcome.status === 'Succeeded' || outcome.status === 'Failed';
          if (
            await store.update(
              action.id,
              {
                status: outcome.status,
                message: outcome.message,
                finishedAt: done ? now.toISOString() : null,
              },
              PENDING_STATUSES,
            )
          ) {
            changed++;
            logger.info(
              `${action.action} ${action.id} of ${entityRef} in ${action.to}: ${outcome.status} — ${outcome.message}`,
            );
          }
        }
      } catch (error) {
        // One unreadable entity must not stop the others from being tracked.
        logger.warn(
          `Tracking ${entityRef} failed: ${(error as Error).message}`,
        );
      }
    }
    return changed;
  }
}
