import { SharedRequests } from './SharedRequests';

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
