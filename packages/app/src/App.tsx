import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import gitopsPlugin from '@gitops-backstage/plugin-gitops/alpha';
import { navModule } from './modules/nav';
import { homeModule } from './modules/home';
// DEMO ONLY: a second sign-in choice, the demo user alice (see modules/demoSignIn).
import { demoSignInModule } from './modules/demoSignIn';

export default createApp({
  features: [
    catalogPlugin,
    gitopsPlugin,
    navModule,
    homeModule,
    demoSignInModule,
  ],
});
