import { ImageRepositoryRef } from '@gitops-backstage/plugin-gitops-node';

/**
 * Splits an image name into registry host and repository the way Docker does: the first part
 * is a host when it has a dot or a port or is `localhost`; otherwise the image is on Docker Hub,
 * where single names live under `library/`.
 */
export function parseImageRepository(image: string): ImageRepositoryRef {
  const name = image.split('@')[0].replace(/:[^/:]+$/, '');
  const [first, ...rest] = name.split('/');
  if (
    rest.length > 0 &&
    (first.includes('.') || first.includes(':') || first === 'localhost')
  ) {
    return {
      host: first === 'index.docker.io' ? 'docker.io' : first,
      repository: rest.join('/'),
    };
  }
  return {
    host: 'docker.io',
    repository: rest.length === 0 ? `library/${first}` : name,
  };
}

/** The API base URL of a registry host. */
export function registryBaseUrl(host: string, insecure: boolean): string {
  if (host === 'docker.io') return 'https://registry-1.docker.io';
  return `${insecure ? 'http' : 'https'}://${host}`;
}
