import {
  AuthService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { ANNOTATION_GITOPS_PATH } from '@gitops-backstage/plugin-gitops-common';
import { LRUCache } from 'lru-cache';

/**
 * What the views and the background passes read of an entity: locating a service (kind, name,
 * namespace, annotations) and the overview's filters (title, owner, system). The rest of each
 * entity is the catalog's work for nothing.
 */
export const GITOPS_ENTITY_FIELDS = [
  'kind',
  'metadata.name',
  'metadata.namespace',
  'metadata.title',
  'metadata.annotations',
  'spec.owner',
  'spec.system',
];

/** An entity with its ref, computed once per list instead of once per use. */
export interface FleetEntity {
  entity: Entity;
  ref: string;
}

/** Options of {@link FleetEntities}. */
export interface FleetEntitiesOptions {
  catalog: CatalogService;
  /** The backend's own credentials, for `list()`. */
  auth?: AuthService;
  /**
   * A list younger than this is answered as it is; an older one is still answered (up to
   * `maxAgeMs`) while a fresh one is read in the background. 0 reads the catalog every time.
   */
  freshMs: number;
  /** Past this a list is read again before answering. Default `6 × freshMs`. */
  maxAgeMs?: number;
  /** Callers whose visible refs are kept. Default 500. */
  maxCallers?: number;
  /**
   * How soon an answer is read again when it differed from the one before (the first one
   * too): a catalog still being loaded after a start is followed every second, not every
   * `freshMs`. Default 1000.
   */
  changingFreshMs?: number;
}

/**
 * A value read again in the background once it is older than `freshMs` — or than a second
 * while the last read changed it (a catalog still being loaded after a start).
 */
class ReusedValue<T> {
  private value?: { data: T; at: number; changed: boolean };
  private reading?: Promise<T>;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly freshMs: number,
    private readonly maxAgeMs: number,
    private readonly changingFreshMs: number,
    private readonly same: (a: T, b: T) => boolean = (a, b) => a === b,
  ) {}

  /** Whether a value was read (however old). */
  has(): boolean {
    return this.value !== undefined;
  }

  /** With `reuseMs`, a caller that can wait for changes longer than `freshMs`. */
  get(reuseMs = this.freshMs): Promise<T> {
    const age = this.value ? Date.now() - this.value.at : Infinity;
    const freshMs = this.value?.changed
      ? Math.min(reuseMs, this.changingFreshMs)
      : reuseMs;
    if (this.value && age < freshMs) return Promise.resolve(this.value.data);
    const reading = this.refresh();
    // Stale while revalidating: the caller does not wait for the catalog unless the list
    // is older than the longest reuse (or there is none).
    if (this.value && age < this.maxAgeMs) {
      reading.catch(() => {});
      return Promise.resolve(this.value.data);
    }
    return reading;
  }

  private refresh(): Promise<T> {
    this.reading ??= this.read()
      .then(data => {
        const changed = !this.value || !this.same(this.value.data, data);
        this.value = { data, at: Date.now(), changed };
        return data;
      })
      .finally(() => {
        this.reading = undefined;
      });
    return this.reading;
  }
}

/**
 * The GitOps entities of the catalog: the whole list as the backend sees it (for background
 * passes), and the part of it each caller may see (for views). Both are reused for
 * `freshMs` and read again in the background after that, so a page of the fleet view does not
 * cost a catalog query of the whole fleet; a caller's visibility is still the catalog's
 * answer for that caller (its permission rules), read at most `freshMs` before the request
 * that triggers the next read — an entity the caller just lost access to can show on that
 * one more page, and never past `maxAgeMs`.
 */
export class FleetEntities {
  private readonly all: ReusedValue<FleetEntity[]>;
  /** Per caller: their visible refs, read with their latest credentials. */
  private readonly visibleRefs: LRUCache<
    string,
    { refs: ReusedValue<Set<string>>; credentials: BackstageCredentials }
  >;
  /** The last intersection per caller, while neither list moved. */
  private readonly visibleLists = new WeakMap<
    ReusedValue<Set<string>>,
    { refs: Set<string>; all: FleetEntity[]; list: FleetEntity[] }
  >();

  private readonly maxAgeMs: number;

  constructor(private readonly options: FleetEntitiesOptions) {
    const maxAgeMs = options.maxAgeMs ?? options.freshMs * 6;
    this.maxAgeMs = maxAgeMs;
    this.all = new ReusedValue(
      () => this.readAll(),
      options.freshMs,
      maxAgeMs,
      options.changingFreshMs ?? 1000,
    );
    this.visibleRefs = new LRUCache({ max: options.maxCallers ?? 500 });
  }

  /** Every GitOps entity, as the backend itself sees it (read again after `freshMs`). */
  async list(): Promise<FleetEntity[]> {
    return this.all.get();
  }

  /**
   * The same list for background passes, which take it up to `maxAgeMs` old without reading
   * it again: an idle backend reads the whole catalog once per `maxAgeMs`, not once per
   * `freshMs` (views read it again as often as they come, and passes then take theirs).
   */
  async listForPasses(): Promise<FleetEntity[]> {
    return this.all.get(this.maxAgeMs);
  }

  /** {@link listForPasses} as entities alone: the same array while the list is reused. */
  async entities(): Promise<Entity[]> {
    return this.derived(await this.listForPasses()).entities;
  }

