import { KubeConfig } from '@kubernetes/client-node';
import fetch from 'node-fetch';
import {
  sendWithFreshCredentials,
  unauthorizedMessage,
} from './clusterCredentials';
import { KindKey, KubeObject, kindPath } from './kinds';
import { ListItemScanner } from './listItemScanner';

/** Items per list request, as client-go's reflector asks for. */
export const LIST_PAGE_SIZE = 500;

/** Options of {@link listKind}. */
export interface ListKindOptions {
  kubeConfig: KubeConfig;
  kind: KindKey;
  /** One namespace, or cluster-wide. */
  namespace?: string;
  fieldSelector?: string;
  /** Time-out of each request. */
  timeoutMs: number;
  /** Items per request (`limit`); 0 asks for all at once. Default {@link LIST_PAGE_SIZE}. */
  pageSize?: number;
  /** What is kept of each item, applied page by page; null drops it. Default: all of it. */
  keep?(item: KubeObject): KubeObject | null;
}

interface ListBody {
  apiVersion?: string;
  kind?: string;
  items?: KubeObject[];
  metadata?: { resourceVersion?: string; continue?: string };
}

/**
 * Lists a kind with a time-out per request, on its own fetch so the time-out and TLS settings
 * apply (the informer's list function). Large kinds come in pages (`limit` + `continue`), each
 * item slimmed by `keep` as it arrives: a fleet's pods in one response are tens of MiB of
 * JSON, and the process keeps such a peak as resident memory long after. Items get
 * the list's apiVersion and kind, which real list items lack and the matching needs.
 */
export async function listKind(options: ListKindOptions) {
  const pageSize = options.pageSize ?? LIST_PAGE_SIZE;
  try {
    return await listPages(options, pageSize);
  } catch (error: any) {
    // A continue token expires when the API server compacts (410 Gone): list again in one
    // request, as client-go falls back to, rather than fail the kind.
    if (error.statusCode === 410 && error.continued && pageSize > 0) {
      return listPages(options, 0);
    }
    throw error;
  }
}

async function listPages(options: ListKindOptions, pageSize: number) {
  const items: KubeObject[] = [];
  let first: ListBody | undefined;
  let last: ListBody | undefined;
  let token: string | undefined;
  do {
    const pageStart = items.length;
    const body = await listPage(options, pageSize, token, item => {
      const kept = options.keep ? options.keep(item) : item;
      if (kept) items.push(kept);
    });
    first ??= body;
    last = body;
    const itemKind = String(body.kind ?? '').replace(/List$/, '');
    for (let i = pageStart; i < items.length; i++) {
      items[i].apiVersion ??= body.apiVersion;
      items[i].kind ??= itemKind;
    }
    token = pageSize > 0 ? body.metadata?.continue || undefined : undefined;
  } while (token);
  return {
    apiVersion: first!.apiVersion,
    kind: first!.kind,
    // Every page belongs to the first page's snapshot: the watch resumes from it.
    metadata: { resourceVersion: last!.metadata?.resourceVersion },
    items,
  };
}

/** Reads one page, handing each item to `onItem` as it arrives; returns the rest of the list. */
async function listPage(
  options: ListKindOptions,
  pageSize: number,
  continueToken: string | undefined,
  onItem: (item: KubeObject) => void,
): Promise<ListBody> {
  const { kubeConfig, kind, timeoutMs } = options;
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('the cluster config has no server');
  const path = kindPath(kind, options.namespace);
  const url = new URL(cluster.server + path);
  if (options.fieldSelector) {
    url.searchParams.set('fieldSelector', options.fieldSelector);
  }
  if (pageSize > 0) url.searchParams.set('limit', String(pageSize));
  if (continueToken) url.searchParams.set('continue', continueToken);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    // A 401 re-reads the credentials (a rotated token) and lists once more.
    const response = await sendWithFreshCredentials(kubeConfig, init =>
      fetch(url.toString(), {
        ...init,
        method: 'GET',
        signal: controller.signal as any,
      }),
    );
    if (!response.ok) {
      const error: any = new Error(
        response.status === 401
          ? unauthorizedMessage(kubeConfig, `listing ${path}`)
          : `${response.status} ${response.statusText} listing ${path}`,
      );
      error.statusCode = response.status;
      error.continued = Boolean(continueToken);
      throw error;
    }
    // Item by item rather than response.json(): see ListItemScanner for the memory it saves.
    const scanner = new ListItemScanner(item => onItem(item as KubeObject));
    for await (const chunk of response.body) {
      scanner.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    }
    return scanner.end() as ListBody;
  } catch (error: any) {
    if (controller.signal.aborted) {
      throw new Error(`no answer within ${timeoutMs} ms listing ${path}`);
    }
    if (error instanceof SyntaxError) {
      throw new Error(`invalid JSON listing ${path}: ${error.message}`);
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
