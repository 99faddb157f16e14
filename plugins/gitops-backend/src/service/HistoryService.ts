import { Entity } from '@backstage/catalog-model';
import {
  DesiredState,
  HistoryItem,
  HistoryResponse,
} from '@gitops-backstage/plugin-gitops-common';
import {
  GitopsConfig,
  environmentInRepository,
  fillTemplate,
  findEnvironment,
} from './config';
import { DesiredStateReader } from '@gitops-backstage/plugin-gitops-repository';
import { ManifestError } from '@gitops-backstage/plugin-gitops-repository';
import { ServiceLocator } from './ServiceLocator';
import { actionIdOf } from './promotion/commitMessage';
import { ActionStore, publicAction } from './store/ActionStore';
import { mapLimited } from './mapLimited';

/** Options of {@link HistoryService}. */
export interface HistoryServiceOptions {
  config: GitopsConfig;
  locator: ServiceLocator;
  reader: DesiredStateReader;
  /** Recorded promotions, rollbacks, scaling and sync requests; left out in Git-only tests. */
  store?: ActionStore;
}

/**
 * Lists the commits that changed an environment's version or scaling, newest first.
 *
 * The log is limited to the paths the environment's desired state is built from (overlay and
 * bases, or chart and values files); each commit's state is compared with the one before it,
 * so commits that only touched, say, a ConfigMap are left out.
 */
export class HistoryService {
  constructor(private readonly options: HistoryServiceOptions) {}

  async getHistory(
    entity: Entity,
    environmentName: string,
    signal?: AbortSignal,
  ): Promise<HistoryResponse> {
    const { config, locator, reader } = this.options;
    const environment = findEnvironment(config, environmentName);
    const target = locator.locate(entity);
    const head = await target.provider.resolveBranch({
      repository: target.repository,
      signal,
    });
    // Shared, frozen states: the walk only reads them, and the deployment ledger walks every
    // environment of a fleet, so copies would be garbage by the thousand.
    const readAt = (revision: string) =>
      reader
        .readShared({ target, environment, revision, signal })
        .catch(error => {
          if (error instanceof ManifestError) return undefined; // broken at that commit: not a version
          throw error;
        });

    const current = await readAt(head);
    const inputs = current?.inputs ?? [
      fillTemplate(
        environmentInRepository(environment, target.layout).overlayPath,
        {
          path: target.path,
          service: target.service,
          env: environment.name,
        },
      ),
      target.path,
    ];
    const limit = config.historyLimit;
    // One extra commit is the baseline the oldest listed commit is compared with.
    const commits = await target.provider.log({
      repository: target.repository,
      revision: head,
      paths: inputs,
      limit: limit + 1,
      signal,
    });
    const states = await mapLimited(commits, 4, commit => readAt(commit.sha));

    const items: HistoryItem[] = [];
    for (let i = 0; i < Math.min(commits.length, limit); i++) {
      const state = states[i]?.state;
      if (!state) continue;
      const before =
        i + 1 < commits.length ? states[i + 1]?.state ?? null : null;
      const changes: HistoryItem['changes'] = [];
      if (!before || versionOf(before) !== versionOf(state))
        changes.push('version');
      if (!before || scalingOf(before) !== scalingOf(state))
        changes.push('scaling');
      if (changes.length === 0) continue;
      const commit = commits[i];
      items.push({
        revision: commit.sha,
        author: commit.author.name,
        message: commit.message,
        committedAt: commit.committedAt,
        tag: state.tag,
        digest: state.digest,
        replicas: state.replicas,
        autoscaling: state.autoscaling,
        changes,
        // Commits made through the plugin carry their action id as a trailer.
        promotionId: actionIdOf(commit.message),
      });
    }
    const actions = this.options.store
      ? (
          await this.options.store.listForEntity(target.entityRef, {
            environment: environment.name,
            limit,
          })
        ).map(publicAction)
      : [];
    return {
      entityRef: target.entityRef,
      environment: environment.name,
      items,
      actions,
    };
  }
}

function versionOf(state: DesiredState): string {
  return JSON.stringify([state.image, state.tag, state.digest]);
}

function scalingOf(state: DesiredState): string {
  return JSON.stringify([state.replicas, state.autoscaling]);
}
