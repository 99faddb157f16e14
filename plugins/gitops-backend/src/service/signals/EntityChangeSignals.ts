import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { SignalsService } from '@backstage/plugin-signals-node';
import {
  EnvironmentsResponse,
  GitopsEntitySignal,
  gitopsEntityChannel,
} from '@gitops-backstage/plugin-gitops-common';
import { StoredAction } from '../store/ActionStore';
import { CacheRead } from '../live/kinds';
import { Reads, keepReads } from '../live/keptReads';
import { TimeHorizon } from '../live/timeHorizon';
import { ComputedFrom, stillHolds } from '../live/computedFrom';

/**
 * What the watcher needs of the environment service. With `basis`, `clusterState` and
 * `isCurrent` (see `EnvironmentService`), an entity whose inputs did not change is not read
 * again until `recheckMs`.
 */
export interface EnvironmentsSource {
  getEnvironments(
    entity: Entity,
    signal?: AbortSignal,
    context?: { reads?: CacheRead[]; horizon?: TimeHorizon },
  ): Promise<EnvironmentsResponse>;
  basis?(entity: Entity): Promise<string>;
  clusterState?(): string;
  isCurrent?(reads: Reads): boolean;
}

/** Options of {@link EntityChangeSignals}. */
export interface EntityChangeSignalsOptions {
  /** Backstage's signals service; without it nothing is watched or sent. */
  signals?: SignalsService;
  environments: EnvironmentsSource;
  logger: LoggerService;
  /** How often the entities being looked at are read again. */
  intervalMs: number;
  /** An entity is watched for this long after its last view. */
  watchMs: number;
  /** At most this many entities are watched; the least recently viewed go first. */
  maxEntities: number;
  /**
   * An entity whose Git basis, cluster cache reads and time-based states did not change is
   * read again only this often (what the inputs do not cover, a registry's new tags, still
   * arrives). Default `max(60 s, 12 × intervalMs)`.
   */
  recheckMs?: number;
  now?: () => number;
}

interface Watched {
  entity: Entity;
  fingerprint: string;
  viewedAt: number;
  /** What the last read's answer came from, and when it was read. */
  inputs?: Inputs;
}

interface Inputs extends ComputedFrom {
  /** When its answer would change with time alone. */
  horizon: number;
  readAt: number;
}

/**
 * Pushes Backstage signals when an entity's GitOps state changes, so an open GitOps tab
 * reads it again at once instead of at its next poll: for an action as soon as it is recorded
 * or changes status, and for the environments' answer (Git, cluster, registry) by reading,
 * every `intervalMs`, the entities someone looked at within `watchMs` — from the watch caches,
 * so no Kubernetes API call — and comparing with the last answer. The cost is bounded by the
 * entities being looked at, not the fleet.
 */
export class EntityChangeSignals {
  private readonly watched = new Map<string, Watched>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private readonly abort = new AbortController();

  constructor(private readonly options: EntityChangeSignalsOptions) {}

  get enabled(): boolean {
    return Boolean(this.options.signals);
  }

  /** Notes an answer a user was given: the entity is watched, that answer is the baseline. */
  viewed(entity: Entity, response: EnvironmentsResponse) {
    if (!this.enabled) return;
    const ref = stringifyEntityRef(entity);
    // Re-inserted: the map's order is the order of the last views.
    this.watched.delete(ref);
    this.watched.set(ref, {
      entity,
      fingerprint: fingerprintOf(response),
      viewedAt: this.now(),
    });
    while (this.watched.size > this.options.maxEntities) {
      this.watched.delete(this.watched.keys().next().value!);
    }
  }

  /** An action was recorded or changed status. */
  actionChanged(action: StoredAction) {
    // Broadcast to every signed-in user: no id, environment or status, only that it changed.
    this.publish({ kind: 'action', entityRef: action.entityRef });
  }

  /**
   * A verification or approval of an entity changed (`entityRef`), or a freeze (`null`:
   * every watched entity's tab shows it).
   */
  policyChanged(entityRef: string | null) {
    const refs = entityRef ? [entityRef] : [...this.watched.keys()];
    for (const ref of refs) this.publish({ kind: 'state', entityRef: ref });
  }

