import { ListItemScanner } from './listItemScanner';

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'web-7d9f-x2k',
    namespace: 'shop-prod',
    labels: { app: 'web' },
    annotations: {
      'kubectl.kubernetes.io/last-applied-configuration':
        '{"spec":{"containers":[{"name":"web","args":["--items=[1,2]","{\\"a\\":\\"}\\"}"]}]}}',
    },
    managedFields: [
      {
        manager: 'kubelet',
        operation: 'Update',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:status': { 'f:conditions': { 'k:{"type":"Ready"}': {} } },
        },
      },
    ],
  },
  spec: { containers: [{ name: 'web', image: 'ghcr.io/acme/web:v1.0.5' }] },
  status: {
    containerStatuses: [
      {
        name: 'web',
        ready: false,
        restartCount: 7,
        state: {
          waiting: {
            reason: 'CrashLoopBackOff',
            message:
              'back-off 5m0s restarting failed container=web pod=web-7d9f-x2k_shop-prod(…) 🙈 \\ "quoted" ]}',
          },
        },
      },
    ],
  },
};

const list = (
  items: unknown[],
  extra: Record<string, unknown> = {},
  indent?: number,
) =>
  JSON.stringify(
    {
      kind: 'PodList',
      apiVersion: 'v1',
      metadata: {
        resourceVersion: '812',
        continue: 'eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ',
      },
      items,
      ...extra,
    },
    null,
    indent,
  );

function scan(chunks: Buffer[]) {
  const items: unknown[] = [];
  const scanner = new ListItemScanner(item => items.push(item));
  for (const chunk of chunks) scanner.write(chunk);
  return { items, skeleton: scanner.end() };
}

function chunksOf(body: Buffer, size: number) {
  const chunks: Buffer[] = [];
  for (let i = 0; i < body.length; i += size) {
    chunks.push(body.subarray(i, i + size));
  }
  return chunks;
}

describe('ListItemScanner', () => {
  it.each([
    { name: 'three pods', body: list([pod, { ...pod, spec: {} }, pod]) },
    { name: 'no items', body: list([]) },
    {
      name: 'items null',
      body: JSON.stringify({ kind: 'PodList', items: null }),
    },
    {
      name: 'items before metadata',
      body: JSON.stringify({ items: [pod], metadata: { continue: '' } }),
    },
    {
      name: 'an "items" key inside metadata and items is not the first array',
      body: list([pod], { metadata: { items: ['x'], resourceVersion: '9' } }),
    },
    {
      name: 'pretty-printed with whitespace between items',
      body: list([pod, pod], {}, 2),
    },
    {
      name: 'an escaped top-level key',
      body: '{"kind":"PodList","it\\u0065ms":[{"a":1},{"b":[{"c":"]"}]}]}',
    },
  ])('$name: the same items and skeleton at every chunking', ({ body }) => {
    const bytes = Buffer.from(body);
    const parsed = JSON.parse(body);
    const expectedItems = parsed.items ?? [];
    const expectedSkeleton = {
      ...parsed,
      items: parsed.items === null ? null : [],
    };
    const chunkings = [
      [bytes],
      ...[1, 3, 7, 64].map(size => chunksOf(bytes, size)),
      ...Array.from({ length: bytes.length - 1 }, (_, i) => [
        bytes.subarray(0, i + 1),
        bytes.subarray(i + 1),
      ]),
    ];
    for (const chunks of chunkings) {
      const { items, skeleton } = scan(chunks);
      expect(items).toEqual(expectedItems);
      expect(skeleton).toEqual(expectedSkeleton);
    }
  });

  it('keeps no network chunk alive once its items are read', () => {
    // Chunks whose items are all handed over must be free to go: the scanner keeps copies of
    // the list's own parts, never views into the chunks (which would hold a page's MiBs).
    const scanner = new ListItemScanner(() => {});
    // Each chunk with memory of its own, as network chunks have.
    const chunks = chunksOf(Buffer.from(list([pod, pod, pod, pod])), 256).map(
      chunk => {
        const own = Buffer.alloc(chunk.length);
        chunk.copy(own);
        return own;
      },
    );
    for (const chunk of chunks) scanner.write(chunk);
    const kept = (scanner as any).skeletonParts as Buffer[];
    expect(kept.length).toBeGreaterThan(0);
    for (const part of kept) {
      for (const chunk of chunks) expect(part.buffer).not.toBe(chunk.buffer);
    }
    expect(scanner.end()).toMatchObject({ kind: 'PodList', items: [] });
  });

  it('hands over each item before the next chunk is read', () => {
    const seen: unknown[] = [];
    const scanner = new ListItemScanner(item => seen.push(item));
    const body = Buffer.from(list([{ a: 1 }, { b: 2 }]));
    const secondItem = body.indexOf('{"b"');
    scanner.write(body.subarray(0, secondItem));
    expect(seen).toEqual([{ a: 1 }]);
    scanner.write(body.subarray(secondItem));
    expect(seen).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it.each([
    {
      name: 'a cut body',
      body: list([pod]).slice(0, 200),
      message: /ended before/,
    },
    { name: 'a cut item', body: '{"items":[{"a":1}', message: /ended before/ },
    { name: 'a broken item', body: '{"items":[{"a":}]}', message: /JSON/ },
    {
      name: 'a broken skeleton',
      body: '{"kind":PodList,"items":[]}',
      message: /JSON/,
    },
  ])('$name fails as invalid JSON', ({ body, message }) => {
    expect(() => scan([Buffer.from(body)])).toThrow(message);
  });
});
