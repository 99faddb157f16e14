import { gitIn } from 'gitops-testkit';
import request from 'supertest';
import {
  createExampleRemote,
  startPromotionBackend,
} from './__testUtils__/promotionBackend';

jest.setTimeout(60_000);

const SCALE = '/api/gitops/entities/default/component/guestbook/scale';

/**
 * Request limits of the change endpoints: a body larger than 100 kB answers 413 and a user
 * over `rateLimit.changesPerMinute` 429, each before anything is read or written.
 */
describe('change request limits', () => {
  let remote: ReturnType<typeof createExampleRemote>;
  let server: Awaited<ReturnType<typeof startPromotionBackend>>;
  beforeAll(async () => {
    remote = createExampleRemote('gitops-limits-');
    server = await startPromotionBackend({
      remote: remote.remote,
      workDir: remote.workDir,
      gitops: { rateLimit: { changesPerMinute: 2 } },
    });
  });
  afterAll(() => remote.cleanup());
  const head = () => gitIn(remote.remote, 'rev-parse', 'main');

  it('answers 413 to a body over 100 kB and writes nothing', async () => {
    const before = head();
    const res = await request(server)
      .post(SCALE)
      .send({ environment: 'dev', replicas: 2, padding: 'x'.repeat(150_000) });
    expect(res.status).toBe(413);
    expect(head()).toBe(before);
  });

  it('answers 429 with when to retry once a user asked for more changes than the limit; dry runs are not counted', async () => {
    for (let i = 0; i < 3; i++) {
      const dry = await request(server)
        .post(SCALE)
        .send({ environment: 'dev', replicas: 2 + i, dryRun: true });
      expect(dry.status).toBe(200);
    }
    const first = await request(server)
      .post(SCALE)
      .send({ environment: 'dev', replicas: 2 });
    const second = await request(server)
      .post(SCALE)
      .send({ environment: 'dev', replicas: 3 });
    expect([first.status, second.status]).toEqual([201, 201]);
    const before = head();
    const third = await request(server)
      .post(SCALE)
      .send({ environment: 'dev', replicas: 4 });
    expect(third.status).toBe(429);
    expect(third.body.error).toMatchObject({
      name: 'TooManyChangesError',
      message: expect.stringMatching(
        /^user:default\/mock asked for more than 2 changes a minute; try again in \d+ s$/,
      ),
    });
    expect(head()).toBe(before);
  });
});
