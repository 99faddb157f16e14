import { AuditorServiceCreateEventOptions } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';

/** One audit event as the plugin sent it, and how it ended. */
export interface RecordedAuditEvent {
  eventId: string;
  severityLevel: AuditorServiceCreateEventOptions['severityLevel'];
  /** Whether the HTTP request that asked came with it (the automation has none). */
  hasRequest: boolean;
  /** The event's meta merged with its outcome's, as Backstage's auditor logs the end. */
  meta: Record<string, any>;
  /** `success` or `fail` calls, in order: exactly one is expected. */
  outcomes: Array<'success' | 'fail'>;
  error?: Error;
}

/**
 * Backstage's auditor service replaced by one that records: add `factory` to the test
 * backend's features and read `events`.
 */
export function recordingAuditor() {
  const events: RecordedAuditEvent[] = [];
  const auditor = mockServices.auditor.mock({
    createEvent: async options => {
      const event: RecordedAuditEvent = {
        eventId: options.eventId,
        severityLevel: options.severityLevel,
        hasRequest: Boolean(options.request),
        meta: { ...options.meta },
        outcomes: [],
      };
      events.push(event);
      return {
        success: async params => {
          event.outcomes.push('success');
          event.meta = { ...event.meta, ...params?.meta };
        },
        fail: async params => {
          event.outcomes.push('fail');
          event.error = params.error;
          event.meta = { ...event.meta, ...params.meta };
        },
      };
    },
  });
  return {
    factory: auditor.factory,
    events,
    /** The events of one id. */
    of: (eventId: string) => events.filter(e => e.eventId === eventId),
  };
}
