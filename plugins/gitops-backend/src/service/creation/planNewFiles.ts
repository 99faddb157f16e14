import { ConflictError } from '@backstage/errors';
import { Plan } from '@gitops-backstage/plugin-gitops-repository';
import { createTwoFilesPatch } from 'diff';
import path from 'node:path';
import { ServiceTarget } from '../ServiceLocator';

/**
 * The new files as a plan on `revision`: refused (409) when the service folder or any of the
 * files is already there, so nothing of another service is ever overwritten.
 */
export async function planNewFiles(
  target: ServiceTarget,
  files: Array<{ path: string; content: string }>,
  revision: string,
  signal?: AbortSignal,
): Promise<Plan> {
  const { provider, repository } = target;
  const existing: string[] = [];
  if (provider.listFolders) {
    const parent = path.posix.dirname(target.path);
    const folders = await provider.listFolders({
      repository,
      revision,
      path: parent === '.' ? '' : parent,
      signal,
    });
    if (folders.includes(target.path)) existing.push(`${target.path}/`);
  }
  const contents = await Promise.all(
    files.map(f =>
      provider.readFile({ repository, revision, path: f.path, signal }),
    ),
  );
  files.forEach((f, i) => {
    if (contents[i] !== undefined) existing.push(f.path);
  });
  if (existing.length > 0) {
    throw new ConflictError(
      `${existing.slice(0, 5).join(', ')}${
        existing.length > 5 ? ` and ${existing.length - 5} more` : ''
      } already ${existing.length === 1 ? 'exists' : 'exist'} on ${
        repository.branch
      }: choose another name; nothing was written`,
    );
  }
  return {
    files: files.map(f => ({ path: f.path, before: '', after: f.content })),
    diff: files
      .map(f =>
        createTwoFilesPatch('/dev/null', `b/${f.path}`, '', f.content, '', ''),
      )
      .join(''),
    noop: false,
  };
}
