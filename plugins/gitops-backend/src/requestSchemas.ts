import { InputError } from '@backstage/errors';
import { z } from 'zod/v3';

/**
 * Names that end up in file paths, branch names and commit messages: no `/`, no `..`, no
 * whitespace or shell/YAML specials.
 */
const name = (what: string) =>
  z
    .string({ required_error: `${what} is required` })
    .refine(
      value =>
        /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/.test(value) &&
        !value.includes('..'),
      `${what} must be letters, digits, '.', '_' or '-' (no '/', '..' or spaces)`,
    );

/** An OCI tag: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`, so at most 128 characters. */
const tag = z
  .string()
  .max(128, 'toTag must be at most 128 characters')
  .regex(
    /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/,
    "toTag must be a valid image tag: letters, digits, '_', '.', '-' (no spaces, newlines or ';')",
  );

const replicas = (what: string, min: number) =>
  z
    .number({ invalid_type_error: `${what} must be a number` })
    .int(`${what} must be a whole number`)
    .min(min, `${what} must be ${min} or more`)
    .max(1000, `${what} must be 1000 or less`);

/** Path parameters of `/entities/:namespace/:kind/:name/…`. */
export const entityPathParams = z.object({
  namespace: name('namespace'),
  kind: name('kind'),
  name: name('name'),
});

/** `override`: proceed past overridable gates with a reason (permission gitops.override). */
const override = z
  .object({
    reason: z
      .string({ required_error: 'override.reason is required' })
      .trim()
      .min(3, 'override.reason must say why (3 characters or more)')
      .max(500, 'override.reason must be at most 500 characters'),
  })
  .strict()
  .optional();

/** A version as people write it: a tag, a digest or a chart version. */
const versionText = z
  .string()
  .min(1)
  .max(200, 'version must be at most 200 characters')
  .regex(
    /^[A-Za-z0-9_][A-Za-z0-9_.+:@-]*$/,
    'version must be a tag, a digest (sha256:…) or a chart version',
  );

export const promoteBody = z
  .object({
    from: name('from'),
    to: name('to'),
    dryRun: z.boolean().optional(),
    override,
  })
  .strict();

export const rollbackBody = z
  .object({
    environment: name('environment'),
    toRevision: z
      .string()
      .regex(
        /^[0-9a-f]{7,40}$/,
        'toRevision must be a commit sha (7–40 hex digits)',
      )
      .optional(),
    toTag: tag.optional(),
    dryRun: z.boolean().optional(),
    override,
  })
  .strict()
  .refine(
    body => (body.toRevision === undefined) !== (body.toTag === undefined),
    'give exactly one of toRevision and toTag',
  );

export const scaleBody = z
  .object({
    environment: name('environment'),
    replicas: replicas('replicas', 0).optional(),
    autoscaling: z
      .object({
        minReplicas: replicas('autoscaling.minReplicas', 1).optional(),
        maxReplicas: replicas('autoscaling.maxReplicas', 1).optional(),
      })
      .strict()
      .refine(
        a => a.minReplicas !== undefined || a.maxReplicas !== undefined,
        'autoscaling needs minReplicas or maxReplicas',
      )
      .refine(
        a =>
          a.minReplicas === undefined ||
          a.maxReplicas === undefined ||
          a.minReplicas <= a.maxReplicas,
        'minReplicas must not be greater than maxReplicas',
      )
      .optional(),
    dryRun: z.boolean().optional(),
    override,
  })
  .strict()
  .refine(
    body => (body.replicas === undefined) !== (body.autoscaling === undefined),
    'give exactly one of replicas and autoscaling',
  );

export const syncBody = z
  .object({
    environment: name('environment'),
    action: z.enum(['refresh', 'sync', 'reconcile', 'suspend', 'resume'], {
      errorMap: () => ({
        message:
          'action must be one of refresh, sync, reconcile, suspend, resume',
      }),
    }),
  })
  .strict();

/** Body of `POST …/approvals`. */
export const approvalBody = z
  .object({
    environment: name('environment'),
    version: versionText.optional(),
    comment: z
      .string()
      .max(1000, 'comment must be at most 1000 characters')
      .optional(),
  })
  .strict();

/** Body of `POST …/verifications` (a re-run). */
export const verificationRunBody = z
  .object({
    environment: name('environment'),
    version: versionText.optional(),
  })
  .strict();

/** Query of `GET …/verifications` and `GET …/approvals`. */
export const environmentQuery = z.object({
  environment: name('query parameter "environment"'),
  version: versionText.optional(),
});

