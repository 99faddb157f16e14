import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { HttpKubeApi } from '../../__testUtils__/httpKubeApi';
import { OutageProxy, ProxiedAttempt } from '../../__testUtils__/outageProxy';
import { readClusters } from './clusterConfig';
import { ClusterWatch } from './ClusterWatch';
import {
  DEFAULT_BACKOFF_MS,
  DEFAULT_MAX_BACKOFF_MS,
  reconnectDelayMs,
} from './watchBackoff';

jest.setTimeout(30_000);

describe('reconnectDelayMs', () => {
  const defaults = {
    baseMs: DEFAULT_BACKOFF_MS,
    maxMs: DEFAULT_MAX_BACKOFF_MS,
  };

  it('uses 1 s doubling, capped at 5 s, by default', () => {
    expect(defaults).toEqual({ baseMs: 1000, maxMs: 5000 });
  });

  it.each`
    failures | random    | waitedMs | expected | why
    ${1}     | ${0}      | ${0}     | ${500}   | ${'first error: half of 1 s fixed'}
    ${1}     | ${0.9999} | ${0}     | ${1000}  | ${'first error: at most 1 s'}
    ${2}     | ${0}      | ${0}     | ${1000}  | ${'doubles'}
    ${2}     | ${0.5}    | ${0}     | ${1500}  | ${'the random half, in the middle'}
    ${3}     | ${0}      | ${0}     | ${2000}  | ${'doubles'}
    ${3}     | ${0.9999} | ${0}     | ${4000}  | ${'doubles'}
    ${4}     | ${0}      | ${0}     | ${2500}  | ${'8 s capped to 5 s: half fixed'}
    ${4}     | ${0.9999} | ${0}     | ${5000}  | ${'capped'}
    ${10}    | ${0.9999} | ${0}     | ${5000}  | ${'still capped'}
    ${5000}  | ${0.9999} | ${0}     | ${5000}  | ${'no overflow after a long outage'}
    ${5000}  | ${0}      | ${0}     | ${2500}  | ${'no overflow after a long outage'}
    ${10}    | ${0}      | ${1000}  | ${1500}  | ${'time waited for an answer counts against the fixed half'}
    ${10}    | ${0}      | ${5000}  | ${0}     | ${'a request that hung its 5 s time-out: no fixed wait'}
    ${10}    | ${0.9999} | ${5000}  | ${2500}  | ${'…but the random half still applies'}
    ${1}     | ${0}      | ${60000} | ${0}     | ${'never negative'}
  `(
    'failures $failures, random $random, waited $waitedMs ms → $expected ms ($why)',
    ({ failures, random, waitedMs, expected }) => {
      expect(
        reconnectDelayMs(failures, {
          ...defaults,
          waitedMs,
          random: () => random,
        }),
      ).toBe(expected);
    },
  );

  it('never goes below the first delay when the cap is set lower than it', () => {
    const delay = reconnectDelayMs(6, {
      baseMs: 1000,
      maxMs: 100,
      random: () => 0.9999,
    });
    expect(delay).toBe(1000);
  });

  it('spreads the delays over [cap/2, cap] with the default random source', () => {
    const delays = Array.from({ length: 2000 }, () =>
      reconnectDelayMs(20, defaults),
    );
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(2500);
    expect(Math.max(...delays)).toBeLessThanOrEqual(5000);
    // Spread over the whole interval, not a fixed value.
    expect(Math.min(...delays)).toBeLessThan(2600);
    expect(Math.max(...delays)).toBeGreaterThan(4900);
    expect(new Set(delays).size).toBeGreaterThan(500);
    const lowerHalf = delays.filter(d => d < 3750).length;
    expect(lowerHalf / delays.length).toBeGreaterThan(0.4);
    expect(lowerHalf / delays.length).toBeLessThan(0.6);
  });
});

