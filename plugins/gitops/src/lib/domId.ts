/**
 * An element id made of a prefix and a text that is unique on its page (a button's label, a
 * chart's title): `gitops-reason-promote-v1-0-5-from-dev-to-staging`.
 */
export function domId(prefix: string, text: string): string {
  return `${prefix}-${text.replace(/[^A-Za-z0-9_-]+/g, '-').toLowerCase()}`;
}
