/**
 * The Backstage signals channel on which the backend says that an entity's GitOps state
 * changed, e.g. `gitops:component:default/guestbook`. A signal only says that the answer of
 * `/environments` (or of an action) would now be different: clients read it again, through
 * the permission checks of the REST API.
 *
 * @public
 */
export function gitopsEntityChannel(entityRef: string): string {
  return `gitops:${entityRef}`;
}

/**
 * A message on {@link gitopsEntityChannel}: `state` when the environments' answer changed
 * (Git, cluster or registry), `action` when a promotion, rollback, scale or engine request
 * was recorded or changed status. It names only the entity, which the channel already names:
 * signals are broadcast to every signed-in user, so one who may not read the entity learns
 * only that something about it changed, and what changed is read through the REST API and its
 * permission checks.
 *
 * @public
 */
export type GitopsEntitySignal =
  | { kind: 'state'; entityRef: string }
  | { kind: 'action'; entityRef: string };
