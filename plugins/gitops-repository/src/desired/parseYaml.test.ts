import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ManifestError, parseYamlDocuments } from './parseYaml';

/**
 * What `yaml` (the library the planner edits files with) reads from the same text, or that it
 * is not YAML (a Helm template, a templated skeleton file).
 */
function readByYamlLibrary(text: string): unknown[] | 'invalid' {
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  if (list.some(doc => doc.errors.length > 0)) return 'invalid';
  return list
    .map(doc => doc.toJS())
    .filter(value => value !== null && value !== undefined);
}

/** Our reading of the text, or `invalid` where it throws a ManifestError. */
function readByUs(text: string, file: string): unknown[] | 'invalid' {
  try {
    return parseYamlDocuments(text, file);
  } catch (error) {
    if (error instanceof ManifestError) return 'invalid';
    throw error;
  }
}

const repoRoot = path.resolve(__dirname, '../../../..');

function yamlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return yamlFiles(full);
    return /\.ya?ml$/.test(entry.name) ? [full] : [];
  });
}

describe('parseYamlDocuments', () => {
  // Every YAML file of the example repositories, templates and demo: real inputs, not ours.
  // Not Helm chart templates: Go templates, never read as YAML (`{{ .Chart.Name }}` would be
  // a map used as a key, which the two libraries turn into different strings).
  const files = yamlFiles(path.join(repoRoot, 'examples')).filter(
    file => !/\/chart\/templates\//.test(file),
  );

  it('finds the example files', () => {
    expect(files.length).toBeGreaterThan(50);
  });

  it.each(files.map(file => [path.relative(repoRoot, file)]))(
    'reads %s as the editing library does',
    file => {
      const text = fs.readFileSync(path.join(repoRoot, file), 'utf8');
      expect(readByUs(text, file)).toEqual(readByYamlLibrary(text));
    },
  );

  it.each<[string, string]>([
    ['YAML 1.1 booleans stay strings', 'a: yes\nb: no\nc: on\nd: true\n'],
    ['dates stay strings', 'at: 2026-12-04\nwhen: 2026-12-04T10:00:00Z\n'],
    ['numbers', 'a: 0o14\nb: 0x1f\nc: 1e3\nd: .inf\ne: 012\nf: "3"\n'],
    ['nulls', 'a: ~\nb: null\nc:\n'],
    ['merge keys are plain keys (YAML 1.2)', 'a: &x {k: 1}\nb:\n  <<: *x\n'],
    ['anchors and aliases', 'base: &b [1, 2]\ncopy: *b\n'],
    ['several documents, empty ones dropped', '---\na: 1\n---\n---\nb: 2\n'],
    [
      'block scalars',
      'script: |\n  echo one\n  echo two\nfolded: >\n  a\n  b\n',
    ],
    ['quoted keys and flow maps', '"a b": {c: [d, "e"]}\n'],
    ['comments only', '# nothing here\n'],
  ])('%s', (_name, text) => {
    expect(readByYamlLibrary(text)).not.toBe('invalid');
    expect(readByUs(text, 'f.yaml')).toEqual(readByYamlLibrary(text));
  });

  it.each<[string, string, RegExp]>([
    [
      'an unclosed flow map',
      'a: {b: 1\nc: 2\n',
      /^f\.yaml:\d+: invalid YAML: /,
    ],
    [
      'a duplicated key',
      'a: 1\na: 2\n',
      /^f\.yaml:2: invalid YAML: .*duplicate/,
    ],
    ['bad indentation', 'a:\n  b: 1\n c: 2\n', /^f\.yaml:3: invalid YAML: /],
  ])('names the file and line of %s', (_name, text, message) => {
    expect(() => parseYamlDocuments(text, 'f.yaml')).toThrow(ManifestError);
    expect(() => parseYamlDocuments(text, 'f.yaml')).toThrow(message);
  });
});
