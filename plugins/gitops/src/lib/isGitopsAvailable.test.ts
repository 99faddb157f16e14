import { Entity } from '@backstage/catalog-model';
import { isGitopsAvailable } from './isGitopsAvailable';

function component(annotations?: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'guestbook', annotations },
    spec: {},
  };
}

describe('isGitopsAvailable', () => {
  it.each([
    [
      'is available with the path annotation',
      { 'gitops.backstage.io/path': 'apps/guestbook' },
      true,
    ],
    [
      'is not available with an empty path annotation',
      { 'gitops.backstage.io/path': '' },
      false,
    ],
    [
      'is not available with only other GitOps annotations',
      { 'gitops.backstage.io/image': 'ghcr.io/acme/guestbook' },
      false,
    ],
    ['is not available without annotations', undefined, false],
  ])('%s', (_, annotations, expected) => {
    expect(isGitopsAvailable(component(annotations))).toBe(expected);
  });
});
