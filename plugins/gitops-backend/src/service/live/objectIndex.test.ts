import { KubeObject } from './kinds';
import { ObjectIndex, selectorKey } from './objectIndex';

const app = (
  name: string,
  labels: Record<string, string>,
  dest = 'x-prod',
) => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name, namespace: 'argocd', labels },
  spec: { destination: { namespace: dest } },
});

const names = (objects: KubeObject[]) =>
  objects.map(o => o.metadata?.name).sort();

describe('ObjectIndex', () => {
  it.each<{
    name: string;
    steps: Array<['put' | 'remove', KubeObject]>;
    expected: Record<string, string[]>;
  }>([
    {
      name: 'one object under each of its keys',
      steps: [['put', app('a', { team: 'x' })]],
      expected: {
        'name:argocd/a': ['a'],
        'app:a': ['a'],
        'label:team=x': ['a'],
        'dest:x-prod': ['a'],
        'label:team=y': [],
      },
    },
    {
      name: 'two objects sharing a key',
      steps: [
        ['put', app('a', { team: 'x' })],
        ['put', app('b', { team: 'x' })],
      ],
      expected: { 'label:team=x': ['a', 'b'], 'name:argocd/b': ['b'] },
    },
    {
      name: 'a shared key back to one object after a removal',
      steps: [
        ['put', app('a', { team: 'x' })],
        ['put', app('b', { team: 'x' })],
        ['remove', app('a', { team: 'x' })],
      ],
      expected: { 'label:team=x': ['b'], 'name:argocd/a': [], 'app:a': [] },
    },
    {
      name: 'an update that changes a label moves the object',
      steps: [
        ['put', app('a', { team: 'x' })],
        ['put', app('b', { team: 'x' })],
        ['put', app('a', { team: 'y' }, 'a-dev')],
      ],
      expected: {
        'label:team=x': ['b'],
        'label:team=y': ['a'],
        'dest:x-prod': ['b'],
        'dest:a-dev': ['a'],
      },
    },
    {
      name: 'removing an object never indexed changes nothing',
      steps: [
        ['put', app('b', { team: 'x' })],
        ['remove', app('a', { team: 'x' })],
      ],
      expected: { 'label:team=x': ['b'] },
    },
    {
      name: 'a removal by the last known object, whatever its labels now',
      steps: [
        ['put', app('a', { team: 'x' })],
        ['remove', app('a', {})],
      ],
      expected: { 'label:team=x': [], 'name:argocd/a': [] },
    },
  ])('$name', ({ steps, expected }) => {
    const index = new ObjectIndex('applications');
    for (const [op, object] of steps) index[op](object);
    for (const [key, objects] of Object.entries(expected)) {
      expect([key, names(index.get(key))]).toEqual([key, objects]);
    }
  });

  it.each([
    ['app=x', 'label:app=x'],
    ['app==x, tier!=db', 'label:app=x'],
    ['tier!=db,app=x', 'label:app=x'],
    ['tier in (a,b)', undefined],
  ])('narrows the selector %s by %s', (selector, key) => {
    expect(selectorKey(selector)).toBe(key);
  });
});
