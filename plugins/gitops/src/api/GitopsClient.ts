import { CompoundEntityRef } from '@backstage/catalog-model';
import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import {
  AutomationPauseRequest,
  AutomationResponse,
  ApprovalRequest,
  CompareResponse,
  DeliveryMetrics,
  EnvironmentsResponse,
  GitopsAction,
  EngineRequest,
  GitopsApproval,
  GitopsFreeze,
  HistoryResponse,
  OverviewQuery,
  OverviewResponse,
  PromoteRequest,
  RollbackRequest,
  ScaleRequest,
  VerificationRecord,
  VersionChanges,
} from '@gitops-backstage/plugin-gitops-common';
import {
  ApprovalsResponse,
  DeliveryMetricsQuery,
  FreezeRequest,
  FreezesResponse,
  GitopsApi,
  RolloutRequest,
  VerificationRerunRequest,
  VerificationsResponse,
} from './GitopsApi';
import { toResponseError } from './responseError';

/** `?a=1&b=2` of the parameters that have a value, or nothing: empty filters are left out. */
function searchOf(query: object): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') {
      params.set(key, String(value));
    }
  }
  const search = params.toString();
  return search ? `?${search}` : '';
}

/**
 * Options of {@link GitopsClient}.
 *
 * @public
 */
export interface GitopsClientOptions {
  discoveryApi: Pick<DiscoveryApi, 'getBaseUrl'>;
  fetchApi: Pick<FetchApi, 'fetch'>;
}

/**
 * Default {@link GitopsApi}, talking HTTP to the gitops backend plugin.
 *
 * @public
 */
export class GitopsClient implements GitopsApi {
  private readonly discoveryApi: GitopsClientOptions['discoveryApi'];
  private readonly fetchApi: GitopsClientOptions['fetchApi'];

  constructor(options: GitopsClientOptions) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  async getEnvironments(
    entityRef: CompoundEntityRef,
  ): Promise<EnvironmentsResponse> {
    return this.get(`${await this.entityUrl(entityRef)}/environments`);
  }

  async getHistory(
    entityRef: CompoundEntityRef,
    environment: string,
  ): Promise<HistoryResponse> {
    const query = new URLSearchParams({ environment });
    return this.get(`${await this.entityUrl(entityRef)}/history?${query}`);
  }

  async compare(
    entityRef: CompoundEntityRef,
    from: string,
    to: string,
  ): Promise<CompareResponse> {
    const query = new URLSearchParams({ from, to });
    return this.get(`${await this.entityUrl(entityRef)}/compare?${query}`);
  }

  async promote(
    entityRef: CompoundEntityRef,
    request: PromoteRequest,
  ): Promise<GitopsAction> {
    return this.sendChange(
      `${await this.entityUrl(entityRef)}/promotions`,
      request,
    );
  }

  async rollback(
    entityRef: CompoundEntityRef,
    request: RollbackRequest,
  ): Promise<GitopsAction> {
    return this.sendChange(
      `${await this.entityUrl(entityRef)}/rollback`,
      request,
    );
  }

  async scale(
    entityRef: CompoundEntityRef,
    request: ScaleRequest,
  ): Promise<GitopsAction> {
    return this.sendChange(`${await this.entityUrl(entityRef)}/scale`, request);
  }

  async getOverview(query: OverviewQuery = {}): Promise<OverviewResponse> {
    const baseUrl = await this.discoveryApi.getBaseUrl('gitops');
    return this.get(`${baseUrl}/overview${searchOf(query)}`);
  }

  async getDeliveryMetrics(
    query: DeliveryMetricsQuery = {},
  ): Promise<DeliveryMetrics> {
    const baseUrl = await this.discoveryApi.getBaseUrl('gitops');
    return this.get(`${baseUrl}/metrics${searchOf(query)}`);
  }

  async getEntityDeliveryMetrics(
    entityRef: CompoundEntityRef,
    window?: string,
  ): Promise<DeliveryMetrics> {
    return this.get(
      `${await this.entityUrl(entityRef)}/metrics${searchOf({ window })}`,
    );
  }

  async requestEngine(
    entityRef: CompoundEntityRef,
    request: EngineRequest,
  ): Promise<GitopsAction> {
    return this.send(`${await this.entityUrl(entityRef)}/sync`, request);
  }

  async requestRollout(
    entityRef: CompoundEntityRef,
    request: RolloutRequest,
  ): Promise<GitopsAction> {
    return this.send(`${await this.entityUrl(entityRef)}/rollouts`, request);
  }

