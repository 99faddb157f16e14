import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DemoImage } from './DemoRegistry';

/**
 * DEMO ONLY. The commit each tag of an image was built from, read from the image's source
 * repository in `dir` (`<dir>/<name>.git`, the last part of the seed's `source`, as
 * examples/init-source-repos.mjs builds it): the registry serves it as the manifest's
 * `org.opencontainers.image.revision`, as a CI build would stamp it. Images without a source,
 * or whose repository is not there, are left as they are (their manifests name no revision).
 */
export function withSourceRevisions(
  images: DemoImage[],
  dir: string | undefined,
): DemoImage[] {
  if (!dir) return images;
  return images.map(image => {
    if (!image.source) return image;
    const repo = path.join(dir, `${image.source.split('/').pop()}.git`);
    if (!fs.existsSync(repo)) return image;
    // Annotated tags name their commit in the peeled column, lightweight ones in the first.
    const lines = execFileSync(
      'git',
      [
        '-C',
        repo,
        'for-each-ref',
        '--format=%(refname:short) %(objectname) %(*objectname)',
        'refs/tags',
      ],
      { encoding: 'utf8' },
    )
      .trim()
      .split('\n')
      .filter(Boolean);
    const revisions: Record<string, string> = {};
    for (const line of lines) {
      const [tag, object, peeled] = line.split(' ');
      if (image.tags.includes(tag)) revisions[tag] = peeled || object;
    }
    return { ...image, revisions };
  });
}
