import type { SerializedBundle } from '@sigstore/bundle';
import { ImageBundle, imageBundle, InTotoStatement } from './bundles';
import type { LegacyLayer } from './legacy';

/**
 * A bundle whose signed statement was changed after signing (by default its predicate gains
 * `tampered: true`): the envelope's signature, and the log entry's payload hash, no longer match.
 */
export function tamperedBundle(
  original: ImageBundle,
  change: (statement: InTotoStatement) => InTotoStatement = s => ({
    ...s,
    predicate: { ...(s.predicate as object), tampered: true },
  }),
): ImageBundle {
  const statement = change(structuredClone(original.statement));
  const bundle = structuredClone(original.bundle) as SerializedBundle;
  if (!bundle.dsseEnvelope) throw new Error('not a DSSE bundle');
  bundle.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString(
    'base64',
  );
  return imageBundle(bundle, statement, original.signer);
}

/**
 * A legacy signature layer whose simple-signing payload names another digest than the one
 * signed (the signature annotation is kept, so it no longer verifies).
 */
export function tamperedLegacyLayer(
  layer: LegacyLayer,
  digest = `sha256:${'0'.repeat(64)}`,
): LegacyLayer {
  const payload = JSON.parse(layer.content.toString('utf8'));
  payload.critical.image['docker-manifest-digest'] = digest;
  return { ...layer, content: Buffer.from(JSON.stringify(payload)) };
}
