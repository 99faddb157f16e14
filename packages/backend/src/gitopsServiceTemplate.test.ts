import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import gitopsPlugin from '@gitops-backstage/plugin-gitops-backend';
import scaffolderModuleGitops from '@gitops-backstage/plugin-scaffolder-backend-module-gitops';
import { createExampleGitRepo, gitIn, repoRoot } from 'gitops-testkit';
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { parse } from 'yaml';

jest.setTimeout(60_000);

const templateFolder = path.join(repoRoot, 'examples/templates/gitops-service');
const DIGEST = `sha256:${'5e'.repeat(32)}`;

/** The template's folder as the dry-run API takes it: every file, base64. */
function directoryContents(folder: string, prefix = '') {
  const out: Array<{ path: string; base64Content: string }> = [];
  for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...directoryContents(full, rel));
    else
      out.push({
        path: rel,
        base64Content: fs.readFileSync(full).toString('base64'),
      });
  }
  return out;
}

const entities: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'guests', namespace: 'default' },
    spec: { type: 'team', children: [] },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'mock', namespace: 'default' },
    spec: {
      profile: { displayName: 'Mock User', email: 'mock@example.com' },
      memberOf: ['guests'],
    },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'guestbook',
      namespace: 'default',
      annotations: { 'gitops.backstage.io/path': 'apps/guestbook' },
    },
    spec: { type: 'service', owner: 'guests', lifecycle: 'production' },
  },
];

/**
 * The gitops-service template through the scaffolder backend's dry-run API, with the real
 * scaffolder, the gitops:* actions, the GitOps backend on a bare Git remote and a registry that
 * knows the image: the plan, the rendered skeleton and the output, and nothing written.
 */
