import { mockServices } from '@backstage/backend-test-utils';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crdValidator } from 'supply-chain-testkit';
import { exampleRepository } from './__testUtils__/exampleRepository';
import { DemoImage, DemoRegistry } from './DemoRegistry';
import { KubeApiServer } from './KubeApiServer';
import { ObjectStore, REPORT_KINDS } from './ObjectStore';
import { DemoSecurityReports, kyvernoResults } from './securityReports';
import { startDemoCluster } from './startDemoCluster';
import { DemoPod, buildDeployment, templateHash } from './workloadObjects';
import { removeWorkload } from './writeWorkload';

jest.setTimeout(60_000);

const root = path.resolve(__dirname, '../../..');

// The demo's reports must pass the CRD schemas the backend's fixtures are checked against.
const vulnerabilityReport = crdValidator(
  'vulnerabilityreports.aquasecurity.github.io.yaml',
);
const policyReport = crdValidator('policyreports.wgpolicyk8s.io.yaml');

describe('the demo cluster writes Trivy Operator and Kyverno reports', () => {
  let workDir: string;
  let cluster: Awaited<ReturnType<typeof startDemoCluster>>;
  let base: string;
  beforeAll(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-reports-'));
    cluster = await startDemoCluster({
      port: 0,
      repositoryUrl: exampleRepository(workDir),
      seedsDir: path.join(root, 'examples/demo-cluster'),
      logger: mockServices.logger.mock(),
      intervalMs: 200,
      stepMs: 200,
    });
    base = `http://127.0.0.1:${cluster.port}`;
  });
  afterAll(async () => {
    await cluster.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  const get = async (url: string) => (await fetch(`${base}${url}`)).json();

  it("gives guestbook's dev workload a VulnerabilityReport with its one high finding, in Trivy Operator's format", async () => {
    const { items } = await get(
      '/apis/aquasecurity.github.io/v1alpha1/namespaces/guestbook-dev/vulnerabilityreports',
    );
    const [pod] = (
      await get('/api/v1/namespaces/guestbook-dev/pods')
    ).items.filter(
      (p: any) => p.metadata.labels['app.kubernetes.io/name'] === 'guestbook',
    );
    const replicaSet = pod.metadata.ownerReferences[0];
    expect(items).toHaveLength(1);
    const [report] = items;
    expect(report.metadata).toMatchObject({
      name: `replicaset-${replicaSet.name}-guestbook`,
      namespace: 'guestbook-dev',
      labels: {
        'trivy-operator.resource.kind': 'ReplicaSet',
        'trivy-operator.resource.name': replicaSet.name,
        'trivy-operator.resource.namespace': 'guestbook-dev',
        'trivy-operator.container.name': 'guestbook',
      },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: replicaSet.name,
          uid: replicaSet.uid,
          controller: true,
          blockOwnerDeletion: false,
        },
      ],
    });
    expect(report.report).toMatchObject({
      scanner: { name: 'Trivy', vendor: 'Aqua Security' },
      registry: { server: 'ghcr.io' },
      artifact: {
        repository: 'acme/guestbook',
        tag: 'v1.0.5',
        digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      },
      summary: {
        criticalCount: 0,
        highCount: 1,
        mediumCount: 0,
        lowCount: 0,
        unknownCount: 0,
      },
      vulnerabilities: [
        expect.objectContaining({
          vulnerabilityID: 'CVE-2023-45288',
          resource: 'golang.org/x/net',
          installedVersion: 'v0.17.0',
          fixedVersion: '0.23.0',
          severity: 'HIGH',
          primaryLink: 'https://avd.aquasec.com/nvd/cve-2023-45288',
          score: 7.5,
        }),
      ],
    });
    expect(vulnerabilityReport(report)).toEqual([]);
  });

  it("gives guestbook's dev Deployment a PolicyReport as Kyverno writes it", async () => {
    const deployment = await get(
      '/apis/apps/v1/namespaces/guestbook-dev/deployments/guestbook',
    );
    const { items } = await get(
      '/apis/wgpolicyk8s.io/v1alpha2/namespaces/guestbook-dev/policyreports',
    );
    expect(items).toHaveLength(1);
    const [report] = items;
    expect(report.metadata).toMatchObject({
      name: deployment.metadata.uid,
      labels: { 'app.kubernetes.io/managed-by': 'kyverno' },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'Deployment', name: 'guestbook' },
      ],
    });
    expect(report.scope).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'guestbook',
      namespace: 'guestbook-dev',
      uid: deployment.metadata.uid,
    });
    expect(
      report.results.map((r: any) => [r.policy, r.rule, r.result]),
    ).toEqual([
      ['require-run-as-nonroot', 'autogen-run-as-non-root', expect.any(String)],
      ['disallow-latest-tag', 'autogen-require-image-tag', 'pass'],
      ['disallow-latest-tag', 'autogen-validate-image-tag', 'pass'],
      ['verify-image-signature', 'autogen-verify-signature', 'pass'],
    ]);
    expect(report.results[3].message).toBe(
      'verified image signatures for ghcr.io/acme/guestbook:v1.0.5',
    );
    expect(report.summary).toMatchObject({ error: 0, skip: 0, warn: 0 });
    expect(report.summary.pass + report.summary.fail).toBe(4);
    expect(policyReport(report)).toEqual([]);
  });

  it("fails verifyImages for dev's unsigned demo-flask-app build and reports podinfo 6.7.1's critical finding", async () => {
    const [flask] = (
      await get(
        '/apis/wgpolicyk8s.io/v1alpha2/namespaces/demo-flask-app-dev/policyreports',
      )
    ).items;
    expect(
      flask.results.find((r: any) => r.policy === 'verify-image-signature'),
    ).toMatchObject({
      result: 'fail',
      message:
        'failed to verify image ghcr.io/acme/demo-flask-app:9f8e7d6-42: .attestors[0].entries[0].keyless: no signatures found',
    });
    const vulnerable = (
      await get('/apis/aquasecurity.github.io/v1alpha1/vulnerabilityreports')
    ).items.filter((r: any) => r.report.artifact.tag === '6.7.1');
    expect(vulnerable.length).toBeGreaterThan(0);
    for (const report of vulnerable) {
      expect(report.report.summary).toMatchObject({
        criticalCount: 1,
        highCount: 1,
      });
      expect(vulnerabilityReport(report)).toEqual([]);
    }
  });
});

