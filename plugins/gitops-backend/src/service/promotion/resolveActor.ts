import {
  AuthService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { Actor } from './changeRequests';

/**
 * The commit author for a request: the catalog User's display name and e-mail when the catalog
 * has them, otherwise the user's name and the configured fallback e-mail. Service principals
 * (other plugins, scaffolder tasks) author as `service:<subject>`.
 */
export async function resolveActor(options: {
  credentials: BackstageCredentials;
  auth: AuthService;
  catalog: CatalogService;
  fallbackEmail: string;
}): Promise<Actor> {
  const { credentials, auth, catalog, fallbackEmail } = options;
  if (!auth.isPrincipal(credentials, 'user')) {
    const subject = auth.isPrincipal(credentials, 'service')
      ? credentials.principal.subject
      : 'unknown';
    return {
      ref: `service:${subject}`,
      name: `Backstage (${subject})`,
      email: fallbackEmail,
    };
  }
  const ref = credentials.principal.userEntityRef;
  const user = await catalog
    .getEntityByRef(ref, { credentials: await auth.getOwnServiceCredentials() })
    .catch(() => undefined);
  const profile = (user?.spec as any)?.profile ?? {};
  return {
    ref,
    name:
      (typeof profile.displayName === 'string' && profile.displayName) ||
      parseEntityRef(ref).name,
    email:
      (typeof profile.email === 'string' && profile.email) || fallbackEmail,
  };
}
