import { ResponseError } from '@backstage/errors';

/**
 * The error the GitOps client throws for an answer of `status` with a JSON `body`, e.g. the
 * policy's refusal `{ error: { name: 'ConflictError', message }, gates, retryAt }`.
 */
export function responseError(
  status: number,
  body: Record<string, unknown>,
): Promise<ResponseError> {
  const text = JSON.stringify({ response: { statusCode: status }, ...body });
  return ResponseError.fromResponse({
    headers: {
      get: (name: string) =>
        name.toLowerCase() === 'content-type' ? 'application/json' : null,
    } as Headers,
    ok: false,
    redirected: false,
    status,
    statusText: status === 409 ? 'Conflict' : 'Error',
    type: 'basic',
    url: 'http://localhost:7007/api/gitops',
    text: async () => text,
  });
}
