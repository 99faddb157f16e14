import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { environmentStatus } from '../../__testUtils__/environmentStatus';
import { readGitopsConfig } from '../config';
import { PolicyStore } from '../store/PolicyStore';
import { VerificationStore } from '../store/VerificationStore';
import { PolicyService } from './PolicyService';

const ENTITY = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'guestbook', namespace: 'default' },
  spec: { owner: 'guests' },
};

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

async function service() {
  const knex = await databases.init('SQLITE_3');
  const config = readGitopsConfig(
    new ConfigReader({
      gitops: {
        environments: [
          { name: 'dev' },
          {
            name: 'staging',
            verification: {
              checks: [{ name: 'error-ratio', kind: 'prometheus' }],
            },
          },
          {
            name: 'prod',
            policy: { verifiedIn: ['staging'], requiredApprovals: 1 },
          },
        ],
      },
    }),
    ScmIntegrations.fromConfig(new ConfigReader({})),
  );
  const policy = new PolicyService({
    config,
    policyStore: await PolicyStore.create(knex),
    verifications: await VerificationStore.create(knex),
    evidenceProviders: [],
    logger: mockServices.logger.mock(),
  });
  return { knex, policy };
}

const response = {
  entityRef: 'component:default/guestbook',
  environments: ['dev', 'staging', 'prod'].map(name =>
    environmentStatus({ name }),
  ),
};

describe('PolicyService.decorate', () => {
  it('adds verification, policy and the next promotion’s gates to each environment', async () => {
    const { policy } = await service();
    const { environments } = await policy.decorate(ENTITY, response);
    const [dev, staging, prod] = environments;
    expect(dev.gates).toBeNull();
    expect(staging.verification).toMatchObject({
      state: 'Pending',
      message: 'v1.0.5 runs Synced and Healthy: its checks start shortly',
    });
    expect(prod.policy).toMatchObject({
      requiredApprovals: 1,
      approvers: ['group:default/guests'],
      verifiedIn: ['staging'],
    });
    expect(prod.gates!.items.map(g => [g.name, g.state])).toEqual([
      ['allowedSource', 'pass'],
      ['versionKnown', 'pass'],
      ['verifiedIn', 'wait'],
      ['approvals', 'wait'],
      ['freeze', 'pass'],
    ]);
  });

  it('answers without the policy, with a warning, when the database is away', async () => {
    const { knex, policy } = await service();
    await knex.destroy();
    const { environments } = await policy.decorate(ENTITY, response);
    expect(environments.map(e => e.desired?.tag)).toEqual([
      'v1.0.5',
      'v1.0.5',
      'v1.0.5',
    ]);
    for (const env of environments) {
      expect(env.warnings).toEqual([
        expect.stringMatching(/^Promotion policy not read: /),
      ]);
    }
  });
});
