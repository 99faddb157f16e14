import { ConfigReader } from '@backstage/config';
import {
  readSupplyChainPolicy,
  requiresSupplyChain,
} from './supplyChainPolicy';

function read(supplyChain: unknown) {
  return readSupplyChainPolicy(
    'gitops.environments[prod].policy',
    new ConfigReader(supplyChain === undefined ? {} : { supplyChain }),
  );
}

describe('readSupplyChainPolicy', () => {
  it('reads every requirement', () => {
    const policy = read({
      requireSignature: {
        identities: [
          {
            issuer: 'https://token.actions.githubusercontent.com',
            subject:
              'https://github\\.com/acme/{service}/\\.github/workflows/release\\.yml@refs/heads/main',
          },
          { key: 'demo-release' },
        ],
      },
      maxVulnerabilities: { critical: 0, high: 5 },
      requireProvenance: true,
      policyReports: 'noFailures',
      podSecurity: 'restricted',
      requireDigest: true,
    });
    expect(policy).toEqual({
      requireSignature: {
        identities: [
          {
            issuer: 'https://token.actions.githubusercontent.com',
            subject:
              'https://github\\.com/acme/{service}/\\.github/workflows/release\\.yml@refs/heads/main',
          },
          { key: 'demo-release' },
        ],
      },
      maxVulnerabilities: { critical: 0, high: 5 },
      requireProvenance: { builders: [], sourceRepositories: [] },
      policyReports: 'noFailures',
      podSecurity: 'restricted',
      requireDigest: true,
    });
    expect(requiresSupplyChain(policy)).toBe(true);
  });

  it('is null without the block', () => {
    expect(read(undefined)).toBeNull();
    expect(requiresSupplyChain(read({}))).toBe(false);
  });

  it.each([
    [{ requireSignature: { identities: [] } }, /must name at least one signer/],
    [
      { requireSignature: { identities: [{ issuer: 'x' }] } },
      /needs `subject`/,
    ],
    [
      { requireSignature: { identities: [{ subject: 'acme/(' }] } },
      /identities\[0\]\.subject is not a regular expression/,
    ],
    [
      { maxVulnerabilities: { severe: 1 } },
      /maxVulnerabilities\.severe: not a severity/,
    ],
    [
      { maxVulnerabilities: { critical: -1 } },
      /must be a whole number, 0 or more/,
    ],
    [{ policyReports: 'some' }, /policyReports must be "noFailures"/],
    [
      { podSecurity: 'privileged' },
      /podSecurity must be "restricted" or "baseline"/,
    ],
    [
      { requireProvenance: { builders: ['[x'] } },
      /requireProvenance\.builders: "\[x" is not a regular expression/,
    ],
  ])('refuses %j', (block, message) => {
    expect(() => read(block)).toThrow(message);
    expect(() => read(block)).toThrow(
      /gitops\.environments\[prod\]\.policy\.supplyChain/,
    );
  });
});