  start() {
    if (!this.enabled || this.timer) return;
    const tick = () => {
      this.running = this.checkOnce()
        .catch(error =>
          this.options.logger.warn(`GitOps signals: ${String(error)}`),
        )
        .finally(() => {
          if (!this.abort.signal.aborted) {
            this.timer = setTimeout(tick, this.options.intervalMs);
            this.timer.unref?.();
          }
        });
    };
    this.timer = setTimeout(tick, this.options.intervalMs);
    this.timer.unref?.();
  }

  async stop() {
    this.abort.abort();
    clearTimeout(this.timer);
    await this.running;
  }

  /** Reads every watched entity again; signals those whose answer changed. */
  async checkOnce(): Promise<number> {
    return this.check(() => true);
  }

  /**
   * Reads again at once the watched entities `affected` picks (their repository was pushed
   * to), instead of at the next pass; signals those whose answer changed.
   */
  async checkNow(affected: (entity: Entity) => boolean): Promise<number> {
    if (!this.enabled) return 0;
    return this.check(affected);
  }

  private async check(affected: (entity: Entity) => boolean): Promise<number> {
    const now = this.now();
    let signalled = 0;
    for (const [ref, watched] of [...this.watched]) {
      if (this.abort.signal.aborted) break;
      if (now - watched.viewedAt > this.options.watchMs) {
        this.watched.delete(ref);
        continue;
      }
      if (!affected(watched.entity)) continue;
      let fingerprint: string;
      try {
        const basis = await this.options.environments.basis?.(watched.entity);
        if (await this.unchanged(watched, basis, now)) continue;
        const reads: CacheRead[] = [];
        const horizon = new TimeHorizon();
        const clusters = this.options.environments.clusterState?.() ?? '';
        fingerprint = fingerprintOf(
          await this.options.environments.getEnvironments(
            watched.entity,
            this.abort.signal,
            { reads, horizon },
          ),
        );
        watched.inputs =
          basis === undefined
            ? undefined
            : {
                basis,
                clusters,
                reads: keepReads(reads),
                horizon: horizon.at,
                readAt: now,
              };
      } catch {
        continue; // a view of it shows the error; the next pass tries again
      }
      if (fingerprint === watched.fingerprint) continue;
      watched.fingerprint = fingerprint;
      this.publish({ kind: 'state', entityRef: ref });
      signalled += 1;
    }
    return signalled;
  }

  /** Nothing the last read came from moved, no time-based state came due, it is recent. */
  private async unchanged(
    watched: Watched,
    basis: string | undefined,
    now: number,
  ): Promise<boolean> {
    const { inputs } = watched;
    const { environments, intervalMs } = this.options;
    const recheckMs =
      this.options.recheckMs ?? Math.max(60_000, 12 * intervalMs);
    const { clusterState, isCurrent } = environments;
    if (!inputs || !clusterState || !isCurrent) return false;
    return (
      now < inputs.horizon &&
      now - inputs.readAt < recheckMs &&
      stillHolds(
        inputs,
        { basis, clusters: clusterState.call(environments) },
        { isCurrent: reads => isCurrent.call(environments, reads) },
      )
    );
  }

  private publish(message: GitopsEntitySignal) {
    const { signals, logger } = this.options;
    if (!signals) return;
    // Everyone with the tab open: the message names no state, only that it changed.
    signals
      .publish({
        recipients: { type: 'broadcast' },
        channel: gitopsEntityChannel(message.entityRef),
        message,
      })
      .catch(error =>
        logger.warn(
          `GitOps signals: could not publish for ${message.entityRef}: ${error}`,
        ),
      );
  }

  private now() {
    return this.options.now?.() ?? Date.now();
  }
}

/** The answer without what changes with every watch event or bookmark alone. */
function fingerprintOf(response: EnvironmentsResponse): string {
  return JSON.stringify(response.environments, (key, value) =>
    key === 'observedAt' ? undefined : value,
  );
}
