/**
 * An image repository in a registry, e.g. `ghcr.io/acme/guestbook`.
 *
 * @public
 */
export interface ImageRepositoryRef {
  /** Registry host as written in image references (`ghcr.io`, `docker.io`, `localhost:5000`). */
  host: string;
  /** Repository path inside the registry (`acme/guestbook`, `library/redis`). */
  repository: string;
}

/**
 * Read access to container registries.
 *
 * @public
 */
export interface RegistryProvider {
  /** Every tag of a repository, in the registry's order. */
  listTags(
    image: ImageRepositoryRef,
    options?: { signal?: AbortSignal },
  ): Promise<string[]>;

  /**
   * The digest (`sha256:…`) a tag points to, or `null` when the registry does not have the tag.
   */
  getDigest(
    image: ImageRepositoryRef,
    tag: string,
    options?: { signal?: AbortSignal },
  ): Promise<string | null>;
}
