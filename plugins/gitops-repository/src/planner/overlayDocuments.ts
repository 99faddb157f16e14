import path from 'node:path';
import { ReadRepoFile } from '../desired/buildKustomization';
import { isPlainObject, parseYamlDocuments } from '../desired/parseYaml';

/** A file of the overlay itself that holds one Kubernetes object (or a patch of one). */
export interface OverlayDocument {
  file: string;
  text: string;
  object: Record<string, any>;
}

/**
 * The overlay's own one-object files: its `resources`, `patches[].path` and
 * `patchesStrategicMerge` files inside the overlay folder. Files outside it (bases) are shared
 * with other environments, and files of several documents are not edited line by line.
 */
export async function overlayDocuments(
  overlay: string,
  kustomization: Record<string, any>,
  read: ReadRepoFile,
): Promise<OverlayDocument[]> {
  const entries: string[] = [
    ...list(kustomization.resources),
    ...list(kustomization.patches).map(p => p?.path),
    // A patchesStrategicMerge entry is a file path or inline YAML.
    ...list(kustomization.patchesStrategicMerge).filter(
      p => typeof p === 'string' && !p.includes('\n') && !p.includes(':'),
    ),
  ].filter((entry): entry is string => typeof entry === 'string');
  const documents: OverlayDocument[] = [];
  for (const entry of entries) {
    const file = path.posix.normalize(path.posix.join(overlay, entry));
    if (!file.startsWith(`${overlay}/`)) continue;
    const text = await read(file);
    if (text === undefined) continue; // a folder (a component or another kustomization)
    const docs = parseYamlDocuments(text, file);
    if (docs.length === 1 && isPlainObject(docs[0])) {
      documents.push({ file, text, object: docs[0] });
    }
  }
  return documents;
}

function list(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}
