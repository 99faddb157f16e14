#!/usr/bin/env bash
# The production build, tested: `yarn build:all`, then the backend's bundle installed the way
# the backend Dockerfile's host build does it (skeleton, `yarn workspaces focus --all
# --production`, bundle) in $GITOPS_PRODUCTION_TEST (default /tmp/gitops-production-test), and
# started with `node` and app-config.production.yaml on PostgreSQL (127.0.0.1:5432, user
# postgres), serving the built app, against the offline demo. Playwright checks the GitOps tab
# and /api/gitops/health (packages/app/e2e-tests/production). The test's databases (prefix
# gitops_production_test_) are dropped first, so each run migrates from nothing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
dist=${GITOPS_PRODUCTION_TEST:-/tmp/gitops-production-test}
t0=$(date +%s)

psql_cmd=(psql -h "${POSTGRES_HOST:-127.0.0.1}" -U postgres -tA)
for db in $("${psql_cmd[@]}" -c "select datname from pg_database where datname like 'gitops\_production\_test\_%'"); do
  "${psql_cmd[@]}" -c "drop database \"$db\"" > /dev/null
done

bash .ci/with-toolchain yarn build:all
echo "--- build:all: $(( $(date +%s) - t0 )) s"

# As the Dockerfile: the skeleton (package.json files), a production install, the bundle, the
# configs and the example catalog. The demo's state (.cache) is linked, so the relative paths of
# app-config.yaml (from packages/backend) reach the demo's repositories.
rm -rf "$dist"
mkdir -p "$dist/.yarn/releases"
tar xzf packages/backend/dist/skeleton.tar.gz -C "$dist"
cp package.json yarn.lock .yarnrc.yml "$dist/"
cp .yarn/releases/* "$dist/.yarn/releases/"
bash .ci/with-toolchain bash -c "cd '$dist' && yarn workspaces focus --all --production" \
  > "$dist/focus.log" 2>&1 || { tail -40 "$dist/focus.log"; exit 1; }
tar xzf packages/backend/dist/bundle.tar.gz -C "$dist"
cp app-config.yaml app-config.production.yaml "$dist/"
ln -s "$root/examples" "$dist/examples"
mkdir -p "$root/.cache"
ln -s "$root/.cache" "$dist/.cache"
echo "--- production install: $(( $(date +%s) - t0 )) s"

GITOPS_PRODUCTION_TEST=$dist bash .ci/with-toolchain yarn playwright test \
  -c packages/app/e2e-tests/production/playwright.config.ts
echo "--- production test: $(( $(date +%s) - t0 )) s"
