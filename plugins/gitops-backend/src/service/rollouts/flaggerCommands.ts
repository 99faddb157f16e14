import { ConflictError, InputError } from '@backstage/errors';
import { RolloutAction } from '@gitops-backstage/plugin-gitops-common';
import { KubeObject } from '../live/kinds';
import {
  ClusterRequest,
  JSON_BODY,
  STRATEGIC_MERGE_PATCH,
  objectLabel,
  objectPath,
  rfc3339,
} from './clusterRequests';

/*
 * Flagger has no promote or abort API: its docs ("Manual Gating", "Manual rollback") gate a
 * canary through webhooks to its load tester, whose `/gate/check` and `/rollback/check` answer
 * 200 once `/gate/open` or `/rollback/open` were called with the canary's name and namespace
 * (pkg/loadtester/server.go). The backend reaches the in-cluster load tester through the API
 * server's service proxy, with the cluster credentials it already has.
 *
 * The load tester keeps a gate open until `/gate/close` (and a rollback until
 * `/rollback/close`): opened once, later gates of the same canary pass too.
 */

/**
 * Actions Flagger has no equivalent of: answered 400 before anything is sent, with the reason
 * the lane shows (rolloutActionStates).
 */
export const FLAGGER_UNSUPPORTED: readonly RolloutAction[] = [
  'promoteFull',
  'retry',
];

/** Which webhook gates each phase a promote moves on. */
const PROMOTE_GATES: Record<string, string> = {
  Waiting: 'confirm-rollout',
  Progressing: 'confirm-traffic-increase',
  WaitingPromotion: 'confirm-promotion',
};

const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';
const TARGET_PLURALS: Record<string, string> = {
  Deployment: 'deployments',
  DaemonSet: 'daemonsets',
};

interface Webhook {
  name?: string;
  type?: string;
  url?: string;
}

/** The read of the Canary the action is decided on. */
export function readFlaggerCanary(canary: KubeObject): ClusterRequest {
  return {
    method: 'GET',
    path: objectPath(canary, 'canaries'),
    object: objectLabel(canary),
    grant: {
      verb: 'get',
      resource: 'canaries',
      group: 'flagger.app',
      namespace: String(canary.metadata?.namespace),
    },
  };
}

/**
 * The requests that ask Flagger to act on `canary` (as just read): promote opens the gate of
 * the webhook its phase waits at, abort opens its rollback gate, restart changes the target's
 * pod template the way `kubectl rollout restart` does (Flagger sees a new revision).
 */
export function flaggerRequests(
  canary: KubeObject,
  action: RolloutAction,
  now: Date,
): ClusterRequest[] {
  const label = objectLabel(canary);
  if (FLAGGER_UNSUPPORTED.includes(action)) {
    throw new InputError(`Flagger has no ${action}`);
  }
  const webhooks: Webhook[] =
    (canary.spec?.analysis ?? canary.spec?.canaryAnalysis)?.webhooks ?? [];
  if (action === 'promote') {
    const phase = String(canary.status?.phase ?? 'Unknown');
    const type = PROMOTE_GATES[phase];
    if (!type) {
      throw new ConflictError(
        `${label} is ${phase}: no gate waits for a promotion`,
      );
    }
    const gates = webhooks.filter(w => w.type === type);
    if (gates.length === 0) {
      throw new ConflictError(
        phase === 'Progressing'
          ? `${label} advances on its own: it has no confirm-traffic-increase webhook to open`
          : `${label} has no ${type} webhook: add one calling the load tester's /gate/check (http://flagger-loadtester.<namespace>/gate/check) to promote from the portal`,
      );
    }
    return gates.map(w => openGate(canary, w, '/gate/check', '/gate/open'));
  }
  if (action === 'abort') {
    const rollbacks = webhooks.filter(w => w.type === 'rollback');
    if (rollbacks.length === 0) {
      throw new ConflictError(
        `${label} has no rollback webhook: add one calling the load tester's /rollback/check (http://flagger-loadtester.<namespace>/rollback/check) to abort from the portal, or roll back in Git`,
      );
    }
    return rollbacks.map(w =>
      openGate(canary, w, '/rollback/check', '/rollback/open'),
    );
  }
  if (action === 'restart') return [restartTarget(canary, now)];
  throw new InputError(`Flagger has no action ${action}`);
}

