/*
 * DEMO ONLY — a second sign-in choice on the sign-in page: the demo user `alice` (member of
 * `guests`, examples/org.yaml) beside Guest, so one browser can ask for a prod change as guest
 * and another approve it as alice. The backend answers only in development
 * (packages/backend/src/demoUsersAuth.ts).
 */
import {
  ApiBlueprint,
  createFrontendModule,
  discoveryApiRef,
} from '@backstage/frontend-plugin-api';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';
import { DemoUserAuth, demoUserAuthApiRef } from './DemoUserAuth';

/** The demo user of the second choice (listed in `auth.providers.demo-users.users`). */
const DEMO_USER = 'alice';

const demoUserAuthApi = ApiBlueprint.make({
  name: 'demo-user-auth',
  params: defineParams =>
    defineParams({
      api: demoUserAuthApiRef,
      deps: { discoveryApi: discoveryApiRef },
      factory: ({ discoveryApi }) =>
        new DemoUserAuth({ discoveryApi, user: DEMO_USER }),
    }),
});

/** The app's sign-in page (replaces the default, Guest only): Guest, or alice. */
const demoSignInPage = SignInPageBlueprint.make({
  params: {
    loader: async () => {
      const { SignInPage } = await import('@backstage/core-components');
      return props => (
        <SignInPage
          {...props}
          providers={[
            'guest',
            {
              id: 'demo-user-alice',
              title: 'alice (demo)',
              message:
                'A second demo user in guests, to approve what guest asks for in prod.',
              apiRef: demoUserAuthApiRef,
            },
          ]}
        />
      );
    },
  },
});

/** DEMO ONLY: see the top of this file. */
export const demoSignInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [demoUserAuthApi, demoSignInPage],
});
