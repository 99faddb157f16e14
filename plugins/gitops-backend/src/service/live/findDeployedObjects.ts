import { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { DesiredStateReader } from '@gitops-backstage/plugin-gitops-repository';
import { EnvironmentConfig, GitopsConfig, findEnvironment } from '../config';
import { ServiceLocator, ServiceTarget } from '../ServiceLocator';
import { LiveStatusService } from './LiveStatusService';
import { ServiceObjects } from './selectServiceObjects';

/**
 * The objects the live state found for a service in one environment's cluster, for a request
 * that acts on one of them (an engine sync, a rollout action): the object acted on is always
 * the one the watches found, never one named in the request. Git is read first so the
 * workload and namespace are the ones Git renders; a repository that cannot be read still
 * leaves the annotations to find them.
 */
export async function findDeployedObjects(
  options: {
    config: GitopsConfig;
    locator: ServiceLocator;
    reader: DesiredStateReader;
    live: LiveStatusService;
  },
  entity: Entity,
  environmentName: string,
  /** What the cluster would be asked, for the refusal: "an engine", "a rollout controller". */
  asked: string,
  signal?: AbortSignal,
): Promise<{
  environment: EnvironmentConfig;
  target: ServiceTarget;
  cluster: string;
  found: ServiceObjects;
}> {
  const { config, locator, reader, live } = options;
  const environment = findEnvironment(config, environmentName);
  if (!live.covers(environment)) {
    throw new InputError(
      `${environment.name} has no cluster configured: there is no ${asked} to ask`,
    );
  }
  const target = locator.locate(entity);
  const revision = await target.provider.resolveBranch({
    repository: target.repository,
    signal,
  });
  const desired = await reader
    .read({ target, environment, revision, signal })
    .then(r => r.state)
    .catch(() => null);
  const { cluster, found } = await live.find({
    target,
    environment,
    desired,
    signal,
  });
  return { environment, target, cluster, found };
}
