import { KindInformer, WatchFunction } from './KindInformer';
import { KubeObject } from './kinds';
import { ObjectIndex } from './objectIndex';

const pod = (name: string, resourceVersion: string, namespace = 'shop') => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, resourceVersion },
  status: { phase: 'Running' },
});

/** A watch the test drives: each call waits for the test to send events and end it. */
function scriptedWatch() {
  const calls: Array<{
    resourceVersion: unknown;
    send(phase: string, object: any): void;
    end(error?: any): void;
    aborted: () => boolean;
  }> = [];
  const watcher: WatchFunction = {
    async watch(_path, query, callback, done) {
      const controller = new AbortController();
      calls.push({
        resourceVersion: query.resourceVersion,
        send: callback,
        end: (error = null) => done(error),
        aborted: () => controller.signal.aborted,
      });
      return controller;
    },
  };
  return { watcher, calls };
}

const tick = () => new Promise(resolve => setImmediate(resolve));
const names = (index: ObjectIndex) =>
  index
    .list()
    .map(o => `${o.metadata?.name}@${o.metadata?.resourceVersion}`)
    .sort();

function setup(lists: Array<KubeObject[] | Error>, namespace: string | null) {
  const index = new ObjectIndex('pods');
  const { watcher, calls } = scriptedWatch();
  const errors: unknown[] = [];
  let listed = 0;
  let resourceVersion = 100;
  const informer = new KindInformer({
    path: '/api/v1/pods',
    namespace,
    index,
    watcher,
    list: async () => {
      const next = lists[Math.min(listed, lists.length - 1)];
      listed += 1;
      if (next instanceof Error) throw next;
      resourceVersion += 100;
      return {
        metadata: { resourceVersion: String(resourceVersion) },
        items: next,
      };
    },
    onError: error => errors.push(error),
  });
  return { index, informer, calls, errors, lists: () => listed };
}

describe('KindInformer', () => {
  it('lists into the index, then watches from the list and applies its events', async () => {
    const { index, informer, calls, lists } = setup(
      [[pod('a', '1'), pod('b', '2')]],
      null,
    );
    await informer.start();
    expect(names(index)).toEqual(['a@1', 'b@2']);
    expect(calls.map(c => c.resourceVersion)).toEqual(['200']);
    calls[0].send('ADDED', pod('c', '201'));
    calls[0].send('MODIFIED', pod('a', '202'));
    calls[0].send('DELETED', pod('b', '203'));
    calls[0].send('BOOKMARK', { metadata: { resourceVersion: '250' } });
    expect(names(index)).toEqual(['a@202', 'c@201']);
    // The server ended the watch (its time-out): watch again from the bookmark, no list.
    calls[0].end();
    await tick();
    expect(calls.map(c => c.resourceVersion)).toEqual(['200', '250']);
    expect(lists()).toBe(1);
  });

  it('lists again after 410 Gone, and drops what was deleted while no watch was open', async () => {
    const { index, informer, calls, lists } = setup(
      [
        [pod('a', '1'), pod('b', '2'), pod('x', '3', 'other')],
        [pod('a', '1'), pod('c', '9')],
      ],
      null,
    );
    await informer.start();
    calls[0].send('ERROR', { kind: 'Status', code: 410, reason: 'Expired' });
    calls[0].end();
    await tick();
    expect(lists()).toBe(2);
    // Cluster-wide: every namespace is replaced by the list, the other one too.
    expect(names(index)).toEqual(['a@1', 'c@9']);
    expect(calls.map(c => c.resourceVersion)).toEqual(['200', '300']);
  });

  it("a namespace's relist replaces that namespace only", async () => {
    const { index, informer, calls } = setup(
      [[pod('a', '1'), pod('b', '2')], [pod('b', '2')]],
      'shop',
    );
    index.put(pod('x', '5', 'other'));
    await informer.start();
    calls[0].end({ statusCode: 410 });
    await tick();
    expect(names(index)).toEqual(['b@2', 'x@5']);
  });

  it('stops on any other error and, started again, resumes the watch without a list', async () => {
    const { index, informer, calls, errors, lists } = setup(
      [[pod('a', '1')]],
      null,
    );
    await informer.start();
    calls[0].send('MODIFIED', pod('a', '7'));
    const failure = Object.assign(new Error('500 Internal'), {
      statusCode: 500,
    });
    calls[0].end(failure);
    await tick();
    expect(errors).toEqual([failure]);
    expect(calls).toHaveLength(1);
    await informer.start();
    expect(calls.map(c => c.resourceVersion)).toEqual(['200', '7']);
    expect(lists()).toBe(1);
    expect(names(index)).toEqual(['a@7']);
  });

  it('reports a failed list and lists again when started again', async () => {
    const refused = new Error('connect ECONNREFUSED');
    const { index, informer, errors, lists } = setup(
      [refused, [pod('a', '1')]],
      null,
    );
    await informer.start();
    expect(errors).toEqual([refused]);
    await informer.start();
    expect(lists()).toBe(2);
    expect(names(index)).toEqual(['a@1']);
  });

  it('once stopped, neither a list still on its way nor late events change the index', async () => {
    const index = new ObjectIndex('pods');
    const { watcher, calls } = scriptedWatch();
    let answer: (list: { items: KubeObject[] }) => void = () => {};
    const informer = new KindInformer({
      path: '/api/v1/pods',
      namespace: null,
      index,
      watcher,
      list: () => new Promise(resolve => (answer = resolve)),
      onError: () => {},
    });
    const started = informer.start();
    informer.stop();
    answer({ items: [pod('a', '1')] });
    await started;
    expect(index.size).toBe(0);
    expect(calls).toHaveLength(0);

    const {
      index: other,
      informer: second,
      calls: watches,
    } = setup([[pod('a', '1')]], null);
    await second.start();
    second.stop();
    expect(watches[0].aborted()).toBe(true);
    watches[0].send('ADDED', pod('late', '300'));
    expect(names(other)).toEqual(['a@1']);
  });
});
