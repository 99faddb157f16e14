import { initializeCA, initializeCTLog, initializeTLog } from '@sigstore/mock';
import {
  HashAlgorithm,
  PublicKey,
  PublicKeyDetails,
  TrustedRoot,
} from '@sigstore/protobuf-specs';
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  KeyObject,
  X509Certificate,
} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { LocalTransparencyLog } from './localRekor';
import {
  KeylessSigner,
  KeyPairSigner,
  OID_FULCIO_ISSUER_V1,
  OID_FULCIO_ISSUER_V2,
} from './signers';

/** The Sigstore TrustedRoot in its protobuf-specs JSON form (what `trusted_root.json` holds). */
export type TrustedRootJson = Record<string, unknown> & { mediaType: string };

export const TRUSTED_ROOT_MEDIA_TYPE =
  'application/vnd.dev.sigstore.trustedroot+json;version=0.1';
/** The checkpoint origin of the local log: a verifier matches it against the log's base URL. */
const TLOG_URL = 'https://rekor.local.test';
const CTLOG_URL = 'https://ctfe.local.test';
const CA_URL = 'https://fulcio.local.test';
/** A root that expires within this renews on load (the mock CA's root lives a year). */
const ROOT_RENEWAL_MS = 30 * 24 * 3600 * 1000;

interface KeyPair {
  publicKey: KeyObject;
  privateKey: KeyObject;
}

interface AuthorityKeys {
  ca: KeyPair;
  ctlog: KeyPair;
  tlog: KeyPair;
}

/**
 * TESTS AND DEMO ONLY. A local Sigstore: a certificate authority in place of Fulcio (with a CT
 * log whose SCTs it embeds), and a transparency log in place of Rekor, all from @sigstore/mock.
 * `trustedRoot()` is the root a verifier is given to trust them, offline.
 *
 * With a `dir`, the authorities' keys (`ca.key`, `ctlog.key`, `tlog.key`), the signing keys
 * (`keys/<name>.key` and `keys/<name>.pub`) and `trusted_root.json` persist there, so a restarted
 * demo keeps the root a running backend already trusts.
 */
export class LocalSigstore {
  private readonly keySigners = new Map<string, KeyPairSigner>();

  private constructor(
    private readonly ca: Awaited<ReturnType<typeof initializeCA>>,
    /** The transparency log, also a @sigstore/sign `Witness`. */
    readonly tlog: LocalTransparencyLog,
    private readonly root: TrustedRootJson,
    private readonly rootCertificatePem: string,
    readonly dir: string | undefined,
  ) {}

  /** New authorities; saved in `dir` when given. */
  static async create(options: { dir?: string } = {}): Promise<LocalSigstore> {
    const keys: AuthorityKeys = {
      ca: generateKeyPairSync('ec', { namedCurve: 'P-384' }),
      ctlog: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
      tlog: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    };
    const sigstore = await LocalSigstore.build(keys, undefined, options.dir);
    if (options.dir) sigstore.save(keys);
    return sigstore;
  }

  /** The authorities saved in `dir` (throws when there are none). */
  static async load(dir: string): Promise<LocalSigstore> {
    const read = (name: string) =>
      pairOf(fs.readFileSync(path.join(dir, `${name}.key`), 'utf8'));
    const keys = { ca: read('ca'), ctlog: read('ctlog'), tlog: read('tlog') };
    const saved = JSON.parse(
      fs.readFileSync(path.join(dir, 'trusted_root.json'), 'utf8'),
    ) as TrustedRootJson;
    const sigstore = await LocalSigstore.build(keys, saved, dir);
    if (sigstore.root !== saved) sigstore.save(keys);
    return sigstore;
  }

  /** The authorities saved in `dir`, created (and saved) the first time. */
  static async open(dir: string): Promise<LocalSigstore> {
    return fs.existsSync(path.join(dir, 'trusted_root.json'))
      ? LocalSigstore.load(dir)
      : LocalSigstore.create({ dir });
  }

