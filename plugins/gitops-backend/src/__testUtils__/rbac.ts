import { parseAllDocuments } from 'yaml';

/**
 * A small Kubernetes RBAC evaluator for tests: it answers, from the Roles and bindings of a
 * manifest alone, what the API server's RBAC authorizer would answer for a resource request.
 * Tests use it to hold the shipped manifests (examples/rbac) to the kinds the backend watches.
 *
 * Covered: ClusterRole, Role, ClusterRoleBinding, RoleBinding (to a Role or a ClusterRole);
 * ServiceAccount, User and Group subjects; `*` in verbs, apiGroups and resources; `resourceNames`;
 * subresources (`pods/log`). Not covered: non-resource URLs and aggregated ClusterRoles (refused
 * when present, rather than silently granting nothing).
 */

/** One request to the API server, as the authorizer sees it. */
export interface RbacRequest {
  /** `system:serviceaccount:<namespace>:<name>` for a service account. */
  user: string;
  /** `get`, `list`, `watch`, `patch`, … */
  verb: string;
  /** `''` for the core group. */
  apiGroup: string;
  /** Plural, optionally with a subresource: `pods`, `pods/log`. */
  resource: string;
  /** Absent for a cluster-wide request (a list or watch across all namespaces). */
  namespace?: string;
  /** The object's name, for `get`, `patch`, …; absent for `list` and `watch`. */
  name?: string;
}

/** One rule of a Role or ClusterRole. */
export interface RbacRule {
  verbs: readonly string[];
  apiGroups: readonly string[];
  resources: readonly string[];
  resourceNames: readonly string[];
}

/** A Role (with its namespace) or a ClusterRole. */
export interface RbacRole {
  kind: 'Role' | 'ClusterRole';
  name: string;
  namespace?: string;
  rules: readonly RbacRule[];
}

/** Who a binding grants its role to. */
export interface RbacSubject {
  kind: 'ServiceAccount' | 'User' | 'Group';
  name: string;
  namespace?: string;
}

/** A RoleBinding (with its namespace) or a ClusterRoleBinding. */
export interface RbacBinding {
  kind: 'RoleBinding' | 'ClusterRoleBinding';
  name: string;
  namespace?: string;
  roleRef: { kind: 'Role' | 'ClusterRole'; name: string };
  subjects: readonly RbacSubject[];
}

/** The RBAC objects of a manifest, and what they allow. */
export interface Rbac {
  roles: readonly RbacRole[];
  bindings: readonly RbacBinding[];
  allows(request: RbacRequest): boolean;
}

export interface LoadRbacOptions {
  /**
   * Namespaces that get a copy of every Role and RoleBinding of {@link TEMPLATE_NAMESPACE},
   * the way a platform team applies the per-service-namespace part of the manifest to each
   * service namespace.
   */
  namespaceCopies?: readonly string[];
}

/** The namespace the manifests use as their example service namespace. */
export const TEMPLATE_NAMESPACE = 'guestbook-prod';

const RBAC_API_VERSION = 'rbac.authorization.k8s.io/v1';

// Kubernetes refuses these with resourceNames: a list or watch has no single object name.
const COLLECTION_VERBS = new Set([
  'list',
  'watch',
  'create',
  'deletecollection',
]);

/** Parses the RBAC objects of a multi-document manifest; other kinds are skipped. */
export function loadRbac(
  yamlText: string,
  options: LoadRbacOptions = {},
): Rbac {
  const roles: RbacRole[] = [];
  const bindings: RbacBinding[] = [];
  for (const object of parseManifest(yamlText)) {
    if (object.kind === 'Role' || object.kind === 'ClusterRole') {
      roles.push(toRole(object));
    } else if (
      object.kind === 'RoleBinding' ||
      object.kind === 'ClusterRoleBinding'
    ) {
      bindings.push(toBinding(object));
    }
  }
  for (const namespace of options.namespaceCopies ?? []) {
    copyTemplateNamespace(roles, bindings, namespace);
  }
  for (const binding of bindings) findRole(roles, binding);
  return {
    roles,
    bindings,
    allows: request => allows(roles, bindings, request),
  };
}

/**
 * Splits a Kubernetes API path into what RBAC checks: `/api/v1/namespaces/x/pods` is core
 * `pods` in `x`, `/apis/apps/v1/deployments` is `apps` `deployments` in all namespaces.
 * A query string is ignored.
 */