/** POST `<open>` to the load tester the webhook calls, through the API server's service proxy. */
function openGate(
  canary: KubeObject,
  webhook: Webhook,
  check: string,
  open: string,
): ClusterRequest {
  const label = objectLabel(canary);
  const named = `webhook "${webhook.name ?? webhook.type}" of ${label}`;
  const service = loadTesterService(
    webhook.url,
    String(canary.metadata?.namespace),
  );
  if (!service) {
    throw new ConflictError(
      `the ${named} calls ${webhook.url}, which is not a Service in the cluster: the backend reaches load testers only through the API server's service proxy`,
    );
  }
  if (!service.path.endsWith(check)) {
    throw new ConflictError(
      `the ${named} calls ${service.path}, which no request opens: point it at the load tester's ${check}`,
    );
  }
  const proxyName = `${service.scheme === 'https' ? 'https:' : ''}${
    service.name
  }:${service.port}`;
  return {
    method: 'POST',
    path: `/api/v1/namespaces/${
      service.namespace
    }/services/${proxyName}/proxy${service.path.slice(
      0,
      -check.length,
    )}${open}`,
    contentType: JSON_BODY,
    // The load tester keys its gates by the canary's name and namespace.
    body: {
      name: canary.metadata?.name,
      namespace: canary.metadata?.namespace,
    },
    object: `Service ${service.namespace}/${service.name} (the load tester the ${named} calls)`,
    grant: {
      verb: 'create',
      resource: 'services/proxy',
      group: '',
      namespace: service.namespace,
    },
  };
}

/**
 * The Service a webhook URL names: `http://svc[.ns[.svc[.<cluster domain>]]][:port]/path`, the
 * namespace defaulting to the Canary's and the port to the scheme's. `null` for other hosts.
 */
export function loadTesterService(
  url: string | undefined,
  canaryNamespace: string,
): {
  scheme: 'http' | 'https';
  name: string;
  namespace: string;
  port: number;
  path: string;
} | null {
  let parsed: URL;
  try {
    parsed = new URL(url ?? '');
  } catch {
    return null;
  }
  const scheme = parsed.protocol.slice(0, -1);
  if (scheme !== 'http' && scheme !== 'https') return null;
  const labels = parsed.hostname.split('.');
  const dns = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
  if (!labels.slice(0, 2).every(l => dns.test(l))) return null;
  if (labels.length > 2 && labels[2] !== 'svc') return null;
  if (labels.length === 4) return null;
  const port = parsed.port ? Number(parsed.port) : undefined;
  return {
    scheme,
    name: labels[0],
    namespace: labels[1] ?? canaryNamespace,
    port: port ?? (scheme === 'https' ? 443 : 80),
    path: parsed.pathname,
  };
}

/** `kubectl rollout restart` of the Canary's target: a strategic merge patch of its template. */
function restartTarget(canary: KubeObject, now: Date): ClusterRequest {
  const target = canary.spec?.targetRef ?? {};
  const plural = TARGET_PLURALS[target.kind];
  if (!plural || !target.name) {
    const what = `${target.kind ?? 'no workload'} ${target.name ?? ''}`.trim();
    throw new ConflictError(
      `${objectLabel(
        canary,
      )} targets ${what}: restart works on a Deployment or DaemonSet`,
    );
  }
  const namespace = String(canary.metadata?.namespace);
  return {
    method: 'PATCH',
    path: objectPath(
      {
        apiVersion: 'apps/v1',
        metadata: { namespace, name: target.name },
      },
      plural,
    ),
    contentType: STRATEGIC_MERGE_PATCH,
    body: {
      spec: {
        template: {
          metadata: { annotations: { [RESTARTED_AT]: rfc3339(now) } },
        },
      },
    },
    object: `${target.kind} ${namespace}/${target.name}`,
    grant: { verb: 'patch', resource: plural, group: 'apps', namespace },
  };
}