  async getAction(id: string): Promise<GitopsAction> {
    const baseUrl = await this.discoveryApi.getBaseUrl('gitops');
    return this.get(`${baseUrl}/promotions/${encodeURIComponent(id)}`);
  }

  async getChanges(
    entityRef: CompoundEntityRef,
    environment: string,
    to?: string,
  ): Promise<VersionChanges> {
    return this.get(
      `${await this.entityUrl(entityRef)}/changes${searchOf({
        environment,
        to,
      })}`,
    );
  }

  async getVerifications(
    entityRef: CompoundEntityRef,
    environment: string,
  ): Promise<VerificationsResponse> {
    return this.get(
      `${await this.entityUrl(entityRef)}/verifications${searchOf({
        environment,
      })}`,
    );
  }

  async rerunVerification(
    entityRef: CompoundEntityRef,
    request: VerificationRerunRequest,
  ): Promise<VerificationRecord> {
    return this.send(
      `${await this.entityUrl(entityRef)}/verifications`,
      request,
    );
  }

  async getApprovals(
    entityRef: CompoundEntityRef,
    environment: string,
  ): Promise<ApprovalsResponse> {
    return this.get(
      `${await this.entityUrl(entityRef)}/approvals${searchOf({
        environment,
      })}`,
    );
  }

  async approve(
    entityRef: CompoundEntityRef,
    request: ApprovalRequest,
  ): Promise<GitopsApproval> {
    return this.send(`${await this.entityUrl(entityRef)}/approvals`, request);
  }

  async setAutomationPaused(
    entityRef: CompoundEntityRef,
    request: AutomationPauseRequest,
  ): Promise<AutomationResponse> {
    return this.send(`${await this.entityUrl(entityRef)}/automation`, request);
  }

  async getFreezes(): Promise<FreezesResponse> {
    const baseUrl = await this.discoveryApi.getBaseUrl('gitops');
    return this.get(`${baseUrl}/freezes`);
  }

  async createFreeze(request: FreezeRequest): Promise<GitopsFreeze> {
    const baseUrl = await this.discoveryApi.getBaseUrl('gitops');
    return this.send(`${baseUrl}/freezes`, request);
  }

  async deleteFreeze(id: string): Promise<void> {
    const baseUrl = await this.discoveryApi.getBaseUrl('gitops');
    const response = await this.fetchApi.fetch(
      `${baseUrl}/freezes/${encodeURIComponent(id)}`,
      { method: 'DELETE' },
    );
    if (!response.ok) {
      throw await toResponseError(response);
    }
  }

  private async entityUrl(entityRef: CompoundEntityRef): Promise<string> {
    const baseUrl = await this.discoveryApi.getBaseUrl('gitops');
    // The client is public and may get refs that did not come from the catalog;
    // encoding keeps each part in its own path segment whatever it contains.
    const segments = [entityRef.namespace, entityRef.kind, entityRef.name].map(
      encodeURIComponent,
    );
    return `${baseUrl}/entities/${segments.join('/')}`;
  }

  /**
   * A change that writes Git: with an `Idempotency-Key`, and sent once more with the same key
   * when the first try got no answer (the backend restarted, a proxy dropped the connection):
   * the backend answers the first try's record instead of committing twice.
   */
  private async sendChange<T>(
    url: string,
    body: { dryRun?: boolean },
  ): Promise<T> {
    if (body.dryRun) return this.send(url, body);
    const headers = { 'idempotency-key': idempotencyKey() };
    try {
      return await this.send(url, body, headers);
    } catch (error) {
      if (!isNetworkFailure(error)) throw error;
      return this.send(url, body, headers);
    }
  }

  private async send<T>(
    url: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const response = await this.fetchApi.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      throw await toResponseError(response);
    }
    return (await response.json()) as T;
  }

  private async get<T>(url: string): Promise<T> {
    const response = await this.fetchApi.fetch(url);
    if (!response.ok) {
      throw await toResponseError(response);
    }
    return (await response.json()) as T;
  }
}

/** A random UUID v4; `crypto.randomUUID` exists only in secure contexts (https, localhost). */
function idempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(
    12,
    16,
  )}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** fetch rejects (rather than answering a status) only when no answer came at all. */
function isNetworkFailure(error: unknown): boolean {
  return error instanceof TypeError;
}
