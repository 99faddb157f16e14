import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import {
  DesiredState,
  EnvironmentStatus,
  EnvironmentsResponse,
} from '@gitops-backstage/plugin-gitops-common';
import { GitopsConfig } from './config';
import { DesiredStateReader } from './desired/DesiredStateReader';
import { ManifestError } from './desired/parseYaml';
import { ServiceLocator } from './ServiceLocator';

/** Options of {@link EnvironmentService}. */
export interface EnvironmentServiceOptions {
  config: GitopsConfig;
  locator: ServiceLocator;
  reader: DesiredStateReader;
  logger: LoggerService;
}

/**
 * Answers "what should run where" for one service: every configured environment, each with
 * its own error when it cannot be read, so one broken overlay never hides the others.
 */
export class EnvironmentService {
  constructor(private readonly options: EnvironmentServiceOptions) {}

  async getEnvironments(
    entity: Entity,
    signal?: AbortSignal,
  ): Promise<EnvironmentsResponse> {
    const { config, locator, reader } = this.options;
    const target = locator.locate(entity);
    let revision: string;
    try {
      revision = await target.provider.resolveBranch({
        repository: target.repository,
        signal,
      });
    } catch (error) {
      const message = `Cannot read ${target.repository.url} (${
        target.repository.branch
      }): ${messageOf(error)}`;
      this.options.logger.warn(message);
      return {
        entityRef: target.entityRef,
        environments: config.environments.map(env =>
          environmentStatus(env.name, null, message),
        ),
      };
    }
    const environments = await Promise.all(
      config.environments.map(async environment => {
        try {
          const { state } = await reader.read({
            target,
            environment,
            revision,
            signal,
          });
          return environmentStatus(environment.name, state, null);
        } catch (error) {
          if (!(error instanceof ManifestError)) {
            this.options.logger.warn(
              `Desired state of ${target.entityRef} in ${
                environment.name
              } failed: ${messageOf(error)}`,
            );
          }
          return environmentStatus(environment.name, null, messageOf(error));
        }
      }),
    );
    return { entityRef: target.entityRef, environments };
  }
}

function environmentStatus(
  name: string,
  desired: DesiredState | null,
  error: string | null,
): EnvironmentStatus {
  return {
    name,
    desired,
    live: null,
    sync: null,
    drift: [],
    problems: [],
    registry: null,
    error,
  };
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
