import http from 'node:http';
import { KindInfo } from './ObjectStore';

/** What the demo's Kubernetes API gets wrong on purpose, set through `PUT /demo/faults`. */
export interface ApiFaultState {
  /**
   * The API server stops answering, as a hung or partitioned one does: open watches go silent
   * (no events, no bookmarks) and new requests get no answer. Registry, Git files and traffic
   * are other hosts and keep answering.
   */
  hang: boolean;
  /** Plurals (`horizontalpodautoscalers`) the demo's service account may no longer list. */
  forbid: string[];
}

/** The service account the demo's 403s name, as a real API server's would. */
const SERVICE_ACCOUNT = 'system:serviceaccount:backstage:backstage-gitops';

/**
 * DEMO ONLY. Faults of the demo's Kubernetes API for trying (and testing) what the portal shows
 * when a cluster stops answering after it was warm or the account loses a grant. A change ends
 * the open watches it concerns (a hang ending ends them all, as an API server coming back does)
 * so that clients list again and meet the new state.
 */
export class ApiFaults {
  private state: ApiFaultState = { hang: false, forbid: [] };
  /** Requests that arrived during a hang: never answered, closed when it ends. */
  private readonly held = new Set<http.ServerResponse>();
  private readonly watches = new Map<http.ServerResponse, string>();

  get hung(): boolean {
    return this.state.hang;
  }

  /** `GET /demo/faults` (the state) and `PUT /demo/faults` (a new state, JSON). */
  control(
    method: string,
    body: string | undefined,
  ): { status: number; body: unknown } {
    if (method === 'PUT') {
      try {
        this.set(parseState(JSON.parse(body ?? '')));
      } catch (error) {
        return { status: 400, body: { error: `${error}` } };
      }
    } else if (method !== 'GET') {
      return { status: 405, body: { error: 'GET or PUT /demo/faults' } };
    }
    return { status: 200, body: this.state };
  }

  /** Keeps a request unanswered while the API hangs. */
  hold(res: http.ServerResponse) {
    this.held.add(res);
    res.on('close', () => this.held.delete(res));
  }

  /** The 403 an API server answers for a kind the account may not read, or undefined. */
  forbidden(kind: KindInfo, namespace: string | undefined, verb: string) {
    if (!this.state.forbid.includes(kind.plural)) return undefined;
    const resource = kind.group ? `${kind.plural}.${kind.group}` : kind.plural;
    return {
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      message: `${resource} is forbidden: User "${SERVICE_ACCOUNT}" cannot ${verb} resource "${
        kind.plural
      }" in API group "${kind.group}" ${
        namespace ? `in the namespace "${namespace}"` : 'at the cluster scope'
      }`,
      reason: 'Forbidden',
      details: { group: kind.group, kind: kind.plural },
      code: 403,
    };
  }

  /** Notes an open watch, so a fault that concerns its kind can end it. */
  watching(res: http.ServerResponse, plural: string) {
    this.watches.set(res, plural);
    res.on('close', () => this.watches.delete(res));
  }

  private set(next: ApiFaultState) {
    const before = this.state;
    this.state = next;
    const recovered = before.hang && !next.hang;
    for (const [res, plural] of this.watches) {
      const denied =
        next.forbid.includes(plural) !== before.forbid.includes(plural);
      if (recovered || denied) res.destroy();
    }
    if (recovered) {
      // The connections of the hang were never answered: as after a partition, they break.
      this.held.forEach(res => res.destroy());
      this.held.clear();
    }
  }
}

function parseState(body: unknown): ApiFaultState {
  const value = (body ?? {}) as Record<string, unknown>;
  const hang = value.hang ?? false;
  const forbid = value.forbid ?? [];
  if (typeof hang !== 'boolean') throw new Error('hang must be true or false');
  if (!Array.isArray(forbid) || forbid.some(p => typeof p !== 'string')) {
    throw new Error(
      'forbid must be a list of plurals, e.g. ["horizontalpodautoscalers"]',
    );
  }
  return { hang, forbid: forbid as string[] };
}
