import { mockServices } from '@backstage/backend-test-utils';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CliGitProvider } from '../git/CliGitProvider';
import { ServiceTarget } from '../ServiceTarget';
import { createExampleGitRepo, gitIn } from 'gitops-testkit';
import { DesiredStateReader } from './DesiredStateReader';
import { defaultEnvironmentConfig } from '../environments';

/**
 * A commit to one service must not make every other service's desired state be read again:
 * the states of a real Git repository (the example one) before and after commits, with the
 * provider's file reads counted.
 */
describe('DesiredStateReader across commits', () => {
  let workDir: string;
  let origin: string;

  beforeEach(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-carry-'));
    origin = createExampleGitRepo(path.join(workDir, 'origin'));
  });
  afterEach(() => fs.rmSync(workDir, { recursive: true, force: true }));

  function setup() {
    const git = new CliGitProvider({
      cacheDir: path.join(workDir, 'cache'),
      fetchIntervalSeconds: 0,
      timeoutMs: 10_000,
      logger: mockServices.logger.mock(),
    });
    const reads: string[] = [];
    const provider = Object.assign(Object.create(git), {
      readFile: (options: Parameters<typeof git.readFile>[0]) => {
        reads.push(options.path);
        return git.readFile(options);
      },
    }) as CliGitProvider;
    const target = (service: string): ServiceTarget => ({
      entityRef: `component:default/${service}`,
      service,
      path: `apps/${service}`,
      repository: { url: origin, branch: 'main' },
      provider,
      hints: { workloadName: service },
      selectors: {},
    });
    const reader = new DesiredStateReader();
    const head = () =>
      git.resolveBranch({ repository: target('x').repository });
    const read = async (service: string, env: string, revision: string) =>
      reader.readShared({
        target: target(service),
        environment: defaultEnvironmentConfig(env),
        revision,
      });
    return { reader, reads, head, read, target };
  }

  function commit(file: string, from: string, to: string, message: string) {
    const full = path.join(origin, file);
    const text = fs.readFileSync(full, 'utf8');
    if (!text.includes(from))
      throw new Error(`test setup: ${file} lacks ${from}`);
    fs.writeFileSync(full, text.replace(from, to));
    gitIn(origin, 'commit', '-qam', message);
  }

  /** A promotion of guestbook's staging: the one file it changes. */
  const stagingTag = (from: string, to: string) =>
    commit(
      'apps/guestbook/overlays/staging/kustomization.yaml',
      `newTag: ${from}`,
      `newTag: ${to}`,
      `staging to ${to}`,
    );

  it('carries the states a commit did not touch, with the new revision, and reads the touched one again', async () => {
    const { reader, reads, head, read } = setup();
    const first = await head();
    const guestbookDev = await read('guestbook', 'dev', first);
    const checkoutDev = await read('checkout', 'dev', first);
    const readsBefore = reads.length;
    expect(readsBefore).toBeGreaterThan(0);

    stagingTag('v1.0.4', 'v1.0.9');
    const second = await head();
    expect(second).not.toBe(first);

    const checkoutAfter = await read('checkout', 'dev', second);
    const guestbookDevAfter = await read('guestbook', 'dev', second);
    // Neither read a file again: the commit changed none of theirs.
    expect(reads.length).toBe(readsBefore);
    expect(checkoutAfter.state.source.revision).toBe(second);
    expect(guestbookDevAfter.state.source.revision).toBe(second);
    expect({
      ...checkoutAfter.state,
      source: { ...checkoutAfter.state.source, revision: first },
    }).toEqual(checkoutDev.state);
    expect(reader.contentRevision(checkoutAfter)).toBe(first);
    expect(reader.contentRevision(guestbookDevAfter)).toBe(first);
    expect(guestbookDevAfter.state.tag).toBe(guestbookDev.state.tag);

    // The environment whose overlay changed is read again, at the new revision.
    const staging = await read('guestbook', 'staging', second);
    expect(staging.state.tag).toBe('v1.0.9');
    expect(reader.contentRevision(staging)).toBe(second);
    expect(reads.length).toBeGreaterThan(readsBefore);
  });

  it('knows which states a commit left as they were without building them, and not the others', async () => {
    const { reader, reads, head, read, target } = setup();
    const first = await head();
    await read('checkout', 'dev', first);
    await read('guestbook', 'staging', first);
    const known = (service: string, env: string, revision: string) =>
      reader.knownContentRevision({
        target: target(service),
        environment: defaultEnvironmentConfig(env),
        revision,
      });
    // Never read at any revision: not known.
    expect(await known('guestbook', 'prod', first)).toBeUndefined();
    expect(await known('checkout', 'dev', first)).toBe(first);

    stagingTag('v1.0.4', 'v1.0.9');
    const second = await head();
    const readsBefore = reads.length;
    expect(await known('checkout', 'dev', second)).toBe(first);
    // The commit changed a file this state read: only building it says.
    expect(await known('guestbook', 'staging', second)).toBeUndefined();
    expect(reads.length).toBe(readsBefore);

    stagingTag('v1.0.9', 'v1.0.10');
    const third = await head();
    expect(await known('checkout', 'dev', third)).toBe(first);
    // Built at the third revision, the state is the first one's, read from no file.
    const checkout = await read('checkout', 'dev', third);
    expect(reads.length).toBe(readsBefore);
    expect(checkout.state.source.revision).toBe(third);
    expect(reader.contentRevision(checkout)).toBe(first);
    // A state built again is known from then on.
    const staging = await read('guestbook', 'staging', third);
    expect(staging.state.tag).toBe('v1.0.10');
    expect(await known('guestbook', 'staging', third)).toBe(third);
  });

  it('reads again a state whose shared base changed, or where a file it found missing was added', async () => {
    const { reader, reads, head, read } = setup();
    const first = await head();
    await read('guestbook', 'dev', first);
    const flask = await read('demo-flask-app', 'dev', first);
    expect(flask.state.layout).toBe('helm');

    // The base every overlay builds on: each environment reading it is read again.
    commit(
      'apps/guestbook/base/deployment.yaml',
      '# replicas is set per environment',
      '# replicas are set per environment',
      'reword the base',
    );
    const second = await head();
    const dev = await read('guestbook', 'dev', second);
    expect(reader.contentRevision(dev)).toBe(second);
    // The Helm service read nothing of guestbook's: carried.
    const flaskCarried = await read('demo-flask-app', 'dev', second);
    expect(reader.contentRevision(flaskCarried)).toBe(first);

    // The Helm state looked for an overlay first and found none: adding one reads it again.
    const overlay = 'apps/demo-flask-app/overlays/dev/kustomization.yaml';
    expect(reads).toContain(overlay);
    fs.mkdirSync(path.join(origin, path.dirname(overlay)), { recursive: true });
    fs.writeFileSync(path.join(origin, overlay), 'resources: []\n');
    gitIn(origin, 'add', '.');
    gitIn(origin, 'commit', '-qm', 'an overlay for dev');
    const third = await head();
    const readsBefore = reads.length;
    const after = await read('demo-flask-app', 'dev', third).catch(
      error => error as Error,
    );
    expect(reads.length).toBeGreaterThan(readsBefore);
    expect(after).not.toBe(flaskCarried);
  });
});
