import { KubeConfig } from '@kubernetes/client-node';
import fetch from 'node-fetch';
import { KindKey, KubeObject, kindPath } from './kinds';

/** Options of {@link listKind}. */
export interface ListKindOptions {
  kubeConfig: KubeConfig;
  kind: KindKey;
  /** One namespace, or cluster-wide. */
  namespace?: string;
  fieldSelector?: string;
  timeoutMs: number;
}

/**
 * One list call with a time-out, on its own fetch so the time-out and TLS settings apply (the
 * informer's list function). Items get the list's apiVersion and kind, which real list items
 * lack and the matching needs.
 */
export async function listKind(options: ListKindOptions) {
  const { kubeConfig, kind, timeoutMs } = options;
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('the cluster config has no server');
  const path = kindPath(kind, options.namespace);
  const url = new URL(cluster.server + path);
  if (options.fieldSelector) {
    url.searchParams.set('fieldSelector', options.fieldSelector);
  }
  const init: any = await kubeConfig.applyToFetchOptions({});
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(url.toString(), {
      ...init,
      method: 'GET',
      signal: controller.signal as any,
    });
    if (!response.ok) {
      const error: any = new Error(
        `${response.status} ${response.statusText} listing ${path}`,
      );
      error.statusCode = response.status;
      throw error;
    }
    const body = (await response.json()) as {
      apiVersion?: string;
      kind?: string;
      items?: KubeObject[];
      metadata?: { resourceVersion?: string };
    };
    const itemKind = String(body.kind ?? '').replace(/List$/, '');
    body.items = (body.items ?? []).map(item => ({
      apiVersion: body.apiVersion,
      kind: itemKind,
      ...item,
    }));
    return body;
  } catch (error: any) {
    if (controller.signal.aborted) {
      throw new Error(`no answer within ${timeoutMs} ms listing ${path}`);
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
