import { ErrorResponseBody, ResponseError } from '@backstage/errors';
import {
  PromotionGate,
  VersionEvidence,
} from '@gitops-backstage/plugin-gitops-common';

/**
 * A failed answer as a {@link @backstage/errors#ResponseError} whose `body` keeps every field
 * the backend sent. A body with an `error` but without Backstage's `response` part (the
 * policy's 409 refusal: `{"error":{…},"gates":[…],"retryAt":…}`) is completed with the status,
 * so its message and fields are not flattened into one string.
 */
export async function toResponseError(
  response: Response,
): Promise<ResponseError> {
  let text = await response.text();
  try {
    const parsed = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && parsed.error) {
      if (!parsed.response) {
        text = JSON.stringify({
          ...parsed,
          response: { statusCode: response.status },
        });
      }
    }
  } catch {
    // Not JSON: ResponseError makes a message of the text.
  }
  return ResponseError.fromResponse({
    headers: response.headers,
    ok: response.ok,
    redirected: response.redirected,
    status: response.status,
    statusText: response.statusText,
    type: response.type,
    url: response.url,
    text: async () => text,
  });
}

/**
 * A change the policy refused (409): why, every gate with its state, and when it may pass.
 *
 * @public
 */
export interface PolicyRefusal {
  /** The refusal's reason, e.g. `Promotion staging → prod refused: prod is frozen until …`. */
  message: string;
  gates: PromotionGate[];
  /** When the gates that wait may pass; `null` when the policy cannot tell. */
  retryAt: string | null;
  /**
   * The supply-chain evidence of the version refused, when the answer carries it; `undefined`
   * when it does not.
   */
  evidence?: VersionEvidence | null;
}

/**
 * The policy's refusal carried by an error of {@link GitopsApi} calls (a 409 whose body has
 * `gates`), or `undefined` for any other error.
 *
 * @public
 */
export function policyRefusalOf(error: unknown): PolicyRefusal | undefined {
  if (!(error instanceof ResponseError) || error.statusCode !== 409) {
    return undefined;
  }
  const body = error.body as ErrorResponseBody & {
    gates?: unknown;
    retryAt?: unknown;
    evidence?: unknown;
  };
  if (!Array.isArray(body.gates)) return undefined;
  return {
    message: error.cause.message,
    gates: body.gates as PromotionGate[],
    retryAt: typeof body.retryAt === 'string' ? body.retryAt : null,
    ...(body.evidence && typeof body.evidence === 'object'
      ? { evidence: body.evidence as VersionEvidence }
      : {}),
  };
}
