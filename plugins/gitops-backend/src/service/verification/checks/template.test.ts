import { VerificationContext } from '@gitops-backstage/plugin-gitops-node';
import {
  checkTemplateValues,
  escapePromQLString,
  fillCheckTemplate,
  shaFromTag,
  templatePlaceholders,
} from './template';

const SHA40 = '3f2a1b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a';

function context(
  overrides: Partial<VerificationContext> = {},
): VerificationContext {
  return {
    entityRef: 'component:default/guestbook',
    service: 'guestbook',
    environment: 'staging',
    namespace: 'guestbook-staging',
    version: { tag: 'main-3f2a1b9', digest: null },
    image: 'ghcr.io/acme/guestbook',
    revision: 'c0ffee0c0ffee0c0ffee0c0ffee0c0ffee0c0ffe',
    annotations: {},
    templateValues: {},
    ...overrides,
  };
}

describe('fillCheckTemplate', () => {
  const values = { service: 'guestbook', env: 'prod', window: '10m', sha: '' };

  it.each([
    [
      'https://{service}.{env}.example.com/health',
      'https://guestbook.prod.example.com/health',
    ],
    ['{service}{service}', 'guestbookguestbook'],
    ['no placeholders', 'no placeholders'],
    ['sha={sha}.', 'sha=.'],
    // PromQL's own braces are not placeholders.
    [
      'sum(rate(x{service="{service}",code=~"5.{2}"}[{window}])) / sum(rate(x{}[{window}]))',
      'sum(rate(x{service="guestbook",code=~"5.{2}"}[10m])) / sum(rate(x{}[10m]))',
    ],
    ['{ service }', '{ service }'],
  ])('fills %j', (template, expected) => {
    expect(fillCheckTemplate(template, values)).toBe(expected);
  });

  it('throws naming an unknown placeholder and listing the known ones', () => {
    expect(() =>
      fillCheckTemplate('https://{servcie}.example.com', values),
    ).toThrow(
      'unknown placeholder {servcie} in "https://{servcie}.example.com"; known: {env}, {service}, {sha}, {window}',
    );
  });

  it('does not take inherited properties for values', () => {
    expect(() => fillCheckTemplate('{constructor}', values)).toThrow(
      /unknown placeholder \{constructor\}/,
    );
  });

  it('escapes every filled value, not the template', () => {
    expect(
      fillCheckTemplate(
        'up{job="{service}"}',
        { service: 'a"b\\c' },
        escapePromQLString,
      ),
    ).toBe('up{job="a\\"b\\\\c"}');
  });
});

describe('escapePromQLString', () => {
  it.each([
    ['plain', 'plain'],
    ['say "hi"', 'say \\"hi\\"'],
    ['C:\\path', 'C:\\\\path'],
    ['\\"', '\\\\\\"'],
    ['two\nlines', 'two\\nlines'],
  ])('%j → %j', (value, expected) => {
    expect(escapePromQLString(value)).toBe(expected);
  });
});

describe('templatePlaceholders', () => {
  it('lists each placeholder once, in order', () => {
    expect(
      templatePlaceholders('x{a="{service}"}[{window}] / y[{window}] {env}'),
    ).toEqual(['service', 'window', 'env']);
  });
});

describe('shaFromTag', () => {
  it.each([
    ['main-3f2a1b9', '3f2a1b9'],
    ['master-3f2a1b9', '3f2a1b9'],
    [`main-${SHA40}`, SHA40],
    ['main-3f2a1b9-20240105123000', '3f2a1b9'],
    ['3f2a1b9-42', '3f2a1b9'],
    // A prefix saying "sha" makes an all-digit short sha acceptable; without one it is a number.
    ['main-1234567', '1234567'],
    ['sha-1234567', '1234567'],
    ['1234567-42', ''],
    [`${'1'.repeat(40)}-7`, '1'.repeat(40)],
    ['sha-3f2a1b9', '3f2a1b9'],
    [SHA40, SHA40],
    ['feature-login-3f2a1b9', '3f2a1b9'],
    ['v1.4.2-3-g3f2a1b9', '3f2a1b9'],
    ['1.4.2', ''],
    ['v2.0.0-rc.1', ''],
    ['20240101', ''],
    ['20240101-1', ''],
    ['1.4.2-build.20240101', ''],
    ['latest', ''],
    ['deadbeef', ''],
    ['main-XYZ1234', ''],
    ['abc12', ''],
    ['', ''],
    [null, ''],
  ])('%j → %j', (tag, expected) => {
    expect(shaFromTag(tag)).toBe(expected);
  });
});

describe('checkTemplateValues', () => {
  it('builds the values from the context', () => {
    expect(checkTemplateValues(context())).toEqual({
      service: 'guestbook',
      env: 'staging',
      namespace: 'guestbook-staging',
      tag: 'main-3f2a1b9',
      digest: '',
      version: 'main-3f2a1b9',
      sha: '3f2a1b9',
      revision: 'c0ffee0c0ffee0c0ffee0c0ffee0c0ffee0c0ffe',
    });
  });

  it.each([
    [{ tag: '1.4.2', digest: 'sha256:abc' }, '1.4.2'],
    [{ tag: null, digest: 'sha256:abc' }, 'sha256:abc'],
    [{ tag: null, digest: null, chartVersion: '0.3.1' }, '0.3.1'],
    [{ tag: null, digest: null }, ''],
  ])('version of %j is %j', (version, expected) => {
    expect(checkTemplateValues(context({ version })).version).toBe(expected);
  });

  it('fills nulls with empty strings', () => {
    const values = checkTemplateValues(
      context({ version: { tag: null, digest: null }, revision: null }),
    );
    expect(values).toMatchObject({
      tag: '',
      digest: '',
      sha: '',
      revision: '',
    });
  });

  it('adds templateValues, which may override a built-in value', () => {
    const values = checkTemplateValues(
      context({ templateValues: { region: 'eu-west-1', service: 'gb-web' } }),
    );
    expect(values.region).toBe('eu-west-1');
    expect(values.service).toBe('gb-web');
    expect(values.env).toBe('staging');
  });
});
