/**
 * An image reference split into its parts.
 *
 * @public
 */
export interface ImageRef {
  /** Repository, registry included, without tag or digest: `ghcr.io/acme/guestbook`. */
  name: string;
  tag: string | null;
  digest: string | null;
}

/**
 * Splits `registry:port/repo:tag@sha256:…` into name, tag and digest.
 *
 * A colon before the last slash belongs to the registry's port, not to a tag.
 *
 * @public
 */
export function parseImageRef(image: string): ImageRef {
  let rest = image.trim();
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1) || null;
    rest = rest.slice(0, at);
  }
  let tag: string | null = null;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1) || null;
    rest = rest.slice(0, colon);
  }
  return { name: rest, tag, digest };
}

/**
 * Joins the parts back into a reference.
 *
 * @public
 */
export function formatImageRef(ref: ImageRef): string {
  return `${ref.name}${ref.tag ? `:${ref.tag}` : ''}${
    ref.digest ? `@${ref.digest}` : ''
  }`;
}
