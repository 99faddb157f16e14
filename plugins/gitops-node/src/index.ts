/**
 * Provider interfaces and extension points of the GitOps backend plugin.
 *
 * @packageDocumentation
 */
export * from './GitProvider';
export * from './extensions';
export * from './RegistryProvider';
export * from './evidence';