describe('DemoSecurityReports', () => {
  const images: DemoImage[] = [
    {
      image: 'ghcr.io/acme/guestbook',
      tags: ['v1.0.4', 'v1.0.5', 'latest'],
      crashing: [],
      digests: {},
      signedBy: { key: 'demo-release' },
      unsigned: ['v1.0.4'],
      vulnerabilities: {
        'v1.0.5': [
          {
            id: 'CVE-2023-45288',
            package: 'golang.org/x/net',
            severity: 'HIGH',
            installedVersion: 'v0.17.0',
            fixedVersion: '0.23.0',
          },
        ],
      },
    },
  ];
  const now = new Date('2026-12-03T12:00:00Z');
  const pod = (image: string, n: number): DemoPod => ({
    name: `guestbook-${templateHash(image)}-0000${n}`,
    image,
    hash: templateHash(image),
    outcome: image.endsWith('v1.0.9') ? 'missing' : 'runs',
    startedAt: now.toISOString(),
    restarts: 0,
  });
  const setup = (image: string) => {
    const store = new ObjectStore();
    const registry = new DemoRegistry(images);
    const reports = new DemoSecurityReports(store, registry, images);
    const write = (pods: DemoPod[]) => {
      store.put(
        'deployments',
        buildDeployment({
          namespace: 'guestbook-dev',
          name: 'guestbook',
          labels: { 'app.kubernetes.io/name': 'guestbook' },
          image,
          replicas: 1,
          generation: 1,
          pods,
          hash: templateHash(image),
          rolloutStartedAt: now.toISOString(),
          progressDeadlineSeconds: 20,
          now,
        }),
      );
      reports.write({
        namespace: 'guestbook-dev',
        name: 'guestbook',
        pods,
        now,
        declared: { level: 'restricted', findings: [] },
      });
    };
    return { store, write };
  };
  const names = (store: ObjectStore) =>
    store
      .list('vulnerabilityreports')
      .map(r => [
        r.metadata.labels!['trivy-operator.resource.name'],
        r.report.artifact.tag,
        r.report.summary.highCount,
      ]);

  it("reports each ReplicaSet with pods during a rollout and drops the old one's report after", () => {
    const next = 'ghcr.io/acme/guestbook:v1.0.5';
    const { store, write } = setup(next);
    write([pod('ghcr.io/acme/guestbook:v1.0.4', 1), pod(next, 2)]);
    expect(names(store)).toEqual([
      [
        `guestbook-${templateHash('ghcr.io/acme/guestbook:v1.0.4')}`,
        'v1.0.4',
        0,
      ],
      [`guestbook-${templateHash(next)}`, 'v1.0.5', 1],
    ]);
    write([pod(next, 2)]);
    expect(names(store)).toEqual([
      [`guestbook-${templateHash(next)}`, 'v1.0.5', 1],
    ]);
    removeWorkload(store, {
      namespace: 'guestbook-dev',
      name: 'guestbook',
      owner: 'guestbook',
    });
    expect(store.list('vulnerabilityreports')).toEqual([]);
    expect(store.list('policyreports')).toEqual([]);
  });

  it('writes no report of an image the registry does not have (the scan cannot pull it)', () => {
    const { store, write } = setup('ghcr.io/acme/guestbook:v1.0.9');
    write([pod('ghcr.io/acme/guestbook:v1.0.9', 1)]);
    expect(store.list('vulnerabilityreports')).toEqual([]);
    expect(
      store
        .list('policyreports')[0]
        .results.find((r: any) => r.rule === 'autogen-verify-signature'),
    ).toMatchObject({ result: 'fail' });
  });

  it.each([
    ['a signed tag', 'ghcr.io/acme/guestbook:v1.0.5', 'pass', 'pass'],
    [
      'a tag left unsigned (keyed signer)',
      'ghcr.io/acme/guestbook:v1.0.4',
      'fail',
      'pass',
    ],
    ['latest', 'ghcr.io/acme/guestbook:latest', 'pass', 'fail'],
  ])(
    'evaluates the rules on the Deployment: %s',
    (_name, image, signature, latestTag) => {
      const { store, write } = setup(image);
      write([pod(image, 1)]);
      const [report] = store.list('policyreports');
      const result = (rule: string) =>
        report.results.find((r: any) => r.rule === rule);
      expect(result('autogen-verify-signature')).toEqual(
        expect.objectContaining({
          result: signature,
          message:
            signature === 'pass'
              ? `verified image signatures for ${image}`
              : `failed to verify image ${image}: .attestors[0].entries[0].keys: no signatures found`,
        }),
      );
      expect(result('autogen-validate-image-tag').result).toBe(latestTag);
      expect(policyReport(report)).toEqual([]);
    },
  );

  it.each([
    ['the template sets it on the pod', { runAsNonRoot: true }, null, 'pass'],
    [
      'the template sets it false',
      { runAsNonRoot: false },
      { level: 'restricted' },
      'fail',
    ],
    [
      'Git declares a restricted pod',
      undefined,
      { level: 'restricted', findings: [] },
      'pass',
    ],
    [
      'Git declares a pod without it',
      undefined,
      {
        level: 'baseline',
        findings: [
          'container app: runAsNonRoot is not true (pod or container)',
        ],
      },
      'fail',
    ],
    // A chart's pod template, which the plugin does not render: the demo's charts run as non-root.
    ['nothing is known (a chart)', undefined, null, 'pass'],
  ])(
    'require-run-as-nonroot: %s',
    (_name, securityContext, declared, expected) => {
      const deployment = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'guestbook', namespace: 'guestbook-dev' },
        spec: {
          template: {
            spec: {
              ...(securityContext ? { securityContext } : {}),
              containers: [
                { name: 'guestbook', image: 'ghcr.io/acme/guestbook:v1.0.5' },
              ],
            },
          },
        },
      };
      const [nonRoot] = kyvernoResults(deployment, {
        declared,
        signature: () => ({ verified: true, why: '' }),
      });
      expect(nonRoot).toMatchObject({
        policy: 'require-run-as-nonroot',
        rule: 'autogen-run-as-non-root',
        result: expected,
      });
    },
  );

  it('serves neither kind, and writes none, on a cluster without their CRDs', async () => {
    const store = new ObjectStore({ without: REPORT_KINDS });
    const registry = new DemoRegistry(images);
    new DemoSecurityReports(store, registry, images).write({
      namespace: 'guestbook-dev',
      name: 'guestbook',
      pods: [pod('ghcr.io/acme/guestbook:v1.0.5', 1)],
      now,
    });
    const server = new KubeApiServer(store, registry);
    const port = await server.listen(0);
    try {
      const res = await fetch(
        `http://127.0.0.1:${port}/apis/aquasecurity.github.io/v1alpha1/vulnerabilityreports`,
      );
      expect(res.status).toBe(404);
      const groups = await (
        await fetch(`http://127.0.0.1:${port}/apis`)
      ).json();
      expect(groups.groups.map((g: any) => g.name)).not.toContain(
        'wgpolicyk8s.io',
      );
    } finally {
      await server.close();
    }
  });
});