  private static async build(
    keys: AuthorityKeys,
    saved: TrustedRootJson | undefined,
    dir: string | undefined,
  ): Promise<LocalSigstore> {
    const ctLog = await initializeCTLog(keys.ctlog);
    const ca = await initializeCA(keys.ca, ctLog);
    const tlog = await initializeTLog(TLOG_URL, keys.tlog);
    // The mock CA makes a new root certificate each start, with the same key and name: leaf
    // certificates it issues chain to the saved one as well, so the saved root is kept while valid.
    const savedRoot = saved && rootCertificateOf(saved);
    if (
      saved &&
      savedRoot &&
      new Date(savedRoot.validTo).getTime() - Date.now() > ROOT_RENEWAL_MS
    ) {
      return new LocalSigstore(
        ca,
        new LocalTransparencyLog(tlog),
        saved,
        savedRoot.toString(),
        dir,
      );
    }
    const der = ca.rootCertificate;
    const rootCertificate = new X509Certificate(
      Buffer.from(der.buffer, der.byteOffset, der.byteLength),
    );
    const root = trustedRootJson(rootCertificate, keys);
    return new LocalSigstore(
      ca,
      new LocalTransparencyLog(tlog),
      root,
      rootCertificate.toString(),
      dir,
    );
  }

  private save(keys: AuthorityKeys) {
    const dir = this.dir!;
    fs.mkdirSync(path.join(dir, 'keys'), { recursive: true });
    for (const [name, pair] of Object.entries(keys)) {
      writePrivate(path.join(dir, `${name}.key`), pemOf(pair.privateKey));
    }
    fs.writeFileSync(
      path.join(dir, 'trusted_root.json'),
      `${JSON.stringify(this.root, null, 2)}\n`,
    );
  }

  /** The TrustedRoot JSON (`TrustedRoot.fromJSON` + `toTrustMaterial` accept it). */
  trustedRoot(): TrustedRootJson {
    return this.root;
  }

  /** Where `trusted_root.json` is, when the authorities persist. */
  get trustedRootPath(): string | undefined {
    return this.dir && path.join(this.dir, 'trusted_root.json');
  }

  /** PEM of the CA's root certificate (what a keyless signature's chain ends at). */
  get caCertificatePem(): string {
    return this.rootCertificatePem;
  }

  /**
   * A keyless signer for an OIDC identity: `subject` becomes the certificate's SAN (a URI,
   * e.g. a GitHub workflow `https://github.com/o/r/.github/workflows/w.yml@refs/heads/main`),
   * `issuer` the Fulcio issuer extensions (1.1 and 1.8). `extensions` adds more Fulcio OIDs
   * (UTF8String values), e.g. `1.3.6.1.4.1.57264.1.12` for the source repository.
   */
  keyless(identity: {
    subject: string;
    issuer: string;
    extensions?: Record<string, string>;
  }): KeylessSigner {
    return new KeylessSigner(
      identity.subject,
      identity.issuer,
      async request => {
        const der = await this.ca.issueCertificate({
          publicKey: request.publicKeyDer,
          subjectAltName: request.subject,
          extensions: [
            { oid: OID_FULCIO_ISSUER_V1, value: request.issuer, legacy: true },
            { oid: OID_FULCIO_ISSUER_V2, value: request.issuer },
            ...Object.entries(request.extensions).map(([oid, value]) => ({
              oid,
              value,
            })),
          ],
        });
        return Buffer.from(der.buffer, der.byteOffset, der.byteLength);
      },
      this.rootCertificatePem,
      identity.extensions,
    );
  }

