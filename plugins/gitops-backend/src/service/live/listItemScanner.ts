const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

/**
 * Reads a Kubernetes list body (`{"kind":"PodList","metadata":{…},"items":[{…},…]}`) chunk by
 * chunk and hands over each element of the top-level `items` array as soon as its closing
 * brace arrives, parsed on its own. Why: `response.json()` joins the whole page into one
 * buffer of several MiB and one string of the same size; glibc then raises its mmap threshold
 * to that size and keeps later allocations in a heap it never gives back, so a fleet's lists
 * leave ~60 MiB of resident memory behind. Here nothing larger than a network chunk or one
 * item is ever allocated, and an item can be slimmed before the next is read.
 *
 * Everything outside the items (kind, apiVersion, metadata with `continue` and
 * `resourceVersion`) is kept and parsed at the end as the list's skeleton, with `items: []`.
 * The scanner tracks JSON structure only (strings, escapes, nesting); the parsing itself is
 * `JSON.parse`, so malformed JSON fails there with its usual message. Items must be objects,
 * as in every Kubernetes list.
 */
export class ListItemScanner {
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** At depth 1: the next string is a key of the top-level object. */
  private expectKey = false;
  private keyParts: Buffer[] = [];
  private keyStart = -1;
  private lastKey = '';
  /** Inside the top-level `items` array (depth 2 and deeper). */
  private inItems = false;
  /** Parts of the item being read, the first starting at its `{`. */
  private itemParts: Buffer[] = [];
  private itemStart = -1;
  private skeletonParts: Buffer[] = [];
  private skeletonStart = 0;

  constructor(private readonly onItem: (item: unknown) => void) {}

  /** Feeds the next chunk of the body. */
  write(chunk: Buffer) {
    this.skeletonStart = 0;
    if (this.keyStart >= 0) this.keyStart = 0;
    if (this.itemStart >= 0) this.itemStart = 0;
    const length = chunk.length;
    for (let i = 0; i < length; i++) {
      const byte = chunk[i];
      if (this.inString) {
        if (this.escaped) {
          this.escaped = false;
        } else if (byte === BACKSLASH) {
          this.escaped = true;
        } else if (byte === QUOTE) {
          this.inString = false;
          if (this.keyStart >= 0) this.endKey(chunk, i);
        }
        continue;
      }
      switch (byte) {
        case QUOTE:
          this.inString = true;
          if (this.depth === 1 && this.expectKey) {
            this.keyStart = i + 1;
            this.keyParts = [];
          }
          break;
        case OPEN_OBJECT:
        case OPEN_ARRAY:
          if (this.depth === 2 && this.inItems && byte === OPEN_OBJECT) {
            this.keepSkeleton(chunk, this.skeletonStart, i);
            this.itemStart = i;
          } else if (this.depth === 1 && byte === OPEN_ARRAY) {
            this.inItems = this.lastKey === 'items';
          }
          this.depth++;
          if (this.depth === 1) this.expectKey = true;
          break;
        case CLOSE_OBJECT:
        case CLOSE_ARRAY:
          this.depth--;
          if (this.depth === 2 && this.itemStart >= 0) {
            this.endItem(chunk, i + 1);
          } else if (this.depth === 1) {
            this.inItems = false;
          }
          break;
        case COMMA:
          if (this.depth === 1) this.expectKey = true;
          else if (this.depth === 2 && this.inItems) {
            // The separator between items is dropped with them, leaving `"items":[]`.
            this.keepSkeleton(chunk, this.skeletonStart, i);
            this.skeletonStart = i + 1;
          }
          break;
        case COLON:
          if (this.depth === 1) this.expectKey = false;
          break;
        default:
      }
    }
    if (this.keyStart >= 0) {
      this.keyParts.push(chunk.subarray(this.keyStart));
    }
    if (this.itemStart >= 0) {
      this.itemParts.push(chunk.subarray(this.itemStart));
    } else {
      this.keepSkeleton(chunk, this.skeletonStart, length);
    }
  }

  /**
   * Keeps a piece of the list outside its items as a copy: a view into the chunk would keep
   * the whole network chunk (up to 64 KiB of native memory) alive until the page ends — every
   * chunk of a page of several MiB, for each list in flight, freed all at once at the end,
   * which leaves glibc's heap fragmented and large.
   */
  private keepSkeleton(chunk: Buffer, start: number, end: number) {
    if (end > start)
      this.skeletonParts.push(Buffer.from(chunk.subarray(start, end)));
  }

  /** Ends the body: the list without its items. */
  end(): Record<string, unknown> {
    if (this.depth !== 0 || this.inString || this.itemStart >= 0) {
      throw new SyntaxError('the list body ended before its JSON did');
    }
    const skeleton = JSON.parse(Buffer.concat(this.skeletonParts).toString());
    this.skeletonParts = [];
    return skeleton;
  }

  private endKey(chunk: Buffer, end: number) {
    this.keyParts.push(chunk.subarray(this.keyStart, end));
    // Through JSON.parse so an escaped key (`"it\u0065ms"`) reads as what it says.
    this.lastKey = JSON.parse(`"${Buffer.concat(this.keyParts).toString()}"`);
    this.keyParts = [];
    this.keyStart = -1;
  }

  private endItem(chunk: Buffer, end: number) {
    const last = chunk.subarray(this.itemStart, end);
    const text =
      this.itemParts.length === 0
        ? last.toString()
        : Buffer.concat([...this.itemParts, last]).toString();
    this.itemParts = [];
    this.itemStart = -1;
    this.skeletonStart = end;
    this.onItem(JSON.parse(text));
  }
}
