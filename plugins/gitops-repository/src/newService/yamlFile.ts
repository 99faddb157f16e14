import { Document, isCollection, isScalar } from 'yaml';

/** A comment on one field of a document: on the lines before it, or after a scalar value. */
export interface YamlNote {
  at: Array<string | number>;
  before?: string;
  inline?: string;
}

/** One YAML document of a file, with its comment and comments on fields. */
export interface YamlPart {
  value: unknown;
  /** Written above the document. */
  comment?: string;
  notes?: YamlNote[];
  /** Strings written in double quotes, as Helm's conventions want versions. */
  quoted?: Array<Array<string | number>>;
}

/**
 * Writes documents as one YAML file, each with its comments. Lines are never folded: the
 * files are read by people and edited line by line by the promotion planner.
 */
export function yamlFile(...parts: YamlPart[]): string {
  return parts
    .map(part => {
      const doc = new Document(part.value);
      if (part.comment) doc.commentBefore = asComment(part.comment);
      for (const note of part.notes ?? []) addNote(doc, note);
      for (const at of part.quoted ?? []) {
        const value = doc.getIn(at, true);
        if (!isScalar(value)) {
          throw new Error(`yamlFile: ${at.join('.')} is not a scalar`);
        }
        value.type = 'QUOTE_DOUBLE';
      }
      return doc.toString({ lineWidth: 0 });
    })
    .join('---\n');
}

function addNote(doc: Document, note: YamlNote) {
  const parent = doc.getIn(note.at.slice(0, -1), true);
  const last = note.at[note.at.length - 1];
  if (!isCollection(parent)) {
    throw new Error(`yamlFile: no collection at ${note.at.join('.')}`);
  }
  if (note.before) {
    // A map's comment goes on the key; a list's on its item.
    const item: any = parent.items.find((entry: any, index: number) =>
      typeof last === 'number' ? index === last : entry?.key?.value === last,
    );
    const target = typeof last === 'number' ? item : item?.key;
    if (!target) throw new Error(`yamlFile: no ${note.at.join('.')}`);
    target.commentBefore = asComment(note.before);
  }
  if (note.inline) {
    const value = doc.getIn(note.at, true);
    if (!isScalar(value)) {
      throw new Error(`yamlFile: ${note.at.join('.')} is not a scalar`);
    }
    value.comment = asComment(note.inline);
  }
}

/** `yaml` writes a comment's lines after `#` as they are: one space makes them readable. */
function asComment(text: string): string {
  return text
    .split('\n')
    .map(line => (line ? ` ${line}` : line))
    .join('\n');
}
