import { createServiceFactory } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { EventParams, eventsServiceRef } from '@backstage/plugin-events-node';
import { gitopsEntityChannel } from '@gitops-backstage/plugin-gitops-common';
import { gitIn } from 'gitops-testkit';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import {
  createExampleRemote,
  startPromotionBackend,
} from './__testUtils__/promotionBackend';
import {
  githubPushHeaders,
  githubPushPayload,
} from './__testUtils__/pushPayloads';

jest.setTimeout(60_000);

const API = '/api/gitops/entities/default/component';
/** As configured: the GitHub address, which git is told to find in the local bare remote. */
const GITHUB_URL = 'https://github.com/acme/gitops-repo';
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/**
 * A push webhook through Backstage's events system (the topic and body the GitHub events
 * module publishes) makes the pushed commit show in the lanes at once, with a signal to the
 * open tab, while the fetch interval is five minutes; pushes elsewhere change nothing.
 */
describe('push events', () => {
  let repo: ReturnType<typeof createExampleRemote>;
  const savedEnv = { ...process.env };

  beforeEach(() => {
    repo = createExampleRemote('gitops-push-');
    // The configured GitHub address is read from the bare remote on disk (git's insteadOf),
    // so the webhook body can be GitHub's own.
    Object.assign(process.env, {
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: `url.${repo.remote}.insteadOf`,
      GIT_CONFIG_VALUE_0: GITHUB_URL,
    });
  });
  afterEach(() => {
    for (const key of [
      'GIT_CONFIG_COUNT',
      'GIT_CONFIG_KEY_0',
      'GIT_CONFIG_VALUE_0',
    ]) {
      if (savedEnv[key] === undefined) delete process.env[key];
      else process.env[key] = savedEnv[key];
    }
    repo.cleanup();
  });

  /** Merges a change to the dev overlay into main on the remote, as a merged pull request. */
  function mergePullRequest(tag: string) {
    const work = path.join(repo.workDir, `work-${tag}`);
    gitIn(repo.workDir, 'clone', '--quiet', repo.remote, work);
    gitIn(work, 'checkout', '--quiet', '-b', `bump-${tag}`);
    const overlay = path.join(
      work,
      'apps/guestbook/overlays/dev/kustomization.yaml',
    );
    fs.writeFileSync(
      overlay,
      fs
        .readFileSync(overlay, 'utf8')
        .replace(/newTag: v[0-9.]+/, `newTag: ${tag}`),
    );
    gitIn(work, 'commit', '--quiet', '-am', `Bump guestbook dev to ${tag}`);
    gitIn(work, 'checkout', '--quiet', 'main');
    gitIn(
      work,
      'merge',
      '--quiet',
      '--no-ff',
      `bump-${tag}`,
      '-m',
      `Merge pull request #42 from acme/bump-${tag}`,
    );
    const before = gitIn(repo.remote, 'rev-parse', 'main');
    gitIn(work, 'push', '--quiet', 'origin', 'main');
    return { before, after: gitIn(repo.remote, 'rev-parse', 'main') };
  }

  it('shows a merged pull request in the lanes within 2 s of its webhook, with a signal; other pushes change nothing', async () => {
    // One bus for every plugin, as the events service is in a backend: the test publishes
    // what the GitHub module would, and records the signals the gitops plugin sends.
    const bus = mockServices.events();
    const signals: Array<{ at: number; payload: any }> = [];
    await bus.subscribe({
      id: 'recorder',
      topics: ['signals'],
      onEvent: async (event: EventParams) => {
        signals.push({ at: Date.now(), payload: event.eventPayload });
      },
    });
    const server = await startPromotionBackend({
      remote: GITHUB_URL,
      workDir: repo.workDir,
      gitops: {
        git: {
          cacheDir: fs.mkdtempSync(path.join(repo.workDir, 'cache-')),
          fetchIntervalSeconds: 300,
        },
        signals: { intervalSeconds: 300 },
      },
      features: [
        createServiceFactory({
          service: eventsServiceRef,
          deps: {},
          factory: async () => bus,
        }),
      ],
    });
    const devTag = async () => {
      const res = await request(server).get(`${API}/guestbook/environments`);
      expect(res.status).toBe(200);
      return res.body.environments.find((e: any) => e.name === 'dev')?.desired
        ?.tag;
    };
    // Looked at: the open tab the signal is for.
    expect(await devTag()).toBe('v1.0.5');

    const { before, after } = mergePullRequest('v1.0.6');
    expect(await devTag()).toBe('v1.0.5'); // the fetch interval has not passed

    // Another repository, another branch of this one, a tag: nothing is fetched or signalled.
    for (const [name, ref] of [
      ['other-repo', 'refs/heads/main'],
      ['gitops-repo', 'refs/heads/feature/bump'],
      ['gitops-repo', 'refs/tags/v1.0.6'],
    ]) {
      await bus.publish({
        topic: 'github.push',
        eventPayload: githubPushPayload({
          owner: 'acme',
          name,
          ref,
          before,
          after,
        }),
        metadata: githubPushHeaders(),
      });
    }
    await sleep(500);
    expect(await devTag()).toBe('v1.0.5');
    expect(signals).toEqual([]);

    const published = Date.now();
    await bus.publish({
      topic: 'github.push',
      eventPayload: githubPushPayload({
        owner: 'acme',
        name: 'gitops-repo',
        ref: 'refs/heads/main',
        before,
        after,
      }),
      metadata: githubPushHeaders(),
    });
    // As the open tab does: it reads the lanes again when the signal arrives (polling the
    // lanes here instead would move the baseline the signal is computed against).
    for (let i = 0; i < 250 && signals.length === 0; i++) await sleep(20);
    expect(signals).toEqual([
      {
        at: expect.any(Number),
        payload: expect.objectContaining({
          channel: gitopsEntityChannel('component:default/guestbook'),
          message: {
            kind: 'state',
            entityRef: 'component:default/guestbook',
          },
        }),
      },
    ]);
    const tag = await devTag();
    const laneMs = Date.now() - published;
    expect(tag).toBe('v1.0.6');
    const signalMs = signals[0].at - published;
    // eslint-disable-next-line no-console
    console.log(
      `push event: lane shows the merged commit ${laneMs} ms after the webhook (signal after ${signalMs} ms; fetch interval 300 s)`,
    );
    expect(laneMs).toBeLessThan(2000);
    expect(signalMs).toBeLessThan(2000);
  });
});
