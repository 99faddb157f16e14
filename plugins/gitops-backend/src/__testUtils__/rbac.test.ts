import { readFileSync } from 'fs';
import path from 'path';
import { parseAllDocuments } from 'yaml';
import { KindKey, kindPath, WATCHED_KINDS } from '../service/live/kinds';
import { apiGroupOfPath, loadRbac, Rbac, RbacRequest } from './rbac';

const SA = 'system:serviceaccount:backstage:backstage-gitops';

function example(file: string): string {
  return readFileSync(
    path.resolve(__dirname, '../../../../examples/rbac', file),
    'utf8',
  );
}

/** The manifest without its optional sync part, as for a read-only portal. */
function withoutSync(yamlText: string): string {
  return parseAllDocuments(yamlText)
    .filter(doc => doc.toJS()?.metadata?.name !== 'backstage-gitops-sync')
    .map(doc => doc.toString())
    .join('---\n');
}

// Derived from the backend's own list, so a kind added there without RBAC fails here.
const KINDS = (Object.keys(WATCHED_KINDS) as KindKey[]).map(key => ({
  key,
  ...apiGroupOfPath(kindPath(key)),
}));

const kind = (key: KindKey) => KINDS.find(k => k.key === key)!;

/** The kinds an engine action patches (engineActions.ts). */
const PATCHED: readonly KindKey[] = [
  'applications',
  'kustomizations',
  'helmreleases',
];

/** The request the backend makes for a kind: its own list/watch path, parsed. */
function request(
  key: KindKey,
  verb: string,
  namespace?: string,
  user = SA,
): RbacRequest {
  const target = apiGroupOfPath(kindPath(key, namespace));
  expect(target.namespace).toBe(namespace);
  const { apiGroup, resource } = target;
  return { user, verb, apiGroup, resource, namespace };
}

const where = (namespace?: string) =>
  namespace ? `in ${namespace}` : 'across all namespaces';

const verdict = (allowed: boolean) => (allowed ? 'allows' : 'forbids');

describe('apiGroupOfPath', () => {
  it.each([
    ['/api/v1/pods', { apiGroup: '', version: 'v1', resource: 'pods' }],
    [
      '/api/v1/namespaces/guestbook-prod/pods',
      {
        apiGroup: '',
        version: 'v1',
        resource: 'pods',
        namespace: 'guestbook-prod',
      },
    ],
    [
      '/api/v1/events?fieldSelector=type%3DWarning&watch=true',
      { apiGroup: '', version: 'v1', resource: 'events' },
    ],
    [
      '/apis/apps/v1/deployments',
      { apiGroup: 'apps', version: 'v1', resource: 'deployments' },
    ],
    [
      '/apis/apps/v1/namespaces/x/deployments',
      {
        apiGroup: 'apps',
        version: 'v1',
        resource: 'deployments',
        namespace: 'x',
      },
    ],
    [
      '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications',
      {
        apiGroup: 'argoproj.io',
        version: 'v1alpha1',
        resource: 'applications',
        namespace: 'argocd',
      },
    ],
    [
      '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/guestbook-prod',
      {
        apiGroup: 'argoproj.io',
        version: 'v1alpha1',
        resource: 'applications',
        namespace: 'argocd',
        name: 'guestbook-prod',
      },
    ],
    [
      '/api/v1/namespaces/x/pods/web-1/log',
      {
        apiGroup: '',
        version: 'v1',
        resource: 'pods/log',
        namespace: 'x',
        name: 'web-1',
      },
    ],
    [
      '/api/v1/namespaces',
      { apiGroup: '', version: 'v1', resource: 'namespaces' },
    ],
    [
      '/api/v1/namespaces/x',
      {
        apiGroup: '',
        version: 'v1',
        resource: 'namespaces',
        namespace: 'x',
        name: 'x',
      },
    ],
    [
      '/api/v1/namespaces/x/status',
      {
        apiGroup: '',
        version: 'v1',
        resource: 'namespaces/status',
        namespace: 'x',
        name: 'x',
      },
    ],
  ])('splits %s into group, resource and namespace', (apiPath, expected) => {
    expect(apiGroupOfPath(apiPath)).toEqual(expected);
  });

  it.each([
    '/healthz',
    '/api',
    '/api/v1',
    '/apis/apps',
    '/apis/apps/v1',
    '/api/v1/pods/a/b/c',
  ])('refuses %s, which names no resource', apiPath => {
    expect(() => apiGroupOfPath(apiPath)).toThrow(/Kubernetes/);
  });
});