describe('ClusterWatch reconnects against a real socket', () => {
  const BASE_MS = 100;
  const MAX_MS = 800;
  const DEPLOYMENTS = 'GET /apis/apps/v1/deployments?';

  let api: HttpKubeApi;
  let proxy: OutageProxy;
  let watch: ClusterWatch;
  afterEach(async () => {
    await watch?.stop();
    await proxy?.stop();
    await api?.stop();
  });

  const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
  const gaps = (attempts: ProxiedAttempt[]) =>
    attempts.slice(1).map((a, i) => a.at - attempts[i].at);

  async function start() {
    api = await new HttpKubeApi().start();
    api.load({});
    proxy = await new OutageProxy({
      host: '127.0.0.1',
      port: Number(new URL(api.url).port),
    }).start();
    const [cluster] = readClusters(
      new ConfigReader({
        gitops: {
          clusters: [
            {
              name: 'local',
              url: proxy.url,
              serviceAccountToken: 't',
              skipTLSVerify: true,
            },
          ],
        },
      }),
    );
    watch = new ClusterWatch({
      name: 'local',
      kubeConfig: cluster.kubeConfig,
      logger: mockServices.logger.mock(),
      timeoutMs: 2000,
      backoffMs: BASE_MS,
      maxBackoffMs: MAX_MS,
    });
    watch.start();
    await watch.whenReady(5000);
  }

  it('backs off to the cap with jitter while the API server fails, and starts over after it answered', async () => {
    await start();
    const failingSince = Date.now();
    proxy.fail();
    await sleep(6000);
    const failing = proxy.attempts.filter(a => a.at >= failingSince);
    const deployments = failing.filter(a => a.request?.startsWith(DEPLOYMENTS));
    const waits = gaps(deployments);
    // After error n the wait is in [c/2, c], c = min(MAX, BASE·2^(n-1)); the measured gap adds
    // the 503's round trip, and timers fire late on a busy machine, never early.
    // A loaded machine (the whole suite on two cores) may fire one timer late; a backoff that
    // grew past its cap would make every later wait long.
    const late: number[] = [];
    waits.forEach((wait, i) => {
      const ceiling = Math.min(MAX_MS, BASE_MS * 2 ** i);
      expect(wait).toBeGreaterThanOrEqual(ceiling / 2 - 10);
      expect(wait).toBeLessThanOrEqual(ceiling + 1500);
      if (wait > ceiling + 300) late.push(wait);
    });
    expect(late.length).toBeLessThanOrEqual(1);
    const capped = waits.slice(3);
    expect(capped.length).toBeGreaterThanOrEqual(4);
    // Jittered: the capped waits are not one fixed value…
    expect(Math.max(...capped) - Math.min(...capped)).toBeGreaterThanOrEqual(
      50,
    );
    // …and the kinds, which all lost the server at the same moment, do not retry in lockstep.
    const fifth = new Map<string, number>();
    const count = new Map<string, number>();
    for (const attempt of failing) {
      const path = attempt.request?.split('?')[0] ?? '';
      const n = (count.get(path) ?? 0) + 1;
      count.set(path, n);
      if (n === 5) fifth.set(path, attempt.at);
    }
    expect(fifth.size).toBeGreaterThanOrEqual(10);
    const fifthTimes = [...fifth.values()];
    expect(
      Math.max(...fifthTimes) - Math.min(...fifthTimes),
    ).toBeGreaterThanOrEqual(100);

    // The server answers again: every kind resumes within one capped wait.
    const answeredAt = Date.now();
    await proxy.restore();
    for (;;) {
      const kinds = Object.values(watch.health());
      if (kinds.every(k => k.state === 'synced' && k.connected)) break;
      expect(Date.now() - answeredAt).toBeLessThan(MAX_MS + 1000);
      await sleep(20);
    }

    // It fails again: the backoff starts over from the first delay.
    const againSince = Date.now();
    proxy.fail();
    await sleep(1500);
    const again = proxy.attemptsOf(DEPLOYMENTS).filter(a => a.at >= againSince);
    const [first, second] = gaps(again);
    expect(first).toBeGreaterThanOrEqual(BASE_MS / 2 - 10);
    expect(first).toBeLessThanOrEqual(BASE_MS + 300);
    expect(first).toBeLessThan(Math.min(...capped));
    expect(second).toBeGreaterThanOrEqual(BASE_MS - 10);
  });
});
