import { shareParts } from './sharedParts';

const pod = (name: string, image: string, startedAt: string) => ({
  metadata: { name, uid: `uid-${name}`, labels: { app: 'web', tier: 'fe' } },
  spec: { containers: [{ name: 'web', image }], volumes: [] },
  status: { containerStatuses: [{ ready: true, state: { startedAt } }] },
});

describe('shareParts', () => {
  it.each([
    ['labels', (p: any) => p.metadata.labels, true],
    ['a container spec of the same image', (p: any) => p.spec, true],
    ['an empty array', (p: any) => p.spec.volumes, true],
    ['statuses that started at other times', (p: any) => p.status, false],
    ['the metadata, which names the object', (p: any) => p.metadata, false],
  ])('%s: shared between two pods = %s', (_name, part, shared) => {
    const a = shareParts(pod('a', 'web:1', 'T1'), ['metadata']);
    const b = shareParts(pod('b', 'web:1', 'T2'), ['metadata']);
    expect(part(a) === part(b)).toBe(shared);
  });

  it('keeps what differs, and the content of everything', () => {
    const a = shareParts(pod('a', 'web:1', 'T1'), ['metadata']);
    const b = shareParts(pod('b', 'web:2', 'T1'), ['metadata']);
    expect(a.spec).not.toBe(b.spec);
    expect(b.spec.containers[0].image).toBe('web:2');
    // The part that is the same in both (its container statuses) is one object.
    expect(a.status).toBe(b.status);
    expect(b).toEqual(pod('b', 'web:2', 'T1'));
  });

  it('freezes shared parts, not the top level nor the named own parts', () => {
    const a = shareParts(pod('a', 'web:1', 'T1'), ['metadata']);
    expect(Object.isFrozen(a)).toBe(false);
    expect(Object.isFrozen(a.metadata)).toBe(false);
    expect(Object.isFrozen(a.metadata.labels)).toBe(true);
    expect(Object.isFrozen(a.spec.containers[0])).toBe(true);
    expect(() => {
      'use strict';
      (a.spec.containers[0] as any).image = 'x';
    }).toThrow(TypeError);
  });

  it.each([
    ['property order', { a: 1, b: 2 }, { b: 2, a: 1 }],
    ['a number and its string', { a: 1 }, { a: '1' }],
    ['null and undefined', { a: null }, { a: undefined }],
    ['an array and an object', [1], { 0: 1 }],
    ['one more property', { a: 1 }, { a: 1, b: undefined }],
  ])('never shares parts that differ in %s', (_name, first, second) => {
    const a = shareParts({ part: first });
    const b = shareParts({ part: second });
    expect(a.part).not.toBe(b.part);
    expect(b.part).toEqual(second);
  });

  it('leaves frozen parts, and parts holding them, as they are', () => {
    const frozen = Object.freeze({ a: 1 });
    const a = shareParts({ part: { inner: frozen } });
    const b = shareParts({ part: { inner: frozen } });
    expect(a.part.inner).toBe(frozen);
    expect(a.part).not.toBe(b.part);
  });
});
