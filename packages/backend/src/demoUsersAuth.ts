/*
 * DEMO ONLY — password-less sign-in as one of a few catalog users, so the offline demo has a
 * second user besides `guest` (prod changes need an approval by someone other than the
 * requester). Never enable this in a real portal: anyone who can reach the backend can sign in
 * as these users. It registers nothing unless both NODE_ENV and `auth.environment` are
 * `development` (as `yarn start` runs the backend).
 */
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  authProvidersExtensionPoint,
  createProxyAuthProviderFactory,
  createProxyAuthenticator,
} from '@backstage/plugin-auth-node';

/** The id under `/api/auth/` and in `auth.providers`. */
export const DEMO_USERS_PROVIDER_ID = 'demo-users';

/** An error the Backstage error handler answers by its name (InputError 400, NotAllowedError 403). */
function httpError(name: 'InputError' | 'NotAllowedError', message: string) {
  const error = new Error(message);
  error.name = name;
  return error;
}

/**
 * Takes the user from `?user=<name>` or the `x-demo-user` header; only the names listed in
 * `auth.providers.demo-users.users` are accepted.
 */
const demoUsersAuthenticator = createProxyAuthenticator({
  async defaultProfileTransform(result: { user: string }, ctx) {
    const displayName = await ctx
      .findCatalogUser({ entityRef: { kind: 'User', name: result.user } })
      .then(({ entity }) => (entity.spec as any)?.profile?.displayName)
      .catch(() => undefined);
    return { profile: { displayName: displayName ?? result.user } };
  },
  initialize({ config }) {
    return { users: config.getOptionalStringArray('users') ?? [] };
  },
  async authenticate({ req }, { users }) {
    const query = req.query.user;
    const user = typeof query === 'string' ? query : req.header('x-demo-user');
    if (!user) {
      throw httpError(
        'InputError',
        `say which demo user signs in: ?user=<name> or the x-demo-user header (${users.join(
          ', ',
        )})`,
      );
    }
    if (!users.includes(user)) {
      throw httpError(
        'NotAllowedError',
        `${user} is not a demo user (auth.providers.${DEMO_USERS_PROVIDER_ID}.users)`,
      );
    }
    return { result: { user } };
  },
});

/**
 * DEMO ONLY: the `demo-users` auth provider. `GET /api/auth/demo-users/refresh?user=alice`
 * (with `X-Requested-With: XMLHttpRequest`, as every refresh) answers a Backstage identity of
 * `user:default/alice` and her groups from the catalog, like the guest provider does for guest.
 */
export const demoUsersAuthModule = createBackendModule({
  pluginId: 'auth',
  moduleId: 'demo-users-provider',
  register(reg) {
    reg.registerInit({
      deps: {
        providers: authProvidersExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
      },
      async init({ providers, config, logger }) {
        const environment =
          config.getOptionalString('auth.environment') ?? 'development';
        if (
          environment !== 'development' ||
          process.env.NODE_ENV !== 'development'
        ) {
          logger.info(
            `DEMO sign-in ${DEMO_USERS_PROVIDER_ID} is off: development only`,
          );
          return;
        }
        providers.registerProvider({
          providerId: DEMO_USERS_PROVIDER_ID,
          factory: createProxyAuthProviderFactory({
            authenticator: demoUsersAuthenticator,
            async signInResolver({ result }, ctx) {
              return ctx.signInWithCatalogUser({
                entityRef: { kind: 'User', name: result.user },
              });
            },
          }),
        });
      },
    });
  },
});
