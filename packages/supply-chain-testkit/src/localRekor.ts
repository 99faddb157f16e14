import type { TransparencyLogEntry } from '@sigstore/bundle';
import { envelopeToJSON } from '@sigstore/bundle';
import { initializeTLog } from '@sigstore/mock';
import type {
  SignatureBundle,
  VerificationMaterial,
  Witness,
} from '@sigstore/sign';
import { createHash } from 'node:crypto';

type MockTLog = Awaited<ReturnType<typeof initializeTLog>>;

/** An entry as Rekor v1's API returns it (and as cosign's legacy `bundle` annotation embeds it). */
export interface RekorEntry {
  uuid: string;
  /** base64 of the canonicalized entry body. */
  body: string;
  integratedTime: number;
  /** hex SHA-256 of the log's public key. */
  logID: string;
  logIndex: number;
  verification: {
    signedEntryTimestamp: string;
    inclusionProof: {
      logIndex: number;
      treeSize: number;
      rootHash: string;
      hashes: string[];
      checkpoint: string;
    };
  };
}

/**
 * The local transparency log in place of Rekor (v1 API), built on @sigstore/mock's log: it signs
 * an entry timestamp (SET) and a one-leaf inclusion proof with its checkpoint, so bundles verify
 * offline. As a @sigstore/sign `Witness` it records what the bundle builders sign.
 *
 * Entries carry the body Rekor itself stores (not the proposed entry): `dsse` 0.0.1 with
 * envelope and payload hashes, `hashedrekord` 0.0.1 with the artifact hash.
 */
export class LocalTransparencyLog implements Witness {
  constructor(private readonly tlog: MockTLog) {}

  async testify(
    content: SignatureBundle,
    publicKeyPem: string,
  ): Promise<VerificationMaterial> {
    const entry =
      content.$case === 'dsseEnvelope'
        ? await this.logDsse(
            JSON.stringify(envelopeToJSON(content.dsseEnvelope)),
            content.dsseEnvelope.payload,
            content.dsseEnvelope.signatures[0].sig,
            publicKeyPem,
          )
        : await this.logHashedRekord(
            content.messageSignature.messageDigest!.digest.toString('hex'),
            content.messageSignature.signature,
            publicKeyPem,
          );
    return { tlogEntries: [toTransparencyLogEntry(entry)] };
  }

  /** Logs a DSSE envelope (`dsse` 0.0.1). */
  logDsse(
    envelopeJson: string,
    payload: Buffer,
    signature: Buffer,
    verifierPem: string,
  ): Promise<RekorEntry> {
    return this.log({
      apiVersion: '0.0.1',
      kind: 'dsse',
      spec: {
        envelopeHash: { algorithm: 'sha256', value: sha256Hex(envelopeJson) },
        payloadHash: { algorithm: 'sha256', value: sha256Hex(payload) },
        signatures: [
          {
            signature: signature.toString('base64'),
            verifier: Buffer.from(verifierPem).toString('base64'),
          },
        ],
      },
    });
  }

  /** Logs a signature over an artifact's SHA-256 (`hashedrekord` 0.0.1, what `cosign sign` logs). */
  logHashedRekord(
    artifactSha256Hex: string,
    signature: Buffer,
    verifierPem: string,
  ): Promise<RekorEntry> {
    return this.log({
      apiVersion: '0.0.1',
      kind: 'hashedrekord',
      spec: {
        data: { hash: { algorithm: 'sha256', value: artifactSha256Hex } },
        signature: {
          content: signature.toString('base64'),
          publicKey: { content: Buffer.from(verifierPem).toString('base64') },
        },
      },
    });
  }

  private async log(body: object): Promise<RekorEntry> {
    const response = (await this.tlog.log(body)) as Record<
      string,
      Omit<RekorEntry, 'uuid'>
    >;
    const [uuid, entry] = Object.entries(response)[0];
    return { uuid, ...entry };
  }
}

/** A Rekor v1 API entry in a bundle's `tlogEntries[]` form. */
export function toTransparencyLogEntry(
  entry: RekorEntry,
): TransparencyLogEntry {
  const body = JSON.parse(Buffer.from(entry.body, 'base64').toString('utf8'));
  const proof = entry.verification.inclusionProof;
  return {
    logIndex: String(entry.logIndex),
    logId: { keyId: Buffer.from(entry.logID, 'hex') },
    kindVersion: { kind: body.kind, version: body.apiVersion },
    integratedTime: String(entry.integratedTime),
    inclusionPromise: {
      signedEntryTimestamp: Buffer.from(
        entry.verification.signedEntryTimestamp,
        'base64',
      ),
    },
    inclusionProof: {
      logIndex: String(proof.logIndex),
      treeSize: String(proof.treeSize),
      rootHash: Buffer.from(proof.rootHash, 'hex'),
      hashes: proof.hashes.map(h => Buffer.from(h, 'hex')),
      checkpoint: { envelope: proof.checkpoint },
    },
    canonicalizedBody: Buffer.from(entry.body, 'base64'),
  };
}

function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}
