import { KubeObject } from './kinds';
import { ObjectIndex } from './objectIndex';

/** What {@link KindInformer} lists with: one page after another, items already slimmed. */
export type ListFunction = () => Promise<{
  metadata?: { resourceVersion?: string };
  items: KubeObject[];
}>;

/** What {@link KindInformer} watches with ({@link LivenessWatch}'s contract). */
export interface WatchFunction {
  watch(
    path: string,
    queryParams: Record<string, unknown>,
    callback: (phase: string, object: any) => void,
    done: (error: any) => void,
  ): Promise<AbortController>;
}

/** Options of {@link KindInformer}. */
export interface KindInformerOptions {
  /** The kind's API path, in one namespace or cluster-wide. */
  path: string;
  /** The namespace listed, or null for every namespace: what a relist replaces. */
  namespace: string | null;
  fieldSelector?: string;
  list: ListFunction;
  watcher: WatchFunction;
  /** Where the objects live: the informer keeps no copy of its own. */
  index: ObjectIndex;
  /** A failure other than 410 Gone: the informer stops until started again. */
  onError(error: unknown): void;
}

/**
 * List, then watch from the list's resourceVersion; list again after 410 Gone. The contract
 * of @kubernetes/client-node's `ListWatch` (which ClusterWatch restarts with backoff after any
 * other error), but the objects go straight into the kind's {@link ObjectIndex}: `ListWatch`
 * keeps its own map of every object, only to find after a relist which ones went, and that
 * second copy cost 18 MiB at 10,000 services.
 */
export class KindInformer {
  private resourceVersion = '';
  private stopped = false;
  private request: AbortController | undefined;

  constructor(private readonly options: KindInformerOptions) {}

  /** Lists when it has no resourceVersion yet (or lost it to 410), then watches. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.next(null);
  }

  /** Ends the watch; events still on their way are dropped. The index keeps the objects. */
  stop() {
    this.stopped = true;
    this.abort();
  }

  private abort() {
    this.request?.abort();
    this.request = undefined;
  }

  /** Called at the start and whenever a watch ends, with its error or null. */
  private async next(error: any): Promise<void> {
    this.abort();
    if (error && (error.statusCode === 410 || error.code === 410)) {
      this.resourceVersion = '';
    } else if (error) {
      this.options.onError(error);
      return;
    }
    if (this.stopped) return;
    const { index, namespace, fieldSelector } = this.options;
    if (!this.resourceVersion) {
      let list;
      try {
        list = await this.options.list();
      } catch (listError) {
        this.options.onError(listError);
        return;
      }
      // Stopped while listing (its slot was dropped): the list must not refill the index.
      if (this.stopped) return;
      index.relisted(namespace, list.items);
      this.resourceVersion = list.metadata?.resourceVersion ?? '';
    }
    const query: Record<string, unknown> = {
      resourceVersion: this.resourceVersion,
    };
    if (fieldSelector !== undefined) query.fieldSelector = fieldSelector;
    this.request = await this.options.watcher.watch(
      this.options.path,
      query,
      (phase, object) => this.apply(phase, object),
      // A failure to open the next watch (no server in the config) stops the informer too.
      done => void this.next(done).catch(this.options.onError),
    );
  }

  private apply(phase: string, object: any) {
    if (this.stopped) return;
    if (phase === 'ERROR') {
      // The watch ends after it; the next round lists again.
      if (object?.code === 410) this.resourceVersion = '';
      return;
    }
    if (phase === 'ADDED' || phase === 'MODIFIED')
      this.options.index.put(object);
    else if (phase === 'DELETED') this.options.index.remove(object);
    this.resourceVersion = object?.metadata?.resourceVersion ?? '';
  }
}
