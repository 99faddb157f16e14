import { ConfigReader } from '@backstage/config';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readClusters } from './clusterConfig';

describe('readClusters', () => {
  it('reads gitops.clusters with a service-account token', () => {
    const [cluster] = readClusters(
      new ConfigReader({
        gitops: {
          clusters: [
            {
              name: 'prod',
              url: 'https://10.0.0.1:6443',
              serviceAccountToken: 't0k3n',
              caData: 'Y2E=',
            },
          ],
        },
      }),
    );
    expect(cluster).toMatchObject({
      name: 'prod',
      url: 'https://10.0.0.1:6443',
      authProvider: 'serviceAccount',
    });
    expect(cluster.kubeConfig.getCurrentUser()?.token).toBe('t0k3n');
    expect(cluster.kubeConfig.getCurrentCluster()).toMatchObject({
      server: 'https://10.0.0.1:6443',
      caData: 'Y2E=',
      skipTLSVerify: false,
    });
  });

  it('falls back to the config clusters of the Kubernetes plugin', () => {
    const clusters = readClusters(
      new ConfigReader({
        kubernetes: {
          clusterLocatorMethods: [
            { type: 'catalog' },
            {
              type: 'config',
              clusters: [
                {
                  name: 'local',
                  url: 'http://127.0.0.1:8001',
                  authProvider: 'serviceAccount',
                  serviceAccountToken: 'x',
                  skipTLSVerify: true,
                },
              ],
            },
          ],
        },
      }),
    );
    expect(clusters.map(c => [c.name, c.url, c.authProvider])).toEqual([
      ['local', 'http://127.0.0.1:8001', 'serviceAccount'],
    ]);
    expect(clusters[0].kubeConfig.getCurrentCluster()?.skipTLSVerify).toBe(
      true,
    );
  });

  it('prefers gitops.clusters over the Kubernetes plugin config', () => {
    const clusters = readClusters(
      new ConfigReader({
        gitops: { clusters: [{ name: 'own', url: 'https://a' }] },
        kubernetes: {
          clusterLocatorMethods: [
            { type: 'config', clusters: [{ name: 'k8s', url: 'https://b' }] },
          ],
        },
      }),
    );
    expect(clusters.map(c => c.name)).toEqual(['own']);
  });

  it('reads client certificates and kubeconfig files with a context', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeconfig-'));
    const file = path.join(dir, 'config');
    fs.writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: a, cluster: {server: "https://a.example:6443"}}, {name: b, cluster: {server: "https://b.example:6443"}}]',
        'users: [{name: u, user: {token: abc}}]',
        'contexts: [{name: ctx-a, context: {cluster: a, user: u}}, {name: ctx-b, context: {cluster: b, user: u}}]',
        'current-context: ctx-a',
      ].join('\n'),
    );
    const [cert, kubeconfig] = readClusters(
      new ConfigReader({
        gitops: {
          clusters: [
            {
              name: 'cert',
              url: 'https://c',
              clientCertData: 'Y2VydA==',
              clientKeyData: 'a2V5',
            },
            { name: 'file', kubeconfig: { path: file, context: 'ctx-b' } },
          ],
        },
      }),
    );
    expect(cert.authProvider).toBe('clientCertificate');
    expect(cert.kubeConfig.getCurrentUser()).toMatchObject({
      certData: 'Y2VydA==',
      keyData: 'a2V5',
    });
    expect(kubeconfig).toMatchObject({
      authProvider: 'kubeconfig',
      url: 'https://b.example:6443',
    });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("runs the cloud providers' exec plugins for the Kubernetes plugin's authProvider values", () => {
    const clusters = readClusters(
      new ConfigReader({
        gitops: {
          clusters: [
            {
              name: 'eks',
              url: 'https://eks',
              authProvider: 'aws',
              authMetadata: {
                'kubernetes.io/x-k8s-aws-id': 'prod-eks',
                'kubernetes.io/aws-assume-role': 'arn:aws:iam::1:role/r',
              },
            },
            {
              name: 'gke',
              url: 'https://gke',
              authProvider: 'googleServiceAccount',
            },
            { name: 'aks', url: 'https://aks', authProvider: 'azure' },
          ],
        },
      }),
    );
    const execs = clusters.map(c => c.kubeConfig.getCurrentUser()?.exec);
    expect(execs.map(e => [e.command, ...e.args])).toEqual([
      [
        'aws',
        'eks',
        'get-token',
        '--output',
        'json',
        '--cluster-name',
        'prod-eks',
        '--role-arn',
        'arn:aws:iam::1:role/r',
      ],
      ['gke-gcloud-auth-plugin'],
      [
        'kubelogin',
        'get-token',
        '--login',
        expect.stringMatching(/^(msi|workloadidentity)$/),
        '--server-id',
        '6dae42f8-4368-4678-94ff-3960e28e3630',
      ],
    ]);
    expect(clusters.map(c => c.authProvider)).toEqual([
      'aws',
      'googleServiceAccount',
      'azure',
    ]);
  });

  it("refuses the Kubernetes plugin's per-user providers in gitops.clusters", () => {
    for (const authProvider of ['google', 'oidc']) {
      expect(() =>
        readClusters(
          new ConfigReader({
            gitops: {
              clusters: [{ name: 'c', url: 'https://c', authProvider }],
            },
          }),
        ),
      ).toThrow(
        `gitops cluster c: authProvider ${authProvider} passes each signed-in user's own token`,
      );
    }
  });

  it('reads nothing when no cluster is configured', () => {
    expect(readClusters(new ConfigReader({}))).toEqual([]);
  });
});
