import { formatImageRef, parseImageRef } from './imageRef';

describe('parseImageRef', () => {
  it.each([
    [
      'ghcr.io/acme/guestbook:v1.0.5',
      { name: 'ghcr.io/acme/guestbook', tag: 'v1.0.5', digest: null },
    ],
    ['redis', { name: 'redis', tag: null, digest: null }],
    [
      'localhost:5000/team/app',
      { name: 'localhost:5000/team/app', tag: null, digest: null },
    ],
    [
      'localhost:5000/team/app:1.2',
      { name: 'localhost:5000/team/app', tag: '1.2', digest: null },
    ],
    [
      'ghcr.io/acme/app@sha256:abc',
      { name: 'ghcr.io/acme/app', tag: null, digest: 'sha256:abc' },
    ],
    [
      'ghcr.io/acme/app:1.4.1@sha256:abc',
      { name: 'ghcr.io/acme/app', tag: '1.4.1', digest: 'sha256:abc' },
    ],
  ])('splits %s', (image, expected) => {
    expect(parseImageRef(image)).toEqual(expected);
    expect(formatImageRef(expected)).toBe(image);
  });
});