describe('the RBAC evaluator', () => {
  const manifest = `
apiVersion: v1
kind: ServiceAccount
metadata: { name: reader, namespace: tools }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: pod-reader }
rules:
  - apiGroups: ['']
    resources: [pods]
    verbs: [list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: anything-in-apps }
rules:
  - apiGroups: [apps]
    resources: ['*']
    verbs: ['*']
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: logs-and-one-secret }
rules:
  - apiGroups: ['']
    resources: ['*/log']
    verbs: [get]
  - apiGroups: ['']
    resources: [secrets]
    resourceNames: [token]
    verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: cm-reader, namespace: team-a }
rules:
  - apiGroups: ['']
    resources: [configmaps]
    verbs: [list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: pods-everywhere }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-reader }
subjects: [{ kind: ServiceAccount, name: reader, namespace: tools }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: apps-in-team-a, namespace: team-a }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: anything-in-apps }
subjects: [{ kind: ServiceAccount, name: reader, namespace: tools }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: cm-in-team-a, namespace: team-a }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: cm-reader }
# No namespace: the binding's own, so this is team-a:builder, not tools:builder.
subjects: [{ kind: ServiceAccount, name: builder }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: logs-for-group, namespace: team-b }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: logs-and-one-secret }
subjects:
  - { kind: Group, name: 'system:serviceaccounts:tools' }
  - { kind: User, name: alice }
`;
  const rbac = loadRbac(manifest);
  const reader = 'system:serviceaccount:tools:reader';
  const builder = 'system:serviceaccount:team-a:builder';
  const base = { user: reader, verb: 'list', apiGroup: '' };

  it.each<[string, RbacRequest, boolean]>([
    [
      'a ClusterRoleBinding grants across all namespaces',
      { ...base, resource: 'pods' },
      true,
    ],
    [
      'a ClusterRoleBinding grants in any namespace',
      { ...base, resource: 'pods', namespace: 'anywhere' },
      true,
    ],
    [
      'a ClusterRoleBinding grants only the verbs of its role',
      { ...base, verb: 'watch', resource: 'pods' },
      false,
    ],
    [
      'a ClusterRoleBinding grants only the API group of its role',
      { ...base, apiGroup: 'apps', resource: 'pods', namespace: 'team-b' },
      false,
    ],
    [
      'a ClusterRoleBinding grants nothing to another service account of that name',
      { ...base, user: 'system:serviceaccount:other:reader', resource: 'pods' },
      false,
    ],
    [
      'a RoleBinding to a ClusterRole grants in its namespace, with wildcards',
      {
        ...base,
        verb: 'delete',
        apiGroup: 'apps',
        resource: 'deployments',
        namespace: 'team-a',
      },
      true,
    ],
    [
      'a RoleBinding to a ClusterRole grants nothing in another namespace',
      {
        ...base,
        verb: 'delete',
        apiGroup: 'apps',
        resource: 'deployments',
        namespace: 'team-b',
      },
      false,
    ],
    [
      'a RoleBinding to a ClusterRole grants nothing across all namespaces',
      { ...base, apiGroup: 'apps', resource: 'deployments' },
      false,
    ],
    [
      'a wildcard resource covers subresources',
      {
        ...base,
        verb: 'update',
        apiGroup: 'apps',
        resource: 'deployments/scale',
        namespace: 'team-a',
      },
      true,
    ],
    [
      'a RoleBinding subject without a namespace is in the binding namespace',
      { ...base, user: builder, resource: 'configmaps', namespace: 'team-a' },
      true,
    ],
    [
      'a RoleBinding subject without a namespace is no one elsewhere',
      {
        ...base,
        user: 'system:serviceaccount:tools:builder',
        resource: 'configmaps',
        namespace: 'team-a',
      },
      false,
    ],
    [
      'a RoleBinding to a Role grants nothing across all namespaces',
      { ...base, user: builder, resource: 'configmaps' },
      false,
    ],
    [
      'a Group subject covers the service accounts of its namespace',
      {
        ...base,
        verb: 'get',
        resource: 'pods/log',
        namespace: 'team-b',
        name: 'web-1',
      },
      true,
    ],
    [
      'a Group subject does not cover service accounts of other namespaces',
      {
        ...base,
        user: builder,
        verb: 'get',
        resource: 'pods/log',
        namespace: 'team-b',
        name: 'web-1',
      },
      false,
    ],
    [
      'a User subject matches its name',
      {
        ...base,
        user: 'alice',
        verb: 'get',
        resource: 'pods/log',
        namespace: 'team-b',
        name: 'web-1',
      },
      true,
    ],
    [
      'a */log rule does not grant the resource itself',
      {
        ...base,
        verb: 'get',
        resource: 'pods',
        namespace: 'team-b',
        name: 'web-1',
      },
      false,
    ],
    [
      'resourceNames grant a get of a named object',
      {
        ...base,
        verb: 'get',
        resource: 'secrets',
        namespace: 'team-b',
        name: 'token',
      },
      true,
    ],
    [
      'resourceNames grant no get of another object',
      {
        ...base,
        verb: 'get',
        resource: 'secrets',
        namespace: 'team-b',
        name: 'other',
      },
      false,
    ],
    [
      'resourceNames grant no list',
      { ...base, verb: 'list', resource: 'secrets', namespace: 'team-b' },
      false,
    ],
    [
      'resourceNames grant no watch, even of the named object',
      {
        ...base,
        verb: 'watch',
        resource: 'secrets',
        namespace: 'team-b',
        name: 'token',
      },
      false,
    ],
  ])('%s', (_sentence, req, expected) => {
    expect(rbac.allows(req)).toBe(expected);
  });

  it('refuses a binding to a role the manifest does not define', () => {
    expect(() =>
      loadRbac(`
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: b, namespace: team-a }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: missing }
subjects: [{ kind: User, name: alice }]
`),
    ).toThrow(/Role team-a\/missing, which the manifest does not define/);
  });

  it('refuses a ClusterRoleBinding to a Role', () => {
    expect(() =>
      loadRbac(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: b }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: r }
subjects: [{ kind: User, name: alice }]
`),
    ).toThrow(/roleRef.kind Role/);
  });

  it('refuses copies of a template namespace the manifest does not have', () => {
    expect(() => loadRbac(manifest, { namespaceCopies: ['x'] })).toThrow(
      /no Role and RoleBinding in guestbook-prod/,
    );
  });
});

describe('examples/rbac, both files', () => {
  const files = ['cluster-wide.yaml', 'namespaced.yaml'].map(file => ({
    file,
    rbac: loadRbac(example(file)),
  }));
  const rules = files.flatMap(({ file, rbac }) =>
    rbac.roles.flatMap(role =>
      role.rules.map(rule => ({ file, role: role.name, rule })),
    ),
  );

  it.each(files)(
    '$file binds its roles only to the backstage-gitops service account',
    ({ rbac }) => {
      const subjects = rbac.bindings.flatMap(b => b.subjects);
      expect(subjects.length).toBeGreaterThan(0);
      expect(
        new Set(subjects.map(s => `${s.kind} ${s.namespace}/${s.name}`)),
      ).toEqual(new Set(['ServiceAccount backstage/backstage-gitops']));
    },
  );

  it('use no wildcards, resourceNames, secrets or configmaps in any rule', () => {
    for (const { rule } of rules) {
      expect([
        ...rule.verbs,
        ...rule.apiGroups,
        ...rule.resources,
      ]).not.toContain('*');
      expect(rule.resourceNames).toEqual([]);
      expect(rule.resources).not.toContain('secrets');
      expect(rule.resources).not.toContain('configmaps');
    }
  });

  it('grant exactly get, list, watch in the read roles and only patch in the sync roles', () => {
    expect(rules.length).toBeGreaterThan(0);
    for (const { role, rule } of rules) {
      expect([role, rule.verbs]).toEqual(
        role === 'backstage-gitops-read'
          ? ['backstage-gitops-read', ['get', 'list', 'watch']]
          : ['backstage-gitops-sync', ['patch']],
      );
    }
  });
});

describe('examples/rbac/cluster-wide.yaml', () => {
  const text = example('cluster-wide.yaml');
  const rbac = loadRbac(text);
  const readOnly = loadRbac(withoutSync(text));
  const namespaces = [undefined, 'guestbook-prod', 'argocd', 'default'];

  const readRows = KINDS.flatMap(({ key }) =>
    ['get', 'list', 'watch'].flatMap(verb =>
      namespaces.map(
        namespace => [verb, key, where(namespace), namespace] as const,
      ),
    ),
  );

  it.each(readRows)('allows %s of %s %s', (verb, key, _where, namespace) => {
    expect(rbac.allows(request(key, verb, namespace))).toBe(true);
    expect(readOnly.allows(request(key, verb, namespace))).toBe(true);
  });

  it.each(readRows)(
    'forbids %s of %s %s to the default service account',
    (verb, key, _where, namespace) => {
      expect(
        rbac.allows(
          request(
            key,
            verb,
            namespace,
            'system:serviceaccount:backstage:default',
          ),
        ),
      ).toBe(false);
    },
  );

  it.each(KINDS.map(({ key }) => key))(
    'forbids list of %s in any other API group',
    key => {
      const other = kind(key).apiGroup === 'apps' ? '' : 'apps';
      expect(rbac.allows({ ...request(key, 'list'), apiGroup: other })).toBe(
        false,
      );
    },
  );

  it.each(
    [
      ['', 'secrets'],
      ['', 'configmaps'],
      ['', 'services'],
      ['', 'serviceaccounts'],
      ['', 'pods/log'],
      ['', 'pods/exec'],
      ['apps', 'deployments/scale'],
      ['apps', 'replicasets'],
      ['rbac.authorization.k8s.io', 'roles'],
    ].flatMap(([apiGroup, resource]) =>
      ['get', 'list', 'watch', 'create'].flatMap(verb =>
        [undefined, 'guestbook-prod'].map(namespace => ({
          verb,
          apiGroup: apiGroup || 'core',
          resource,
          where: where(namespace),
          req: { user: SA, verb, apiGroup, resource, namespace },
        })),
      ),
    ),
  )('forbids $verb of $apiGroup $resource $where', ({ req }) => {
    expect(rbac.allows(req)).toBe(false);
  });

  it.each(
    KINDS.flatMap(({ key }) =>
      [
        'create',
        'update',
        'delete',
        'deletecollection',
        'escalate',
        'bind',
      ].map(verb => [verb, key] as const),
    ),
  )('forbids %s of %s', (verb, key) => {
    expect(rbac.allows(request(key, verb, 'guestbook-prod'))).toBe(false);
    expect(rbac.allows(request(key, verb))).toBe(false);
  });

  it.each(
    KINDS.flatMap(({ key }) =>
      [undefined, 'argocd', 'flux-system', 'guestbook-prod'].map(namespace => {
        const expected = PATCHED.includes(key);
        return [
          verdict(expected),
          key,
          where(namespace),
          namespace,
          expected,
        ] as const;
      }),
    ),
  )(
    'with the optional sync role, %s patch of %s %s',
    (_verdict, key, _where, namespace, expected) => {
      expect(rbac.allows(request(key, 'patch', namespace))).toBe(expected);
    },
  );

  it.each(KINDS.map(({ key }) => key))(
    'without the optional sync role, patch of %s is forbidden',
    key => {
      expect(readOnly.allows(request(key, 'patch', 'guestbook-prod'))).toBe(
        false,
      );
      expect(readOnly.allows(request(key, 'patch'))).toBe(false);
    },
  );
});

describe('examples/rbac/namespaced.yaml', () => {
  type Scope = 'service' | 'argocd' | 'flux';
  // Where namespaced mode lists each kind: workloads in service namespaces, Applications in
  // the Argo CD namespaces, Flux objects in the Flux namespaces and beside the app.
  const SCOPES: Record<KindKey, readonly Scope[]> = {
    pods: ['service'],
    events: ['service'],
    persistentvolumeclaims: ['service'],
    deployments: ['service'],
    horizontalpodautoscalers: ['service'],
    applications: ['argocd'],
    kustomizations: ['flux', 'service'],
    helmreleases: ['flux', 'service'],
    gitrepositories: ['flux', 'service'],
    ocirepositories: ['flux', 'service'],
    imagerepositories: ['flux', 'service'],
    imagepolicies: ['flux', 'service'],
    imageupdateautomations: ['flux', 'service'],
    imageupdaters: ['argocd'],
    vulnerabilityreports: ['service'],
    policyreports: ['service'],
    rollouts: ['service'],
    analysisruns: ['service'],
    canaries: ['service'],
  };
  const NAMESPACES: ReadonlyArray<[string | undefined, Scope | null]> = [
    ['guestbook-prod', 'service'],
    ['podinfo-prod', 'service'], // a copy of the guestbook-prod part
    ['argocd', 'argocd'],
    ['flux-system', 'flux'],
    ['default', null],
    ['kube-system', null],
    ['demo-flask-app-prod', null], // a service namespace nobody copied the Roles to
    [undefined, null],
  ];

  const text = example('namespaced.yaml');
  const rbac = loadRbac(text, { namespaceCopies: ['podinfo-prod'] });
  const readOnly = loadRbac(withoutSync(text), {
    namespaceCopies: ['podinfo-prod'],
  });

  it('expects each kind where the backend lists it in namespaced mode', () => {
    const flux: readonly Scope[] = ['flux', 'service'];
    expect(SCOPES).toEqual(
      Object.fromEntries(
        KINDS.map(({ key }) => {
          const scope = WATCHED_KINDS[key].scope;
          return [key, scope === 'flux' ? flux : [scope]];
        }),
      ),
    );
  });

  it.each(
    KINDS.flatMap(({ key }) =>
      ['list', 'watch', 'get'].flatMap(verb =>
        NAMESPACES.map(([namespace, scope]) => {
          const expected = scope !== null && SCOPES[key].includes(scope);
          return [
            verdict(expected),
            verb,
            key,
            where(namespace),
            namespace,
            expected,
          ] as const;
        }),
      ),
    ),
  )('%s %s of %s %s', (_verdict, verb, key, _where, namespace, expected) => {
    expect(rbac.allows(request(key, verb, namespace))).toBe(expected);
    expect(readOnly.allows(request(key, verb, namespace))).toBe(expected);
  });

  it.each(
    KINDS.flatMap(({ key }) =>
      NAMESPACES.map(([namespace, scope]) => {
        const expected =
          PATCHED.includes(key) &&
          scope !== null &&
          SCOPES[key].includes(scope);
        return [
          verdict(expected),
          key,
          where(namespace),
          namespace,
          expected,
        ] as const;
      }),
    ),
  )(
    'with the optional sync roles, %s patch of %s %s',
    (_verdict, key, _where, namespace, expected) => {
      expect(rbac.allows(request(key, 'patch', namespace))).toBe(expected);
    },
  );

  it.each(
    KINDS.flatMap(({ key }) =>
      ['guestbook-prod', 'podinfo-prod', 'argocd', 'flux-system'].map(
        namespace => [key, namespace] as const,
      ),
    ),
  )(
    'without the optional sync roles, forbids patch of %s in %s',
    (key, namespace) => {
      expect(readOnly.allows(request(key, 'patch', namespace))).toBe(false);
    },
  );

  it.each(
    KINDS.flatMap(({ key }) =>
      ['create', 'update', 'delete', 'deletecollection'].map(
        verb => [verb, key] as const,
      ),
    ),
  )('forbids %s of %s in every namespace and across all', (verb, key) => {
    for (const [namespace] of NAMESPACES) {
      expect(rbac.allows(request(key, verb, namespace))).toBe(false);
    }
  });

  it.each([
    ['', 'secrets'],
    ['', 'configmaps'],
    ['', 'services'],
    ['', 'pods/log'],
    ['apps', 'replicasets'],
  ])('forbids reading %s %s in the service namespace', (apiGroup, resource) => {
    for (const verb of ['get', 'list', 'watch']) {
      expect(
        rbac.allows({
          user: SA,
          verb,
          apiGroup,
          resource,
          namespace: 'guestbook-prod',
        }),
      ).toBe(false);
    }
  });

  it('grants nothing in a service namespace until its part is copied there', () => {
    const uncopied: Rbac = loadRbac(text);
    expect(uncopied.allows(request('pods', 'list', 'podinfo-prod'))).toBe(
      false,
    );
    expect(rbac.allows(request('pods', 'list', 'podinfo-prod'))).toBe(true);
  });

  it('grants nothing to the default service account', () => {
    const user = 'system:serviceaccount:backstage:default';
    expect(rbac.allows(request('pods', 'list', 'guestbook-prod', user))).toBe(
      false,
    );
    expect(rbac.allows(request('applications', 'list', 'argocd', user))).toBe(
      false,
    );
    expect(
      rbac.allows(request('kustomizations', 'list', 'flux-system', user)),
    ).toBe(false);
  });
});
