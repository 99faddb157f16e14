/**
 * The folder of the service in the GitOps repository, for example `apps/guestbook`.
 *
 * @public
 */
export const ANNOTATION_GITOPS_PATH = 'gitops.backstage.io/path';

/**
 * The GitOps repository of the service (its URL or the `name` of an entry of
 * `gitops.repositories`), when it is not the configured default.
 *
 * @public
 */
export const ANNOTATION_GITOPS_REPO = 'gitops.backstage.io/repo';

/**
 * The image repository of the service (e.g. `ghcr.io/acme/guestbook`), used to pick the right
 * container when a workload runs several.
 *
 * @public
 */
export const ANNOTATION_GITOPS_IMAGE = 'gitops.backstage.io/image';

/**
 * Same annotation as the Backstage Kubernetes plugin: the workload name.
 *
 * @public
 */
export const ANNOTATION_KUBERNETES_ID = 'backstage.io/kubernetes-id';

/**
 * Same annotation as the Backstage Kubernetes plugin: a label selector of the workloads.
 *
 * @public
 */
export const ANNOTATION_KUBERNETES_LABEL_SELECTOR =
  'backstage.io/kubernetes-label-selector';

/**
 * Same annotation as the Argo CD plugins: the Application name (comma-separated for several).
 *
 * @public
 */
export const ANNOTATION_ARGOCD_APP_NAME = 'argocd/app-name';

/**
 * Same annotation as the Argo CD plugins: a label selector of the service's Applications.
 *
 * @public
 */
export const ANNOTATION_ARGOCD_APP_SELECTOR = 'argocd/app-selector';

/**
 * Same annotation as the Argo CD plugins: the namespace of the Applications, when not `argocd`.
 *
 * @public
 */
export const ANNOTATION_ARGOCD_APP_NAMESPACE = 'argocd/app-namespace';

/**
 * How the service's image tags are ordered: `semver`, `semver-prerelease`, `main-sha`,
 * `sha-run` or `regex:<pattern>[:numeric|semver|text]`. Without it, the policy is guessed from
 * the deployed tag.
 *
 * @public
 */
export const ANNOTATION_GITOPS_TAG_POLICY = 'gitops.backstage.io/tag-policy';

/**
 * Where the service's image block is in its Helm values, for charts that do not use `image` or
 * `<component>.image`, e.g. `app.container.image`.
 *
 * @public
 */
export const ANNOTATION_GITOPS_IMAGE_VALUES_PATH =
  'gitops.backstage.io/image-values-path';
