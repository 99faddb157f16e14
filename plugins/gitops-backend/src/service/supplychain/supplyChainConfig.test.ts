import { ConfigReader } from '@backstage/config';
import { readSupplyChainConfig } from './supplyChainConfig';

describe('readSupplyChainConfig', () => {
  it('applies the defaults', () => {
    expect(readSupplyChainConfig(undefined)).toEqual({
      trustedRootPath: null,
      keys: [],
      timeoutMs: 20_000,
      concurrency: 4,
      maxDigests: 50_000,
      retryMs: 60_000,
      recheckUnverifiedMs: 300_000,
      maxArtifacts: 20,
      maxBytes: 16 * 1024 * 1024,
    });
  });

  it('reads every key', () => {
    const config = readSupplyChainConfig(
      new ConfigReader({
        supplyChain: {
          trustedRoot: '/etc/sigstore/trusted_root.json',
          keys: [
            { name: 'release', publicKey: '-----BEGIN PUBLIC KEY-----' },
            { name: 'legacy', path: '/etc/cosign.pub' },
          ],
          timeoutSeconds: 5,
          concurrency: 2,
          maxDigests: 100,
          retrySeconds: 30,
          maxArtifacts: 5,
          maxBytes: 4096,
        },
      }),
    );
    expect(config).toMatchObject({
      trustedRootPath: '/etc/sigstore/trusted_root.json',
      keys: [
        { name: 'release', publicKey: '-----BEGIN PUBLIC KEY-----' },
        { name: 'legacy', path: '/etc/cosign.pub' },
      ],
      timeoutMs: 5000,
      concurrency: 2,
      maxDigests: 100,
      retryMs: 30_000,
      maxArtifacts: 5,
      maxBytes: 4096,
    });
  });

  it.each([
    [{ keys: [{ name: 'a' }] }, 'needs exactly one of publicKey and path'],
    [{ keys: [{ name: 'a', publicKey: 'x', path: 'y' }] }, 'exactly one'],
    [
      {
        keys: [
          { name: 'a', path: 'x' },
          { name: 'a', path: 'y' },
        ],
      },
      'names a twice',
    ],
    [{ concurrency: 0 }, 'concurrency must be between 1 and 64, not 0'],
  ])('refuses %j', (supplyChain, message) => {
    expect(() =>
      readSupplyChainConfig(new ConfigReader({ supplyChain })),
    ).toThrow(message);
  });
});
