/** A full Git object id: 40 hex digits (SHA-1) or 64 (SHA-256 repositories). */
export const FULL_OBJECT_ID = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
