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

export const promoteBody = z
  .object({
    from: name('from'),
    to: name('to'),
    dryRun: z.boolean().optional(),
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
