import { VerificationContext } from '@gitops-backstage/plugin-gitops-node';

/**
 * A placeholder: `{name}`. Names start with a letter or `_`, so PromQL's own braces
 * (`{service="x"}`, `{}`) and regex repetitions (`5.{2}`) are left alone.
 */
const PLACEHOLDER = /\{([A-Za-z_][\w.-]*)\}/g;

/**
 * Fills the `{name}` placeholders of a check's template (a URL, a PromQL query, a Git ref).
 *
 * @param escape - applied to every value filled in, e.g. {@link escapePromQLString} when the
 *   placeholders sit inside double-quoted PromQL label values.
 * @throws Error naming the placeholder when a value is missing: a typo in config must be
 *   obvious, not a query silently asking for `service=""`.
 */
export function fillCheckTemplate(
  template: string,
  values: Record<string, string>,
  escape: (value: string) => string = value => value,
): string {
  return template.replace(PLACEHOLDER, (_, name: string) => {
    if (!Object.prototype.hasOwnProperty.call(values, name)) {
      throw new Error(
        `unknown placeholder {${name}} in "${template}"; known: ${Object.keys(
          values,
        )
          .sort()
          .map(known => `{${known}}`)
          .join(', ')}`,
      );
    }
    return escape(values[name]);
  });
}

/** The placeholder names a template uses, in order of first use. */
export function templatePlaceholders(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map(m => m[1]))];
}

/**
 * Escapes a value for a double-quoted PromQL string (label values in `{service="…"}`):
 * PromQL strings follow Go's escaping, where `\` and `"` are the characters that end or
 * change the string. Newlines are escaped too so a value can never break the query's line.
 */
export function escapePromQLString(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n');
}

/** `main-<sha>` / `master-<sha>`, optionally `-<timestamp>` (as the tag policy reads it). */
const MAIN_SHA = /^(?:main|master)-([0-9a-f]{7,40})(?:-\d{8,14})?$/;
/** `sha-<sha>` (docker/metadata-action's default `type=sha`). */
const SHA_PREFIX = /^sha-([0-9a-f]{7,40})$/;
/** `git describe`: `v1.4.2-3-g<sha>`. */
const GIT_DESCRIBE = /-\d+-g([0-9a-f]{7,40})$/;
/**
 * `<sha>-<run>`, and any other tag with a part that looks like a sha. Without a prefix that
 * says "sha", a short all-digit part is far more likely a date or a build number
 * (`20240101-1`), so a letter is required unless it is a full 40-character sha.
 */
const SHA_LIKE_PART = /^(?:(?=[0-9a-f]*[a-f])[0-9a-f]{7,40}|[0-9a-f]{40})$/;

/**
 * The Git sha a tag was built from, for the tag schemes CI pipelines use: `main-<sha>`,
 * `<sha>-<run>`, `sha-<sha>`, `git describe` output, a bare sha, or `<branch>-<sha>`. Empty
 * when there is none: a version such as `1.4.2` or `20240101` must not be taken for a commit.
 */
export function shaFromTag(tag: string | null | undefined): string {
  if (!tag) return '';
  for (const scheme of [MAIN_SHA, SHA_PREFIX, GIT_DESCRIBE]) {
    const match = tag.match(scheme);
    if (match) return match[1];
  }
  // A part must also have a digit: `deadbeef` or `cafe-face` are words, not commits.
  return (
    tag
      .split(/[-_.]/)
      .find(part => SHA_LIKE_PART.test(part) && /\d/.test(part)) ?? ''
  );
}

/**
 * The values a check's templates are filled with: `{service}`, `{env}`, `{namespace}`,
 * `{tag}`, `{digest}`, `{version}` (tag, else digest, else chart version), `{sha}` (the Git
 * sha in the tag, or empty), `{revision}` (the GitOps repository's commit), then
 * `context.templateValues`, which may add names and override these (e.g. a `service` label
 * that differs from the entity's name).
 */
export function checkTemplateValues(
  context: VerificationContext,
): Record<string, string> {
  const { tag, digest, chartVersion } = context.version;
  return {
    service: context.service,
    env: context.environment,
    namespace: context.namespace,
    tag: tag ?? '',
    digest: digest ?? '',
    version: tag ?? digest ?? chartVersion ?? '',
    sha: shaFromTag(tag),
    revision: context.revision ?? '',
    ...context.templateValues,
  };
}
