import path from 'node:path';
import { configBesideDemo } from '../playwrightShared';

// The production test: the backend's bundle from `yarn build:all`, installed as the Dockerfile
// does it (.ci/production-test.sh, in GITOPS_PRODUCTION_TEST), started with `node` and
// app-config.production.yaml on PostgreSQL (not the development server), serving the built app
// on :7007, against the offline demo cluster on its own copies of the example repositories.
const dist =
  process.env.GITOPS_PRODUCTION_TEST ?? '/tmp/gitops-production-test';
const state = '.cache/production';
const configs = [
  '../../app-config.yaml',
  '../../app-config.production.yaml',
  path.join(__dirname, 'app-config.production-test.yaml'),
];

export default configBesideDemo({
  dir: __dirname,
  testMatch: 'production.test.ts',
  state,
  servers: [
    {
      command: `node . ${configs.map(file => `--config ${file}`).join(' ')}`,
      cwd: path.join(dist, 'packages/backend'),
      env: {
        NODE_ENV: 'production',
        GITOPS_DEMO_STATE: state,
        POSTGRES_HOST: '127.0.0.1',
        POSTGRES_PORT: '5432',
        POSTGRES_USER: 'postgres',
        POSTGRES_PASSWORD: '',
      },
      url: 'http://localhost:7007/.backstage/health/v1/readiness',
      timeout: 180_000,
    },
  ],
  baseURL: 'http://localhost:7007',
  results: 'production-test-results',
});
