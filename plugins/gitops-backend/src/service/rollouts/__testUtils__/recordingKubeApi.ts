import { ConfigReader } from '@backstage/config';
import { http, HttpResponse } from 'msw';
import { SetupServer } from 'msw/node';
import { readClusters } from '../../live/clusterConfig';
import { KubeObject } from '../../live/kinds';

export const SERVER = 'http://127.0.0.1:8093';
export const TOKEN = 'sa-rollout-token';
export const MERGE_PATCH = 'application/merge-patch+json';
export const NOW = new Date('2026-12-04T08:09:10.123Z');

/** A request the fake API server received, with its body as sent (key order included). */
export interface Recorded {
  method: string;
  path: string;
  contentType: string | null;
  authorization: string | null;
  text: string;
}

export type Responder = (
  recorded: Recorded,
) => Response | undefined | Promise<Response | undefined>;

/** The kube config of a cluster whose API server is {@link SERVER}. */
export function clusterKubeConfig() {
  const [cluster] = readClusters(
    new ConfigReader({
      gitops: {
        clusters: [
          {
            name: 'local',
            url: SERVER,
            serviceAccountToken: TOKEN,
            skipTLSVerify: true,
          },
        ],
      },
    }),
  );
  return cluster.kubeConfig;
}

export function status(code: number, message: string) {
  return HttpResponse.json(
    { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, message },
    { status: code },
  );
}

/**
 * Records every request to {@link SERVER} and answers it: `respond` first, else GET with
 * `objects[path]` (404 without) and any write with `{}`.
 */
export function recordingKubeApi(server: SetupServer) {
  const state = {
    requests: [] as Recorded[],
    objects: {} as Record<string, KubeObject>,
    respond: (() => undefined) as Responder,
  };
  server.use(
    http.all(`${SERVER}/*`, async ({ request }) => {
      const url = new URL(request.url);
      const recorded: Recorded = {
        method: request.method,
        path: url.pathname,
        contentType: request.headers.get('content-type'),
        authorization: request.headers.get('authorization'),
        text: await request.text(),
      };
      state.requests.push(recorded);
      const answer = await state.respond(recorded);
      if (answer) return answer;
      if (recorded.method !== 'GET') return HttpResponse.json({});
      const object = state.objects[recorded.path];
      return object
        ? HttpResponse.json(object)
        : status(404, `${recorded.path} not found`);
    }),
  );
  return state;
}

/** What a test compares: method, path, content type and the body exactly as sent. */
export function sent(requests: Recorded[]) {
  return requests.map(({ method, path, contentType, text }) => ({
    method,
    path,
    contentType,
    body: text,
  }));
}
