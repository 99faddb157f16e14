import type { Signature, Signer } from '@sigstore/sign';
import {
  createHash,
  createPublicKey,
  generateKeyPairSync,
  KeyObject,
  sign as signBytes,
  X509Certificate,
} from 'node:crypto';

/** Who a signature says signed it: a keyless (certificate) identity or a named key. */
export type SigningIdentity =
  | { kind: 'keyless'; subject: string; issuer: string }
  | { kind: 'key'; name: string; hint: string };

/**
 * A signer of images, usable as @sigstore/sign's `Signer` (so its bundle builders can drive it).
 * `sign` returns a DER ECDSA P-256 / SHA-256 signature over the bytes it is given.
 */
export interface ImageSigner extends Signer {
  readonly identity: SigningIdentity;
  /** PEM of the leaf certificate (keyless) or of the public key (keyed), as Rekor records it. */
  verifierPem(): Promise<string>;
  /** PEM of the certificate chain above the leaf (keyless: the local CA's root); empty when keyed. */
  readonly chainPem: string;
}

/** Fulcio's issuer extensions: 1.1 is the deprecated raw string, 1.8 its DER UTF8String successor. */
export const OID_FULCIO_ISSUER_V1 = '1.3.6.1.4.1.57264.1.1';
export const OID_FULCIO_ISSUER_V2 = '1.3.6.1.4.1.57264.1.8';

/** Issues a short-lived leaf certificate for a public key (the local CA, in place of Fulcio). */
export type CertificateIssuer = (request: {
  publicKeyDer: Buffer;
  subject: string;
  issuer: string;
  extensions: Record<string, string>;
}) => Promise<Buffer>;

/** Fulcio's certificates live 10 minutes; a new one is asked for well before, as a CI job would. */
const CERTIFICATE_REUSE_MS = 5 * 60 * 1000;

/**
 * Keyless signing as cosign does it in CI: an ephemeral P-256 key, certified by the CA for the
 * OIDC identity (`subject` as SAN, `issuer` in the Fulcio extensions). One certificate is reused
 * for a few minutes so that signing a whole demo registry stays fast.
 */
export class KeylessSigner implements ImageSigner {
  readonly identity: SigningIdentity;
  private readonly keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  private certificate?: { pem: string; issuedAt: number };

  constructor(
    subject: string,
    issuer: string,
    private readonly issue: CertificateIssuer,
    readonly chainPem: string,
    private readonly extensions: Record<string, string> = {},
  ) {
    this.identity = { kind: 'keyless', subject, issuer };
  }

  async verifierPem(): Promise<string> {
    const now = Date.now();
    if (
      !this.certificate ||
      now - this.certificate.issuedAt > CERTIFICATE_REUSE_MS
    ) {
      const { subject, issuer } = this.identity as {
        subject: string;
        issuer: string;
      };
      const der = await this.issue({
        publicKeyDer: this.keys.publicKey.export({
          format: 'der',
          type: 'spki',
        }),
        subject,
        issuer,
        extensions: this.extensions,
      });
      this.certificate = {
        pem: new X509Certificate(der).toString(),
        issuedAt: now,
      };
    }
    return this.certificate.pem;
  }

  async sign(data: Buffer): Promise<Signature> {
    const certificate = await this.verifierPem();
    return {
      signature: signBytes('sha256', data, this.keys.privateKey),
      key: { $case: 'x509Certificate', certificate },
    };
  }
}

/**
 * Keyed signing (`cosign sign --key`): a named ECDSA P-256 key. Its hint is what cosign puts in
 * a bundle's `publicKey.hint`: base64 of the SHA-256 of the DER public key.
 */
export class KeyPairSigner implements ImageSigner {
  readonly identity: SigningIdentity;
  readonly publicKeyPem: string;
  readonly hint: string;
  readonly chainPem = '';

  constructor(readonly name: string, private readonly privateKey: KeyObject) {
    const publicKey = createPublicKey(privateKey);
    this.publicKeyPem = publicKey
      .export({ format: 'pem', type: 'spki' })
      .toString();
    this.hint = keyHint(publicKey);
    this.identity = { kind: 'key', name, hint: this.hint };
  }

  /** A fresh P-256 key under a name. */
  static generate(name: string): KeyPairSigner {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    return new KeyPairSigner(name, privateKey);
  }

  /** The private key as PKCS#8 PEM (to persist it). */
  privateKeyPem(): string {
    return this.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  }

  async verifierPem(): Promise<string> {
    return this.publicKeyPem;
  }

  async sign(data: Buffer): Promise<Signature> {
    return {
      signature: signBytes('sha256', data, this.privateKey),
      key: {
        $case: 'publicKey',
        publicKey: this.publicKeyPem,
        hint: this.hint,
      },
    };
  }
}

/** base64(SHA-256(DER SubjectPublicKeyInfo)): the key hint cosign and sigstore-js use. */
export function keyHint(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ format: 'der', type: 'spki' }))
    .digest('base64');
}