export function apiGroupOfPath(path: string): {
  apiGroup: string;
  version: string;
  resource: string;
  namespace?: string;
  name?: string;
} {
  const parts = path.split('?')[0].split('/').filter(Boolean);
  let apiGroup: string | undefined;
  let version: string | undefined;
  let rest: string[];
  if (parts[0] === 'api') {
    apiGroup = '';
    version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis') {
    apiGroup = parts[1];
    version = parts[2];
    rest = parts.slice(3);
  } else {
    throw new Error(`${path} is not a Kubernetes API path (/api/… or /apis/…)`);
  }
  let namespace: string | undefined;
  // `/namespaces/x/pods` scopes to x; `/namespaces/x` and `/namespaces/x/status` are the
  // Namespace object itself (which RBAC, like the API server, sees in namespace x).
  if (rest[0] === 'namespaces' && rest.length > 2 && !isNamespaceSub(rest[2])) {
    namespace = rest[1];
    rest = rest.slice(2);
  } else if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1];
  }
  const [resource, name, subresource, ...extra] = rest;
  if (apiGroup === undefined || !version || !resource || extra.length > 0) {
    throw new Error(`${path} is not a Kubernetes resource path`);
  }
  return {
    apiGroup,
    version,
    resource: subresource ? `${resource}/${subresource}` : resource,
    ...(namespace ? { namespace } : {}),
    ...(name ? { name } : {}),
  };
}

function isNamespaceSub(segment: string): boolean {
  return segment === 'status' || segment === 'finalize';
}

type ManifestObject = Record<string, any>;

function parseManifest(yamlText: string): ManifestObject[] {
  const objects: ManifestObject[] = [];
  for (const document of parseAllDocuments(yamlText)) {
    if (document.errors.length > 0) {
      throw new Error(`invalid YAML: ${document.errors[0].message}`);
    }
    const object = document.toJS();
    // A document of only comments (or a trailing `---`) is null.
    if (object !== null) objects.push(object);
  }
  return objects;
}

function toRole(object: ManifestObject): RbacRole {
  const label = describe(object);
  checkApiVersion(object, label);
  if (object.aggregationRule) {
    throw new Error(`${label}: aggregated ClusterRoles are not evaluated`);
  }
  return {
    kind: object.kind,
    name: requiredString(object.metadata?.name, `${label}: metadata.name`),
    namespace: scope(object, label),
    rules: list(object.rules, `${label}: rules`).map((rule, index) =>
      toRule(rule, `${label}: rules[${index}]`),
    ),
  };
}

function toRule(rule: any, label: string): RbacRule {
  if (rule?.nonResourceURLs) {
    throw new Error(`${label}: nonResourceURLs are not evaluated`);
  }
  const verbs = strings(rule?.verbs, `${label}.verbs`);
  if (verbs.length === 0) throw new Error(`${label}: no verbs`);
  return {
    verbs,
    apiGroups: strings(rule.apiGroups, `${label}.apiGroups`),
    resources: strings(rule.resources, `${label}.resources`),
    resourceNames: strings(rule.resourceNames, `${label}.resourceNames`),
  };
}

function toBinding(object: ManifestObject): RbacBinding {
  const label = describe(object);
  checkApiVersion(object, label);
  const roleKind = object.roleRef?.kind;
  // The API server refuses a ClusterRoleBinding to a Role: it would have no namespace.
  const allowedKinds =
    object.kind === 'ClusterRoleBinding'
      ? ['ClusterRole']
      : ['Role', 'ClusterRole'];
  if (!allowedKinds.includes(roleKind)) {
    throw new Error(
      `${label}: roleRef.kind ${roleKind} is not one of ${allowedKinds}`,
    );
  }
  return {
    kind: object.kind,
    name: requiredString(object.metadata?.name, `${label}: metadata.name`),
    namespace: scope(object, label),
    roleRef: {
      kind: roleKind,
      name: requiredString(object.roleRef?.name, `${label}: roleRef.name`),
    },
    subjects: list(object.subjects, `${label}: subjects`).map(subject =>
      toSubject(subject, label),
    ),
  };
}

function toSubject(subject: any, label: string): RbacSubject {
  if (!['ServiceAccount', 'User', 'Group'].includes(subject?.kind)) {
    throw new Error(`${label}: unknown subject kind ${subject?.kind}`);
  }
  return {
    kind: subject.kind,
    name: requiredString(subject.name, `${label}: subject name`),
    ...(subject.namespace ? { namespace: String(subject.namespace) } : {}),
  };
}

function describe(object: ManifestObject): string {
  const namespace = object.metadata?.namespace;
  return `${object.kind} ${namespace ? `${namespace}/` : ''}${
    object.metadata?.name
  }`;
}

function checkApiVersion(object: ManifestObject, label: string): void {
  if (object.apiVersion !== RBAC_API_VERSION) {
    throw new Error(
      `${label}: apiVersion ${object.apiVersion}, not ${RBAC_API_VERSION}`,
    );
  }
}

/** The namespace of a Role or RoleBinding, which must have one; none for the cluster kinds. */
function scope(object: ManifestObject, label: string): string | undefined {
  const namespaced = object.kind === 'Role' || object.kind === 'RoleBinding';
  const namespace = object.metadata?.namespace;
  if (namespaced && !namespace) {
    // kubectl would put it in the current namespace; a test must not depend on that.
    throw new Error(`${label}: needs metadata.namespace`);
  }
  if (!namespaced && namespace) {
    throw new Error(`${label}: a cluster-scoped object has no namespace`);
  }
  return namespaced ? String(namespace) : undefined;
}

function list(value: unknown, label: string): any[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Error(`${label} is not a list`);
  return value;
}