  /**
   * One entity as the backend sees it: from the shared list when the list holds it (a
   * background pass following a few services asks the catalog nothing), else from the
   * catalog (an entity registered since the list was read).
   */
  async entity(ref: string): Promise<Entity | undefined> {
    const listed = this.derived(await this.listForPasses()).byRef.get(ref);
    if (listed) return listed;
    if (!this.options.auth) {
      throw new Error('FleetEntities: entity() needs the auth service');
    }
    return (
      (await this.options.catalog.getEntityByRef(ref, {
        credentials: await this.options.auth.getOwnServiceCredentials(),
      })) ?? undefined
    );
  }

  /**
   * An entity of the list as views see it (read again after `freshMs`), for a view of one
   * entity: no catalog request when the list holds it. Undefined before the first list is
   * read (a view does not wait for the whole fleet) or when the list lacks it: the view then
   * asks the catalog. The caller checks the caller's right to read it.
   */
  async listed(ref: string): Promise<Entity | undefined> {
    // Without reuse (`freshMs` 0) a view would list the whole fleet: it asks for its entity.
    if (this.options.freshMs <= 0 || !this.all.has()) return undefined;
    return this.derived(await this.list()).byRef.get(ref);
  }

  /** The list's entities alone and by ref, built once per list. */
  private derived(list: FleetEntity[]) {
    if (this.views?.list !== list) {
      this.views = {
        list,
        entities: list.map(item => item.entity),
        byRef: new Map(list.map(item => [item.ref, item.entity])),
      };
    }
    return this.views;
  }

  private views?: {
    list: FleetEntity[];
    entities: Entity[];
    byRef: Map<string, Entity>;
  };

  /** The GitOps entities `credentials` may see, in the catalog's order. */
  async visible(credentials: BackstageCredentials): Promise<FleetEntity[]> {
    if (this.options.freshMs <= 0) {
      return withRefs(await this.query(credentials));
    }
    const key = callerKey(credentials);
    let caller = this.visibleRefs.get(key);
    if (caller) {
      // A background read uses the newest credentials: the first ones may have expired.
      caller.credentials = credentials;
    } else {
      const created: {
        refs: ReusedValue<Set<string>>;
        credentials: BackstageCredentials;
      } = {
        credentials,
        refs: new ReusedValue(
          () => this.readRefs(created.credentials),
          this.options.freshMs,
          this.options.maxAgeMs ?? this.options.freshMs * 6,
          this.options.changingFreshMs ?? 1000,
          sameRefs,
        ),
      };
      this.visibleRefs.set(key, created);
      caller = created;
    }
    const refs = caller.refs;
    const [all, mine] = await Promise.all([this.all.get(), refs.get()]);
    const last = this.visibleLists.get(refs);
    if (last && last.refs === mine && last.all === all) return last.list;
    const list = all.filter(item => mine.has(item.ref));
    this.visibleLists.set(refs, { refs: mine, all, list });
    return list;
  }

  private async readAll(): Promise<FleetEntity[]> {
    if (!this.options.auth) {
      throw new Error('FleetEntities: list() needs the auth service');
    }
    const read = withRefs(
      await this.query(await this.options.auth.getOwnServiceCredentials()),
    );
    return this.interned(read);
  }

  /** The last list's entries by ref, with the JSON they were read as. */
  private known = new Map<string, { json: string; item: FleetEntity }>();
  private lastList?: FleetEntity[];

  /**
   * The entries of a new read that are the same as before are the objects of before, and an
   * unchanged list is the list of before: rows, located targets and quiet passes are keyed
   * by these objects, so a re-read of an unchanged catalog changes nothing downstream.
   */
  private interned(read: FleetEntity[]): FleetEntity[] {
    const known = new Map<string, { json: string; item: FleetEntity }>();
    let changed = read.length !== this.lastList?.length;
    const list = read.map((item, i) => {
      const json = JSON.stringify(item.entity);
      const before = this.known.get(item.ref);
      const kept = before?.json === json ? before.item : item;
      known.set(item.ref, { json, item: kept });
      if (this.lastList?.[i] !== kept) changed = true;
      return kept;
    });
    this.known = known;
    if (!changed && this.lastList) return this.lastList;
    this.lastList = list;
    return list;
  }

  /** Only the refs: what the catalog lets this caller see. */
  private async readRefs(credentials: BackstageCredentials) {
    const { items } = await this.options.catalog.getEntities(
      {
        filter: {
          [`metadata.annotations.${ANNOTATION_GITOPS_PATH}`]:
            CATALOG_FILTER_EXISTS,
        },
        fields: ['kind', 'metadata.name', 'metadata.namespace'],
      },
      { credentials },
    );
    return new Set(items.map(entity => stringifyEntityRef(entity)));
  }

  private async query(credentials: BackstageCredentials): Promise<Entity[]> {
    const { items } = await this.options.catalog.getEntities(
      {
        filter: {
          [`metadata.annotations.${ANNOTATION_GITOPS_PATH}`]:
            CATALOG_FILTER_EXISTS,
        },
        fields: GITOPS_ENTITY_FIELDS,
      },
      { credentials },
    );
    return items;
  }
}

function sameRefs(a: Set<string>, b: Set<string>): boolean {
  if (a.size !== b.size) return false;
  for (const ref of a) if (!b.has(ref)) return false;
  return true;
}

function withRefs(entities: Entity[]): FleetEntity[] {
  return entities.map(entity => ({ entity, ref: stringifyEntityRef(entity) }));
}

/** Who is asking: callers see the entities the catalog lets them see. */
export function callerKey(credentials: BackstageCredentials): string {
  const principal = credentials.principal as {
    type?: string;
    userEntityRef?: string;
    subject?: string;
  };
  return `${principal.type}:${
    principal.userEntityRef ?? principal.subject ?? ''
  }`;
}
