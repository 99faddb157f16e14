import { CustomErrorBase } from '@backstage/errors';

/**
 * A Git host, cluster or registry failed (502) or did not answer in time (504); the error
 * handler answers with `statusCode`.
 */
export class UpstreamError extends CustomErrorBase {
  name = 'UpstreamError' as const;
  readonly statusCode: number;

  constructor(message: string, cause?: unknown, statusCode = 502) {
    super(message, cause);
    this.statusCode = statusCode;
  }
}
