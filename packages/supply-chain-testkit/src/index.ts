/**
 * Signs and attests images as cosign does, for the tests and the offline demo.
 *
 * @packageDocumentation
 */
export {};
