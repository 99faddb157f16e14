/**
 * Push webhook bodies as GitHub and GitLab send them, field by field from their documentation
 * (GitHub "Webhook events and payloads: push"; GitLab "Webhook events: Push events"), for the
 * repository `owner/name` on the host.
 */

/** GitHub's `push` webhook body (the events module publishes it as `github.push`). */
export function githubPushPayload(options: {
  owner: string;
  name: string;
  ref: string;
  before: string;
  after: string;
  message?: string;
  host?: string;
}) {
  const host = options.host ?? 'github.com';
  const fullName = `${options.owner}/${options.name}`;
  const html = `https://${host}/${fullName}`;
  const author = {
    name: 'Octo Cat',
    email: 'octocat@example.com',
    username: 'octocat',
  };
  const commit = {
    id: options.after,
    tree_id: 'f9d2a07e9488b91af2641b26b9407fe22a451433',
    distinct: true,
    message: options.message ?? 'Merge pull request #42 from acme/bump',
    timestamp: '2026-05-04T10:12:04+02:00',
    url: `${html}/commit/${options.after}`,
    author,
    committer: {
      name: 'GitHub',
      email: 'noreply@github.com',
      username: 'web-flow',
    },
    added: [],
    removed: [],
    modified: ['apps/guestbook/overlays/dev/kustomization.yaml'],
  };
  const owner = {
    name: options.owner,
    email: null,
    login: options.owner,
    id: 1342004,
    node_id: 'MDEyOk9yZ2FuaXphdGlvbjEzNDIwMDQ=',
    avatar_url: 'https://avatars.githubusercontent.com/u/1342004?v=4',
    html_url: `https://${host}/${options.owner}`,
    type: 'Organization',
    site_admin: false,
  };
  return {
    ref: options.ref,
    before: options.before,
    after: options.after,
    created: false,
    deleted: false,
    forced: false,
    base_ref: null,
    compare: `${html}/compare/${options.before.slice(
      0,
      12,
    )}...${options.after.slice(0, 12)}`,
    commits: [commit],
    head_commit: commit,
    repository: {
      id: 35129377,
      node_id: 'MDEwOlJlcG9zaXRvcnkzNTEyOTM3Nw==',
      name: options.name,
      full_name: fullName,
      private: true,
      owner,
      html_url: html,
      description: 'GitOps repository',
      fork: false,
      // In push events GitHub gives `url` as the web address, and the times as Unix seconds.
      url: html,
      created_at: 1430869212,
      updated_at: '2026-05-04T08:12:04Z',
      pushed_at: 1777882324,
      git_url: `git://${host}/${fullName}.git`,
      ssh_url: `git@${host}:${fullName}.git`,
      clone_url: `${html}.git`,
      svn_url: html,
      homepage: null,
      size: 120,
      default_branch: 'main',
      master_branch: 'main',
      visibility: 'private',
    },
    pusher: { name: 'octocat', email: 'octocat@example.com' },
    sender: {
      login: 'octocat',
      id: 583231,
      node_id: 'MDQ6VXNlcjU4MzIzMQ==',
      type: 'User',
      site_admin: false,
    },
  };
}

/** What the GitHub webhook module passes along as metadata: the request's headers. */
export function githubPushHeaders() {
  return {
    'x-github-event': 'push',
    'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
    'x-github-hook-id': '292430182',
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/044aadd',
  };
}

/** GitLab's push webhook body (the events module publishes it as `gitlab.push`). */
export function gitlabPushPayload(options: {
  path: string;
  ref: string;
  before: string;
  after: string;
  host?: string;
}) {
  const host = options.host ?? 'gitlab.com';
  const web = `https://${host}/${options.path}`;
  const name = options.path.split('/').pop()!;
  return {
    object_kind: 'push',
    event_name: 'push',
    before: options.before,
    after: options.after,
    ref: options.ref,
    ref_protected: true,
    checkout_sha: options.after,
    message: null,
    user_id: 4,
    user_name: 'John Smith',
    user_username: 'jsmith',
    user_email: '',
    user_avatar:
      'https://s.gravatar.com/avatar/d4c74594d841139328695756648b6bd6?s=8',
    project_id: 15,
    project: {
      id: 15,
      name,
      description: 'GitOps repository',
      web_url: web,
      avatar_url: null,
      git_ssh_url: `git@${host}:${options.path}.git`,
      git_http_url: `${web}.git`,
      namespace: options.path.split('/')[0],
      visibility_level: 0,
      path_with_namespace: options.path,
      default_branch: 'main',
      homepage: web,
      url: `git@${host}:${options.path}.git`,
      ssh_url: `git@${host}:${options.path}.git`,
      http_url: `${web}.git`,
    },
    commits: [
      {
        id: options.after,
        message: 'Promote guestbook to v1.0.6',
        title: 'Promote guestbook to v1.0.6',
        timestamp: '2026-05-04T10:12:04+02:00',
        url: `${web}/-/commit/${options.after}`,
        author: { name: 'John Smith', email: '[REDACTED]' },
        added: [],
        modified: ['apps/guestbook/overlays/dev/kustomization.yaml'],
        removed: [],
      },
    ],
    total_commits_count: 1,
    repository: {
      name,
      url: `git@${host}:${options.path}.git`,
      description: 'GitOps repository',
      homepage: web,
      git_http_url: `${web}.git`,
      git_ssh_url: `git@${host}:${options.path}.git`,
      visibility_level: 0,
    },
  };
}
