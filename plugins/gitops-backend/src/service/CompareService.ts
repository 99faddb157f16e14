import { Entity } from '@backstage/catalog-model';
import { ConflictError } from '@backstage/errors';
import { ManifestError } from '@gitops-backstage/plugin-gitops-repository';
import { GitopsConfig, findEnvironment } from './config';
import { Difference, compareDesired } from './compare/compareDesired';
import { DesiredStateReader } from '@gitops-backstage/plugin-gitops-repository';
import { ServiceLocator } from './ServiceLocator';

/** Options of {@link CompareService}. */
export interface CompareServiceOptions {
  config: GitopsConfig;
  locator: ServiceLocator;
  reader: DesiredStateReader;
}

/** Compares what Git says for two environments of one service. */
export class CompareService {
  constructor(private readonly options: CompareServiceOptions) {}

  async compare(
    entity: Entity,
    from: string,
    to: string,
    signal?: AbortSignal,
  ): Promise<{
    from: string;
    to: string;
    revision: string;
    differences: Difference[];
  }> {
    const { config, locator, reader } = this.options;
    const [fromEnv, toEnv] = [from, to].map(name =>
      findEnvironment(config, name),
    );
    const target = locator.locate(entity);
    const revision = await target.provider.resolveBranch({
      repository: target.repository,
      signal,
    });
    const [a, b] = await Promise.all(
      [fromEnv, toEnv].map(environment =>
        reader.read({ target, environment, revision, signal }).catch(error => {
          // The request is fine; the repository's files are what cannot be compared.
          if (error instanceof ManifestError) {
            throw new ConflictError(`${environment.name}: ${error.message}`);
          }
          throw error;
        }),
      ),
    );
    return { from, to, revision, differences: compareDesired(a, b) };
  }
}
