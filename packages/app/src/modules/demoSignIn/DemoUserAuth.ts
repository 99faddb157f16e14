import {
  BackstageIdentityApi,
  BackstageIdentityResponse,
  DiscoveryApi,
  ProfileInfo,
  ProfileInfoApi,
  SessionApi,
  SessionState,
  createApiRef,
} from '@backstage/frontend-plugin-api';

/** DEMO ONLY: the session of a demo user (the backend's `demo-users` auth provider). */
export const demoUserAuthApiRef = createApiRef<
  ProfileInfoApi & BackstageIdentityApi & SessionApi
>({ id: 'app.demo-user-auth' });

type Session = { profile: ProfileInfo; identity: BackstageIdentityResponse };

/** Renew this long before the token expires. */
const MARGIN_MS = 5 * 60_000;

/**
 * DEMO ONLY. Signs in as a fixed demo user through the backend's `demo-users` auth provider
 * (`GET /api/auth/demo-users/refresh?user=<name>`, packages/backend/src/demoUsersAuth.ts) and
 * renews the Backstage token before it expires.
 */
export class DemoUserAuth
  implements ProfileInfoApi, BackstageIdentityApi, SessionApi
{
  private session?: Promise<Session>;
  private renewAt = 0;

  constructor(
    private readonly options: { discoveryApi: DiscoveryApi; user: string },
  ) {}

  async getBackstageIdentity() {
    return (await this.current()).identity;
  }

  async getProfile() {
    return (await this.current()).profile;
  }

  async signIn() {
    await this.current();
  }

  async signOut() {
    this.session = undefined;
  }

  /** Signed in once a session was fetched; not followed further (the sign-in page does not). */
  sessionState$(): ReturnType<SessionApi['sessionState$']> {
    const state = this.session ? SessionState.SignedIn : SessionState.SignedOut;
    const observable = {
      [Symbol.observable]: () => observable,
      subscribe(observer?: any) {
        const next = typeof observer === 'function' ? observer : observer?.next;
        next?.call(observer, state);
        return { closed: true, unsubscribe() {} };
      },
    };
    return observable as unknown as ReturnType<SessionApi['sessionState$']>;
  }

  private current(): Promise<Session> {
    if (!this.session || Date.now() > this.renewAt) {
      const session = this.fetchSession();
      this.session = session;
      session.catch(() => {
        if (this.session === session) this.session = undefined;
      });
    }
    return this.session;
  }

  private async fetchSession(): Promise<Session> {
    const base = await this.options.discoveryApi.getBaseUrl('auth');
    const res = await fetch(
      `${base}/demo-users/refresh?user=${encodeURIComponent(
        this.options.user,
      )}`,
      { headers: { 'X-Requested-With': 'XMLHttpRequest' } },
    );
    if (!res.ok) {
      throw new Error(
        `demo sign-in as ${this.options.user} failed: ${res.status} ${res.statusText}`,
      );
    }
    const body = await res.json();
    const { token, expiresInSeconds, identity } = body.backstageIdentity;
    const expiresAt = new Date(Date.now() + (expiresInSeconds ?? 3600) * 1000);
    this.renewAt = expiresAt.getTime() - MARGIN_MS;
    return {
      profile: body.profile ?? {},
      identity: { token, expiresAt, identity },
    };
  }
}