  /**
   * The signing key of a name (`cosign generate-key-pair`): the same signer for the same name;
   * with a `dir`, read from or written to `keys/<name>.key` and `keys/<name>.pub`.
   */
  keyPairSigner(name: string): KeyPairSigner {
    const known = this.keySigners.get(name);
    if (known) return known;
    const file = this.dir && path.join(this.dir, 'keys', `${name}.key`);
    let signer: KeyPairSigner;
    if (file && fs.existsSync(file)) {
      signer = new KeyPairSigner(
        name,
        createPrivateKey(fs.readFileSync(file, 'utf8')),
      );
    } else {
      signer = KeyPairSigner.generate(name);
      if (file) {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        writePrivate(file, signer.privateKeyPem());
      }
    }
    if (this.dir) {
      fs.writeFileSync(this.publicKeyPath(name)!, signer.publicKeyPem);
    }
    this.keySigners.set(name, signer);
    return signer;
  }

  /** Where the public key of a named signing key is (`keys/<name>.pub`), when persisted. */
  publicKeyPath(name: string): string | undefined {
    return this.dir && path.join(this.dir, 'keys', `${name}.pub`);
  }

  /** The named keys made so far, by hint, as `toTrustMaterial(root, keys)` takes them. */
  trustedKeys(): Record<string, PublicKey> {
    return Object.fromEntries(
      [...this.keySigners.values()].map(s => [
        s.hint,
        publicKeyForTrust(s.publicKeyPem),
      ]),
    );
  }
}

/** A PEM public key as a trusted key of `toTrustMaterial` (ECDSA P-256, valid from 1970). */
export function publicKeyForTrust(pem: string): PublicKey {
  return {
    rawBytes: createPublicKey(pem).export({ format: 'der', type: 'spki' }),
    keyDetails: PublicKeyDetails.PKIX_ECDSA_P256_SHA_256,
    validFor: { start: new Date(0), end: undefined },
  };
}

function trustedRootJson(
  rootCertificate: X509Certificate,
  keys: AuthorityKeys,
): TrustedRootJson {
  // From the root's notBefore (second precision): the first log entries may be stamped the
  // same second, and the trust material filters authorities by their validity at that time.
  const start = new Date(new Date(rootCertificate.validFrom).getTime() - 1000);
  const log = (pair: KeyPair, baseUrl: string) => {
    const der = pair.publicKey.export({ format: 'der', type: 'spki' });
    return {
      baseUrl,
      hashAlgorithm: HashAlgorithm.SHA2_256,
      publicKey: {
        rawBytes: der,
        keyDetails: PublicKeyDetails.PKIX_ECDSA_P256_SHA_256,
        validFor: { start, end: undefined },
      },
      logId: { keyId: createHash('sha256').update(der).digest() },
      checkpointKeyId: undefined,
      operator: 'local.test',
    };
  };
  const json = TrustedRoot.toJSON({
    mediaType: TRUSTED_ROOT_MEDIA_TYPE,
    tlogs: [log(keys.tlog, TLOG_URL)],
    ctlogs: [log(keys.ctlog, CTLOG_URL)],
    certificateAuthorities: [
      {
        subject: { organization: 'sigstore.mock', commonName: 'sigstore' },
        uri: CA_URL,
        certChain: { certificates: [{ rawBytes: rootCertificate.raw }] },
        validFor: { start, end: undefined },
        operator: 'local.test',
      },
    ],
    timestampAuthorities: [],
  });
  return json as TrustedRootJson;
}

function rootCertificateOf(root: TrustedRootJson): X509Certificate | undefined {
  const raw = (root as any).certificateAuthorities?.[0]?.certChain
    ?.certificates?.[0]?.rawBytes;
  return raw ? new X509Certificate(Buffer.from(raw, 'base64')) : undefined;
}

function pairOf(privatePem: string): KeyPair {
  const privateKey = createPrivateKey(privatePem);
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

function pemOf(key: KeyObject): string {
  return key.export({ format: 'pem', type: 'pkcs8' }).toString();
}

function writePrivate(file: string, pem: string) {
  fs.writeFileSync(file, pem, { mode: 0o600 });
}