function strings(value: unknown, label: string): string[] {
  return list(value, label).map(item => {
    if (typeof item !== 'string')
      throw new Error(`${label}: ${item} is not a string`);
    return item;
  });
}

function requiredString(value: unknown, label: string): string {
  if (typeof value !== 'string' || !value)
    throw new Error(`${label} is missing`);
  return value;
}

function copyTemplateNamespace(
  roles: RbacRole[],
  bindings: RbacBinding[],
  namespace: string,
): void {
  const templateRoles = roles.filter(r => r.namespace === TEMPLATE_NAMESPACE);
  const templateBindings = bindings.filter(
    b => b.namespace === TEMPLATE_NAMESPACE,
  );
  // Copies of nothing would make every check in `namespace` a silent "forbidden".
  if (templateRoles.length === 0 || templateBindings.length === 0) {
    throw new Error(
      `no Role and RoleBinding in ${TEMPLATE_NAMESPACE} to copy to ${namespace}`,
    );
  }
  roles.push(...templateRoles.map(role => ({ ...role, namespace })));
  bindings.push(
    ...templateBindings.map(binding => ({ ...binding, namespace })),
  );
}

/**
 * The role a binding grants. A binding to a role the manifest does not define is refused: the
 * evaluator cannot know its rules (the API server would grant nothing until it exists).
 */
function findRole(roles: readonly RbacRole[], binding: RbacBinding): RbacRole {
  const { kind, name } = binding.roleRef;
  // A RoleBinding's Role is the one of the same name in the binding's own namespace.
  const namespace = kind === 'Role' ? binding.namespace : undefined;
  const role = roles.find(
    r => r.kind === kind && r.name === name && r.namespace === namespace,
  );
  if (!role) {
    throw new Error(
      `${binding.kind} ${binding.namespace ? `${binding.namespace}/` : ''}${
        binding.name
      } refers to ${kind} ${
        namespace ? `${namespace}/` : ''
      }${name}, which the manifest does not define`,
    );
  }
  return role;
}

function allows(
  roles: readonly RbacRole[],
  bindings: readonly RbacBinding[],
  request: RbacRequest,
): boolean {
  const groups = groupsOf(request.user);
  return bindings.some(
    binding =>
      bindingCovers(binding, request.namespace) &&
      binding.subjects.some(subject =>
        subjectMatches(subject, binding.namespace, request.user, groups),
      ) &&
      findRole(roles, binding).rules.some(rule => ruleAllows(rule, request)),
  );
}

/**
 * A ClusterRoleBinding grants everywhere, cluster-wide requests included; a RoleBinding only in
 * its own namespace, even when it refers to a ClusterRole.
 */
function bindingCovers(
  binding: RbacBinding,
  namespace: string | undefined,
): boolean {
  if (binding.kind === 'ClusterRoleBinding') return true;
  return namespace !== undefined && binding.namespace === namespace;
}

/** The groups the API server puts a service account in (and every authenticated user). */
function groupsOf(user: string): string[] {
  const serviceAccount = /^system:serviceaccount:([^:]+):[^:]+$/.exec(user);
  return serviceAccount
    ? [
        'system:serviceaccounts',
        `system:serviceaccounts:${serviceAccount[1]}`,
        'system:authenticated',
      ]
    : ['system:authenticated'];
}

function subjectMatches(
  subject: RbacSubject,
  bindingNamespace: string | undefined,
  user: string,
  groups: readonly string[],
): boolean {
  switch (subject.kind) {
    case 'User':
      return subject.name === user;
    case 'Group':
      return groups.includes(subject.name);
    case 'ServiceAccount': {
      // As in Kubernetes: a ServiceAccount subject without a namespace is the binding's.
      const namespace = subject.namespace ?? bindingNamespace;
      return (
        namespace !== undefined &&
        user === `system:serviceaccount:${namespace}:${subject.name}`
      );
    }
    default:
      return false;
  }
}

function ruleAllows(rule: RbacRule, request: RbacRequest): boolean {
  return (
    matches(rule.verbs, request.verb) &&
    matches(rule.apiGroups, request.apiGroup) &&
    resourceMatches(rule.resources, request.resource) &&
    nameMatches(rule.resourceNames, request)
  );
}

function matches(values: readonly string[], value: string): boolean {
  return values.includes('*') || values.includes(value);
}

/** `*` is every resource and subresource; `*\/log` is the `log` subresource of any resource. */
function resourceMatches(
  resources: readonly string[],
  resource: string,
): boolean {
  if (matches(resources, resource)) return true;
  const slash = resource.indexOf('/');
  return slash > 0 && resources.includes(`*${resource.slice(slash)}`);
}

/** A rule with resourceNames grants only requests for one of those objects, never a list. */
function nameMatches(
  resourceNames: readonly string[],
  request: RbacRequest,
): boolean {
  if (resourceNames.length === 0) return true;
  return (
    !COLLECTION_VERBS.has(request.verb) &&
    request.name !== undefined &&
    resourceNames.includes(request.name)
  );
}
