import { SharedComputations, SharedRequests } from './SharedRequests';

describe('SharedRequests', () => {
  it('reads once for callers asking at the same time, and again afterwards', async () => {
    const requests = new SharedRequests();
    const read = jest.fn(async () => ['v1', 'v2']);
    const answers = await Promise.all(
      [1, 2, 3].map(() => requests.run('tags a', undefined, read)),
    );
    expect(answers).toEqual([
      ['v1', 'v2'],
      ['v1', 'v2'],
      ['v1', 'v2'],
    ]);
    expect(read).toHaveBeenCalledTimes(1);
    await requests.run('tags a', undefined, read);
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('lets a caller whose signal aborts go while the others get the answer', async () => {
    const requests = new SharedRequests();
    let finish!: (tags: string[]) => void;
    const read = () => new Promise<string[]>(resolve => (finish = resolve));
    const controller = new AbortController();
    const leaving = requests.run('tags a', controller.signal, read);
    const staying = requests.run('tags a', undefined, read);
    controller.abort(new Error('client went away'));
    await expect(leaving).rejects.toThrow('client went away');
    finish(['v1']);
    await expect(staying).resolves.toEqual(['v1']);
    const aborted = AbortSignal.abort(new Error('already gone'));
    await expect(requests.run('tags b', aborted, read)).rejects.toThrow(
      'already gone',
    );
  });

  it('does not keep a failed read: the next caller tries again', async () => {
    const requests = new SharedRequests();
    const failing = jest.fn(async () => {
      throw new Error('502');
    });
    await expect(requests.run('index', undefined, failing)).rejects.toThrow(
      '502',
    );
    await expect(
      requests.run('index', undefined, async () => ['1.0.0']),
    ).resolves.toEqual(['1.0.0']);
  });
});

describe('SharedComputations', () => {
  /** A computation the test finishes, recording the signal it runs under. */
  function computation() {
    const signals: AbortSignal[] = [];
    const finishers: Array<(page: string) => void> = [];
    const compute = jest.fn(
      (signal: AbortSignal) =>
        new Promise<string>((resolve, reject) => {
          signals.push(signal);
          finishers.push(resolve);
          // As the real work does: it stops when told to.
          signal.addEventListener('abort', () => reject(signal.reason));
        }),
    );
    return {
      compute,
      signals,
      finish: (i: number, v: string) => finishers[i](v),
    };
  }
  const gone = () => new Error('client went away');

  it('answers the caller still waiting when the others went away, without stopping the work', async () => {
    const shared = new SharedComputations();
    const work = computation();
    const leaving = Array.from({ length: 49 }, () => new AbortController());
    const staying = new AbortController();
    const left = leaving.map(c => shared.run('page', c.signal, work.compute));
    const waiting = shared.run('page', staying.signal, work.compute);
    leaving.forEach(c => c.abort(gone()));
    await Promise.all(
      left.map(p => expect(p).rejects.toThrow('client went away')),
    );
    expect(work.compute).toHaveBeenCalledTimes(1);
    expect(work.signals[0].aborted).toBe(false);
    work.finish(0, 'page 1');
    await expect(waiting).resolves.toBe('page 1');
  });

  it('gives a caller arriving after everyone else went away a computation of its own, not their cancellation', async () => {
    const shared = new SharedComputations();
    const finishers: Array<() => void> = [];
    // The cancelled computation takes a while to notice (a render in flight), as at fleet scale.
    const compute = jest.fn(async (signal: AbortSignal) => {
      await new Promise<void>(resolve => finishers.push(resolve));
      if (signal.aborted) throw signal.reason;
      return `page ${finishers.length}`;
    });
    const first = new AbortController();
    const cancelled = shared.run('page', first.signal, compute);
    first.abort(gone());
    await expect(cancelled).rejects.toThrow('client went away');
    const later = new AbortController();
    const answer = shared.run('page', later.signal, compute);
    expect(compute).toHaveBeenCalledTimes(2);
    expect(compute.mock.calls[0][0].aborted).toBe(true);
    expect(compute.mock.calls[1][0].aborted).toBe(false);
    // The cancelled one ending does not drop the new one: a third caller shares it.
    finishers[0]();
    await new Promise(resolve => setImmediate(resolve));
    const third = shared.run('page', undefined, compute);
    expect(compute).toHaveBeenCalledTimes(2);
    finishers[1]();
    await expect(answer).resolves.toBe('page 2');
    await expect(third).resolves.toBe('page 2');
  });

  it('stops the work once every caller went away; a caller without a signal keeps it going', async () => {
    const shared = new SharedComputations();
    const work = computation();
    const a = new AbortController();
    const b = new AbortController();
    const pa = shared.run('one', a.signal, work.compute);
    const pb = shared.run('one', b.signal, work.compute);
    a.abort(gone());
    b.abort(gone());
    await expect(pa).rejects.toThrow('client went away');
    await expect(pb).rejects.toThrow('client went away');
    expect(work.signals[0].aborted).toBe(true);

    const c = new AbortController();
    const pc = shared.run('two', c.signal, work.compute);
    const pd = shared.run('two', undefined, work.compute);
    c.abort(gone());
    await expect(pc).rejects.toThrow('client went away');
    expect(work.signals[1].aborted).toBe(false);
    work.finish(1, 'page 2');
    await expect(pd).resolves.toBe('page 2');
    await expect(
      shared.run('three', AbortSignal.abort(gone()), work.compute),
    ).rejects.toThrow('client went away');
    expect(work.compute).toHaveBeenCalledTimes(2);
  });

  it('shares a failure with the callers waiting, and computes again afterwards', async () => {
    const shared = new SharedComputations();
    const failing = jest.fn(async () => {
      throw new Error('catalog unavailable');
    });
    await Promise.all(
      [1, 2].map(() =>
        expect(shared.run('page', undefined, failing)).rejects.toThrow(
          'catalog unavailable',
        ),
      ),
    );
    expect(failing).toHaveBeenCalledTimes(1);
    await expect(
      shared.run('page', undefined, async () => 'page'),
    ).resolves.toBe('page');
  });
});