describe('examples/templates/gitops-service through the scaffolder dry run', () => {
  let workDir: string;
  let remote: string;
  let registry: http.Server;
  let server: any;

  beforeAll(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-template-'));
    const example = createExampleGitRepo(path.join(workDir, 'example'));
    remote = path.join(workDir, 'remote.git');
    gitIn(workDir, 'clone', '--quiet', '--bare', example, remote);
    // A registry that has ghcr.io/acme/hello:0.1.0 (and nothing else).
    registry = http.createServer((req, res) => {
      if (req.url === '/v2/acme/hello/manifests/0.1.0') {
        res.writeHead(200, { 'Docker-Content-Digest': DIGEST });
      } else {
        res.writeHead(404);
      }
      res.end();
    });
    await new Promise<void>(resolve =>
      registry.listen(0, '127.0.0.1', resolve),
    );
    const registryPort = (registry.address() as AddressInfo).port;
    ({ server } = await startTestBackend({
      features: [
        scaffolderPlugin,
        scaffolderModuleGitops,
        gitopsPlugin,
        catalogServiceMock.factory({ entities }),
        mockServices.rootConfig.factory({
          data: {
            gitops: {
              repositories: [
                {
                  name: 'example',
                  url: remote,
                  provider: 'git',
                  links: {
                    file: 'http://127.0.0.1:7070/git/example/raw/{branch}/{path}',
                  },
                },
              ],
              environments: ['dev', 'staging', 'prod'].map(name => ({
                name,
                definitionPath: [
                  'argocd/{service}-{env}.yaml',
                  'clusters/{env}/{service}.yaml',
                ],
              })),
              registries: [
                { host: 'ghcr.io', url: `http://127.0.0.1:${registryPort}` },
              ],
              git: {
                cacheDir: path.join(workDir, 'cache'),
                fetchIntervalSeconds: 30,
              },
            },
          },
        }),
      ],
    }));
  });
  afterAll(async () => {
    await new Promise(resolve => registry.close(resolve));
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  const template = parse(
    fs.readFileSync(path.join(templateFolder, 'template.yaml'), 'utf8'),
  );
  const values = (overrides: object = {}) => ({
    name: 'hello',
    description: 'Says hello',
    owner: 'group:default/guests',
    engine: 'argocd',
    layout: 'kustomize',
    port: 8080,
    tag: '0.1.0',
    prodMinReplicas: 3,
    prodMaxReplicas: 10,
    publishSource: false,
    ...overrides,
  });
  const dryRun = (given: object) =>
    request(server)
      .post('/api/scaffolder/v2/dry-run')
      .send({
        template,
        values: given,
        directoryContents: directoryContents(templateFolder),
      });

  it('plans the GitOps files, renders the skeleton, and writes nothing', async () => {
    const before = gitIn(remote, 'rev-parse', 'main');
    const res = await dryRun(values({ layout: 'helm', engine: 'flux' }));
    expect(res.status).toBe(200);
    const log = res.body.log.map((l: any) => l.body.message).join('\n');

    // Both gitops:service:create steps ran as plans; publish and register were skipped.
    expect(log).toMatch(
      /Planning hello \(flux, helm\) in the GitOps repository/,
    );
    expect(log).toMatch(/Would commit \d+ files on main/);
    expect(log).toMatch(
      /dev: apps\/hello\/values-dev.yaml \(namespace hello-dev, clusters\/dev\/hello.yaml\)/,
    );
    expect(log).toMatch(
      /Skipping because catalog:register does not support dry-run/,
    );
    expect(res.body.steps.map((s: any) => s.id)).toEqual([
      'plan',
      'fetch',
      'publish',
      'gitops',
      'register',
    ]);

    // The skeleton, rendered with the plan's outputs.
    const files = new Map<string, string>(
      res.body.directoryContents.map((f: any) => [
        f.path,
        Buffer.from(f.base64Content, 'base64').toString('utf8'),
      ]),
    );
    expect([...files.keys()]).toEqual(
      expect.arrayContaining([
        'src/server.ts',
        'Dockerfile',
        '.github/workflows/ci.yaml',
        '.github/workflows/release.yml',
        'package.json',
      ]),
    );
    const release = files.get('.github/workflows/release.yml')!;
    expect(release).toContain('apps/hello/values-dev.yaml');
    expect(release).toContain('${{ github.sha }}-${{ github.run_number }}');
    expect(JSON.parse(files.get('package.json')!).name).toBe('hello');

    // Links to the entity and its GitOps tab.
    expect(res.body.output.links).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ entityRef: 'component:default/hello' }),
        expect.objectContaining({
          url: '/catalog/default/component/hello/gitops',
        }),
      ]),
    );
    expect(gitIn(remote, 'rev-parse', 'main')).toBe(before);
  });

  it("signs and attests the image in the skeleton's release workflow, keyless", async () => {
    const res = await dryRun(values());
    expect(res.status).toBe(200);
    const file = (name: string) =>
      Buffer.from(
        res.body.directoryContents.find((f: any) => f.path === name)
          .base64Content,
        'base64',
      ).toString('utf8');
    // Rendered, it is a workflow GitHub can read.
    const workflow = parse(file('.github/workflows/release.yml'));

    // The signer's identity is this file at main or a tag: prod's policy matches
    // ^https://github\.com/<org>/<service>/\.github/workflows/release\.yml@refs/(heads/main|tags/.+)$
    expect(workflow.on).toEqual({
      push: { branches: ['main'], tags: ['v*'] },
    });
    expect(workflow.permissions).toEqual({ contents: 'read' });
    const image = workflow.jobs.image;
    expect(image.permissions).toMatchObject({
      'id-token': 'write',
      packages: 'write',
      attestations: 'write',
    });
    const steps: Array<Record<string, any>> = image.steps;
    const uses = (action: string) =>
      steps.findIndex(s => String(s.uses ?? '').startsWith(`${action}@`));
    const runs = (command: RegExp) =>
      steps.findIndex(s => command.test(String(s.run ?? '')));

    const build = uses('docker/build-push-action');
    const install = uses('sigstore/cosign-installer');
    const scan = steps.findIndex(
      s =>
        String(s.uses).startsWith('aquasecurity/trivy-action@') &&
        s.with.format === 'cosign-vuln',
    );
    const attestScan = runs(
      /^cosign attest --yes --type vuln --predicate trivy\.cosign-vuln\.json "\$\{IMAGE\}@\$\{DIGEST\}"$/,
    );
    const sign = runs(/^cosign sign --yes "\$\{IMAGE\}@\$\{DIGEST\}"$/);
    const provenance = uses('actions/attest-build-provenance');
    expect(uses('docker/metadata-action')).toBeGreaterThanOrEqual(0);
    expect(steps[build].with.labels).toBe('${{ steps.meta.outputs.labels }}');
    expect(
      [build, install, scan, attestScan, sign, provenance].every(i => i >= 0),
    ).toBe(true);
    // Built, then scanned and the scan attested, then signed: by the pushed digest each time.
    expect(build).toBeLessThan(scan);
    expect(install).toBeLessThan(attestScan);
    expect(scan).toBeLessThan(attestScan);
    expect(attestScan).toBeLessThan(sign);
    expect(steps[scan].with['image-ref']).toBe(
      '${{ env.IMAGE }}@${{ steps.push.outputs.digest }}',
    );
    expect(steps[sign].env.DIGEST).toBe('${{ steps.push.outputs.digest }}');
    expect(steps[provenance].with).toMatchObject({
      'subject-digest': '${{ steps.push.outputs.digest }}',
      'push-to-registry': true,
    });
    expect(workflow.env.IMAGE).toBe('ghcr.io/acme/hello');

    // Dev takes main's signed builds; pull requests are only tested.
    expect(workflow.jobs['deploy-dev'].needs).toBe('image');
    expect(workflow.jobs['deploy-dev'].if).toBe(
      "github.ref == 'refs/heads/main'",
    );
    const ci = parse(file('.github/workflows/ci.yaml'));
    expect(Object.keys(ci.jobs)).toEqual(['test']);
  });

  it.each<[string, object, number, string, RegExp]>([
    [
      'an existing name',
      { name: 'guestbook' },
      409,
      'ConflictError',
      /^POST \/services: component:default\/guestbook is already in the catalog: choose another name; nothing was written/,
    ],
    [
      'an image the registry does not have',
      { image: 'ghcr.io/acme/nothing' },
      400,
      'InputError',
      /^POST \/services: ghcr.io\/acme\/nothing:0.1.0 has no digest in a configured registry/,
    ],
  ])(
    'stops at the plan with a clear message for %s',
    async (_what, overrides, status, name, message) => {
      const before = gitIn(remote, 'rev-parse', 'main');
      const res = await dryRun(values(overrides));
      // The backend's refusal keeps its meaning through the action.
      expect(res.status).toBe(status);
      expect(res.body.error.name).toBe(name);
      expect(res.body.error.message).toMatch(message);
      expect(gitIn(remote, 'rev-parse', 'main')).toBe(before);
    },
  );

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      'a path escape',
      { name: '../etc' },
      /^POST \/services: name must be a DNS label/,
    ],
    [
      'an engine that is not supported',
      { engine: 'jenkins' },
      // Refused by the action's own input schema, before the backend is asked.
      /^Invalid input passed to action gitops:service:create, instance.engine is not one of enum values: argocd,flux/,
    ],
    [
      'a layout that is not supported',
      { layout: 'jsonnet' },
      /^Invalid input passed to action gitops:service:create, instance.layout is not one of enum values: kustomize,helm/,
    ],
  ])(
    'stops with a clear 400 for %s that the form did not catch, writing nothing',
    async (_what, input, message) => {
      const before = gitIn(remote, 'rev-parse', 'main');
      // A template that passes the step input as written, not from the checked form.
      const edited = structuredClone(template);
      Object.assign(edited.spec.steps[0].input, input);
      const res = await request(server)
        .post('/api/scaffolder/v2/dry-run')
        .send({
          template: edited,
          values: values(),
          directoryContents: directoryContents(templateFolder),
        });
      // The dry run stops at the step and answers with its error: bad input, a 400.
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ name: 'InputError' });
      expect(res.body.error.message).toMatch(message);
      expect(gitIn(remote, 'rev-parse', 'main')).toBe(before);
    },
  );

  it('refuses an invalid name in the form, before any step', async () => {
    const res = await dryRun(values({ name: 'Hello_World' }));
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.errors)).toMatch(/does not match pattern/);
  });
});