/** Body of `POST /freezes`. */
export const freezeBody = z
  .object({
    environments: z.union([
      z.literal('*'),
      z
        .array(name('environments[]'))
        .min(1, 'environments must name at least one environment, or be "*"')
        .max(100),
    ]),
    reason: z
      .string({ required_error: 'reason is required' })
      .trim()
      .min(3, 'reason must say why (3 characters or more)')
      .max(500),
    until: z.string({ required_error: 'until is required' }).datetime({
      offset: true,
      message: 'until must be an ISO 8601 time, e.g. 2026-12-28T09:00:00+01:00',
    }),
  })
  .strict();

/** Body of `POST /services` (see CreateServiceRequest in gitops-common). */
export const createServiceBody = z
  .object({
    name: z
      .string({ required_error: 'name is required' })
      .max(63, 'name must be at most 63 characters (a DNS label)')
      .regex(
        /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
        "name must be a DNS label: lower-case letters, digits and '-', starting and ending with a letter or digit",
      ),
    owner: z
      .string({ required_error: 'owner is required' })
      .min(1, 'owner is required')
      .max(255)
      .regex(
        /^([a-z]+:)?([A-Za-z0-9._-]+\/)?[A-Za-z0-9._-]+$/,
        'owner must be an entity ref, e.g. group:default/team-a',
      ),
    system: z
      .string()
      .max(255)
      .regex(
        /^([a-z]+:)?([A-Za-z0-9._-]+\/)?[A-Za-z0-9._-]+$/,
        'system must be an entity ref',
      )
      .optional(),
    description: z.string().max(1000).optional(),
    engine: z.enum(['argocd', 'flux'], {
      errorMap: () => ({ message: 'engine must be argocd or flux' }),
    }),
    layout: z.enum(['kustomize', 'helm'], {
      errorMap: () => ({ message: 'layout must be kustomize or helm' }),
    }),
    image: z
      .string({ required_error: 'image is required' })
      .max(255)
      .regex(
        /^[a-z0-9.-]+(:[0-9]+)?(\/[a-z0-9._-]+)+$/,
        'image must be an image repository without tag, e.g. ghcr.io/acme/hello',
      ),
    tag: z
      .string({ required_error: 'tag is required' })
      .max(128, 'tag must be at most 128 characters')
      .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'tag must be a valid image tag')
      .refine(t => t !== 'latest', 'tag must not be "latest": name a version'),
    digest: z
      .string()
      .regex(/^sha256:[0-9a-f]{64}$/, 'digest must be sha256:<64 hex digits>')
      .optional(),
    port: z.number().int().min(1).max(65535).optional(),
    autoscaling: z
      .object({
        minReplicas: replicas('autoscaling.minReplicas', 1),
        maxReplicas: replicas('autoscaling.maxReplicas', 1),
      })
      .strict()
      .refine(
        a => a.minReplicas <= a.maxReplicas,
        'autoscaling.minReplicas must not be above maxReplicas',
      )
      .optional(),
    progressiveDelivery: z
      .enum(['none', 'canary'], {
        errorMap: () => ({
          message: 'progressiveDelivery must be none or canary',
        }),
      })
      .optional(),
    prometheusAddress: z
      .string()
      .max(1000)
      .regex(
        /^https?:\/\/[^\s"'\\{}]+$/,
        'prometheusAddress must be an http(s) URL, e.g. http://prometheus.monitoring.svc.cluster.local:9090',
      )
      .optional(),
    repository: name('repository').optional(),
    sourceLocation: z
      .string()
      .url('sourceLocation must be a URL')
      .max(1000)
      .optional(),
    dryRun: z.boolean().optional(),
  })
  .strict();

/**
 * The `Idempotency-Key` header (IETF draft "The Idempotency-Key HTTP Header Field"): printable
 * ASCII, at most 255 characters; absent means the request is not repeatable safely.
 */
export function idempotencyKeyOf(
  header: string | undefined,
): string | undefined {
  if (header === undefined) return undefined;
  const key = header.trim().replace(/^"(.*)"$/, '$1');
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw new InputError(
      'Idempotency-Key must be 1 to 255 printable ASCII characters without spaces (a UUID, say)',
    );
  }
  return key;
}

/** Validates a body or parameters, answering 400 with every problem in one message. */
export function parseBody<T extends z.ZodTypeAny>(
  schema: T,
  value: unknown,
): z.infer<T> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) {
    throw new InputError(
      parsed.error.issues
        .map(issue =>
          issue.path.length > 0 &&
          !issue.message.startsWith(String(issue.path[0]))
            ? `${issue.path.join('.')}: ${issue.message}`
            : issue.message,
        )
        .join('; '),
    );
  }
  return parsed.data;
}

/** Body of `POST …/automation`: pause or resume the portal's automation of an environment. */
export const automationPauseBody = z
  .object({
    environment: name('environment'),
    paused: z.boolean({
      required_error: 'paused is required (true or false)',
      invalid_type_error: 'paused must be true or false',
    }),
    reason: z
      .string()
      .max(500, 'reason must be at most 500 characters')
      .optional(),
  })
  .strict();
