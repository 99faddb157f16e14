import {
  Document,
  isMap,
  isScalar,
  isSeq,
  parseDocument,
  Scalar,
  YAMLMap,
  YAMLSeq,
} from 'yaml';
import { ManifestError } from '../desired/parseYaml';

/**
 * Edits of YAML text that change only the intended lines: values are replaced at their source
 * range, new entries are inserted as text with the indentation of their siblings. Re-printing
 * the whole document would reflow comments, quotes and indentation the author chose.
 */
export class YamlTextEditor {
  private text: string;
  private doc: Document.Parsed;

  constructor(text: string, private readonly file: string) {
    this.text = text;
    this.doc = this.parse(text);
  }

  toString() {
    return this.text;
  }

  get document() {
    return this.doc;
  }

  /** The node at a path, or undefined. */
  get(path: Array<string | number>): unknown {
    return this.doc.getIn(path, true);
  }

  /** Replaces the scalar at `path`, keeping its quoting style and any comment after it. */
  replaceScalar(path: Array<string | number>, value: string | number) {
    const node = this.doc.getIn(path, true);
    if (!isScalar(node) || !node.range) {
      throw new ManifestError(
        `${this.file}: ${path.join('.')} is not a plain value`,
      );
    }
    const [start, end] = node.range;
    this.splice(start, end, formatScalar(value, node));
  }

  /**
   * Sets `key: value` in the mapping at `mapPath` (the document root for `[]`): replaces an
   * existing value, or adds the line after the mapping's last entry.
   */
  setInMap(
    mapPath: Array<string | number>,
    key: string,
    value: string | number,
  ) {
    const map =
      mapPath.length === 0 ? this.doc.contents : this.doc.getIn(mapPath, true);
    if (!isMap(map)) {
      throw new ManifestError(
        `${this.file}: ${mapPath.join('.') || 'the document'} is not a mapping`,
      );
    }
    if (map.has(key)) {
      this.replaceScalar([...mapPath, key], value);
      return;
    }
    const indent = this.indentOf(map);
    this.insertAfter(
      map,
      `${' '.repeat(indent)}${key}: ${formatScalar(value)}\n`,
    );
  }

  /** Appends a block of lines at the end of a sequence, indented like its items. */
  appendToSeq(seqPath: Array<string | number>, lines: string[]) {
    const seq = this.doc.getIn(seqPath, true);
    if (!isSeq(seq) || seq.items.length === 0 || seq.flow) {
      throw new ManifestError(
        `${this.file}: ${seqPath.join('.')} is not a block list`,
      );
    }
    const indent = this.indentOf(seq);
    this.insertAfter(
      seq,
      lines.map(line => `${' '.repeat(indent)}${line}\n`).join(''),
    );
  }

  /** Removes a single-line `key: value` entry of a mapping. */
  removeEntry(path: Array<string | number>) {
    const parent = this.doc.getIn(path.slice(0, -1), true);
    const key = path[path.length - 1];
    const pair = isMap(parent)
      ? (parent.items as any[]).find(p => p.key?.value === key)
      : undefined;
    if (!pair?.key?.range || !pair.value?.range) return;
    const start = this.text.lastIndexOf('\n', pair.key.range[0]) + 1;
    const lineEnd = this.text.indexOf('\n', pair.value.range[1] - 1);
    this.splice(start, lineEnd < 0 ? this.text.length : lineEnd + 1, '');
  }

  /** Appends top-level lines at the end of the document. */
  appendTopLevel(lines: string[]) {
    const separator =
      this.text.length === 0 || this.text.endsWith('\n') ? '' : '\n';
    this.text = `${this.text}${separator}${lines
      .map(line => `${line}\n`)
      .join('')}`;
    this.doc = this.parse(this.text);
  }

  private indentOf(collection: YAMLMap | YAMLSeq): number {
    const first = collection.items[0] as any;
    const node = isSeq(collection) ? first : first?.key;
    const offset = node?.range?.[0] ?? collection.range?.[0] ?? 0;
    const lineStart = this.text.lastIndexOf('\n', offset - 1) + 1;
    const column = offset - lineStart;
    // A sequence item's range starts at its content; the dash sits two columns before it.
    return isSeq(collection) ? Math.max(0, column - 2) : column;
  }

  private insertAfter(collection: YAMLMap | YAMLSeq, text: string) {
    const last = collection.items[collection.items.length - 1] as any;
    const end =
      (isSeq(collection)
        ? last?.range?.[1]
        : last?.value?.range?.[1] ?? last?.key?.range?.[1]) ??
      collection.range![1];
    // Insert at the start of the line after the last entry (its comments stay with it).
    const lineEnd = this.text.indexOf('\n', end - 1);
    const at = lineEnd < 0 ? this.text.length : lineEnd + 1;
    const prefix = lineEnd < 0 ? '\n' : '';
    this.splice(at, at, `${prefix}${text}`);
  }

  private splice(start: number, end: number, replacement: string) {
    this.text = this.text.slice(0, start) + replacement + this.text.slice(end);
    this.doc = this.parse(this.text);
  }

  private parse(text: string): Document.Parsed {
    const doc = parseDocument(text, { keepSourceTokens: true });
    if (doc.errors.length > 0) {
      throw new ManifestError(
        `${this.file}: invalid YAML: ${doc.errors[0].message.split('\n')[0]}`,
      );
    }
    return doc;
  }
}

/**
 * A value as YAML text in the style of the node it replaces; strings that would read back as
 * another type (`1.10`, `true`, `0x1`) are double-quoted.
 */
export function formatScalar(value: string | number, like?: Scalar): string {
  if (typeof value === 'number') return String(value);
  if (like?.type === Scalar.QUOTE_DOUBLE) return JSON.stringify(value);
  if (like?.type === Scalar.QUOTE_SINGLE)
    return `'${value.replace(/'/g, "''")}'`;
  const plain = parseDocument(value).toJS();
  const safe = plain === value && /^[\w.@:/+-]+$/.test(value);
  return safe ? value : JSON.stringify(value);
}
