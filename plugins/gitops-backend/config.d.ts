export interface Config {
  /** Configuration of the GitOps plugin set. */
  gitops?: {
    /**
     * GitOps repositories. An entity names one with the `gitops.backstage.io/repo`
     * annotation (by `name` or `url`); without it, the first entry is used.
     */
    repositories?: Array<{
      /** Short name entities may use in `gitops.backstage.io/repo`. Defaults to the URL. */
      name?: string;
      /**
       * Clone URL (`https://…`, `ssh://…`, `git@host:org/repo.git`, `file://…`) or an absolute
       * path of a local repository.
       */
      url: string;
      /** Branch the GitOps engine reconciles. Default `main`. */
      branch?: string;
      /**
       * Which Git provider reads the repository: `git` (the git CLI: any remote it can reach,
       * including local paths) or `github` (GitHub REST API with the credentials of
       * `integrations.github`). Default: `github` when the URL's host has a GitHub
       * integration, otherwise `git`.
       */
      provider?: string;
      /**
       * How this repository is laid out, when not as `gitops.environments` says: these path
       * templates replace the environments' own for the services of this repository (same
       * placeholders). E.g. Flux's reference layout (`apps/base/<app>`, `apps/<env>` overlays
       * patching a HelmRelease): `overlayPath: apps/{env}`.
       */
      layout?: {
        /** Replaces `environments[].overlayPath` for this repository. */
        overlayPath?: string;
        /** Replaces `environments[].valuesFile` for this repository. */
        valuesFile?: string;
        /** Replaces `environments[].definitionPath` for this repository. */
        definitionPath?: string | string[];
        /**
         * What `{env}` stands for in this repository's paths, per environment name, when its
         * folders are named otherwise (e.g. `prod: production`). Default: the name itself.
         */
        environmentFolders?: { [environment: string]: string };
      };
      /**
       * Web addresses of the repository, for links to what the plugin wrote (the new service's
       * `catalog-info.yaml` that the scaffolder registers, a commit). Derived for
       * `https://github.com/…` and `https://gitlab.com/…` URLs; set them for other hosts.
       */
      links?: {
        /** A file at a branch: `{branch}` and `{path}` are filled, e.g. `https://git.example.com/org/repo/raw/{branch}/{path}`. */
        file?: string;
        /** A commit: `{sha}` is filled. */
        commit?: string;
      };
    }>;

    /**
     * The promotion path, in order (e.g. dev, staging, prod). Every service is shown in each
     * environment listed here.
     */
    environments?: Array<{
      /** Environment name, e.g. `staging`. */
      name: string;
      /** Name of the cluster (from `gitops.clusters` or `kubernetes.clusterLocatorMethods`) that runs it. */
      cluster?: string;
      /**
       * Namespace of the service in that cluster. Placeholders: `{service}` (entity name),
       * `{env}`. Default `{service}-{env}`.
       */
      namespace?: string;
      /**
       * Kustomize overlay folder of the environment. Placeholders: `{path}` (the entity's
       * `gitops.backstage.io/path`), `{service}`, `{env}`. Default `{path}/overlays/{env}`.
       */
      overlayPath?: string;
      /**
       * Helm values file of the environment, deep-merged over `{path}/values.yaml`.
       * Same placeholders. Default `{path}/values-{env}.yaml`.
       */
      valuesFile?: string;
      /**
       * The GitOps engine's definition of the environment in the repository — an Argo CD
       * Application file, e.g. `argocd/{service}-{env}.yaml` (same placeholders). When the file
       * exists, the desired state is resolved the way the engine renders it (value files in
       * order, inline values, parameters, image overrides, the image updater's file) and each
       * field says where it is written; promotions edit that place. A Flux `Kustomization`
       * file (e.g. `clusters/{env}/{service}.yaml`) is followed to its path, and a `HelmRelease`
       * rendered there is resolved with its chart. A list is tried in order. Without any of the
       * files, `overlayPath` / `valuesFile` are used.
       */
      definitionPath?: string | string[];
      /**
       * The GitOps engine is expected to sync this environment automatically: an Argo CD
       * Application without an automated sync policy is then reported as `Suspended`.
       * Default false.
       */
      autoSync?: boolean;
      /**
       * How changes reach this environment (used by promotions): `commit` straight to the
       * branch, or `pullRequest`. Default `commit`.
       */
      promotion?: {
        /**
         * `commit` (straight to the branch) or `pull-request` (a branch
         * `gitops/<service>/<env>/<id>` and, on hosts with an API for it, a pull request).
         * Default `commit`.
         */
        mode?: string;
        /** Older name of `mode` (`commit` or `pullRequest`). */
        policy?: string;
        /**
         * Environments a promotion into this one may come from. Default: only the environment
         * before it in `gitops.environments`; the first environment accepts none.
         */
        allowedSources?: string[];
        /**
         * The source environment must run the version being promoted, Synced and Healthy.
         * Default false.
         */
        requireHealthySource?: boolean;
        /**
         * The source environment must have had the version in Git for at least this many
         * minutes (its soak time). Default 0 (no soak gate).
         */
        minSoakMinutes?: number;
      };
      /**
       * The gates of every change into this environment — promotions from the dialog, REST,
       * the scaffolder action `gitops:promote` and automation alike. A rollback or a scale
       * meets only `windows` and freezes. Each gate answers pass, fail or wait (with when).
       */
      policy?: {
        /** Replaces `promotion.allowedSources`. */
        allowedSources?: string[];
        /** Replaces `promotion.requireHealthySource`. */
        requireHealthySource?: boolean;
        /** Replaces `promotion.minSoakMinutes`. */
        minSoakMinutes?: number;
        /**
         * The version must have Passed verification in each of these environments (they need
         * `verification.checks`), e.g. `[staging]` on prod. Default none.
         */
        verifiedIn?: string[];
        /**
         * Approvals of the proposed version needed before it goes in (`POST …/approvals`,
         * permission `gitops.approve`). The requester's own approval never counts; an
         * approval is for one version and does not carry over to the next. Default 0.
         */
        requiredApprovals?: number;
        /**
         * Entity refs whose approvals count: groups (their members) or users, e.g.
         * `group:default/platform`. Default: the entity's owner.
         */
        approvers?: string[];
        /**
         * Allow and deny windows. With allow windows, changes go in only inside one; a deny
         * window always wins. Overridable with `gitops.override` and a reason.
         */
        windows?: Array<{
          /** `allow` or `deny`. */
          kind: string;
          /** A 5-field cron expression of each window's start, e.g. `0 0 * * 6` (Saturday 00:00). */
          schedule: string;
          /** How long each window lasts, e.g. `48h`, `8h`, `90m`. */
          duration: string;
          /** IANA time zone of the schedule, e.g. `Europe/Berlin`. Default `gitops.policy.timeZone`. */
          timeZone?: string;
          /** Said in refusals, e.g. `no prod changes at the weekend`. */
          reason?: string;
        }>;
        /**
         * Evidence gates from providers added by backend modules
         * (`gitopsEvidenceProvidersExtensionPoint`): the provider's name and its options.
         */
        evidence?: Array<{
          /** The provider's name. */
          provider: string;
          /** Any further keys are passed to the provider as its options. */
          [key: string]: unknown;
        }>;
        /**
         * The portal promotes into this environment by itself each version that Passed
         * verification in `from`, when every gate passes (decided as automation: nothing is
         * overridden). A version that failed verification here is not taken again by itself.
         */
        autoPromotion?: {
          /** The environment whose verified versions are taken; it needs `verification.checks`. */
          from: string;
          /** Only these entities, e.g. `component:default/podinfo`. Default: every entity. */
          entities?: string[];
        };
        /**
         * A version that Fails verification here is rolled back by itself to the newest version
         * that Passed here (through the environment's mode: a commit or a pull request).
         * Needs `verification.checks`. Default false.
         */
        rollbackOnFailedVerification?: boolean;
        /**
         * What a version's supply chain must show before a promotion or automation puts it
         * here (rollbacks and scaling are not held to it). Evidence: signatures and
         * attestations in the registry (`gitops.supplyChain`), the source environment's
         * Trivy Operator `VulnerabilityReport`s and Kyverno `PolicyReport`s, and this
         * environment's manifests. None of these gates can be overridden.
         */
        supplyChain?: {
          /** A verified cosign signature over the image digest from one of these signers. */
          requireSignature?: {
            identities: Array<{
              /**
               * A regular expression over the whole certificate identity (SAN) of a keyless
               * signature; `{service}` is the entity's name, e.g.
               * `https://github\.com/acme/{service}/\.github/workflows/release\.yml@refs/heads/main`.
               */
              subject?: string;
              /** The OIDC issuer it must come from, e.g. `https://token.actions.githubusercontent.com`. */
              issuer?: string;
              /** Or: a public key of `gitops.supplyChain.keys` by name. */
              key?: string;
            }>;
          };
          /**
           * At most this many findings per severity (`critical`, `high`, `medium`, `low`) in
           * the version's scan; no scan at all fails the gate.
           */
          maxVulnerabilities?: {
            critical?: number;
            high?: number;
            medium?: number;
            low?: number;
          };
          /**
           * A verified SLSA provenance attestation: `true`, or regular expressions its
           * builder id and source repository must match (`{service}` allowed).
           */
          requireProvenance?:
            | boolean
            | { builders?: string[]; sourceRepositories?: string[] };
          /** `noFailures`: no failed rule in the PolicyReports of the version's workload in the source. */
          policyReports?: 'noFailures';
          /** The Pod Security Standards level this environment's pod template must meet. */
          podSecurity?: 'restricted' | 'baseline';
          /** The image must be pinned by digest here (or the environment already pins digests). */
          requireDigest?: boolean;
        };
      };
      /**
       * Checks run once this environment runs a version Synced and Healthy; the result is
       * recorded per (entity, environment, version) and gates `policy.verifiedIn`.
       */
      verification?: {
        /** Wait this long after Synced and Healthy before the checks run. Default 0. */
        delaySeconds?: number;
        checks?: Array<{
          /** Unique within the environment, e.g. `error-ratio`. */
          name: string;
          /**
           * `http` (GET `url`, `expectStatus` default 200, optional `bodyMatch` regex,
           * `headers`, `timeoutSeconds`), `prometheus` (`query` PromQL with `{window}`,
           * `window` default `10m`, `threshold` like `< 0.01`, optional `url`, `noData`
           * `inconclusive|pass|fail`), `commitStatus` (GitHub check runs and statuses of the
           * version's source commit: `repository` default the entity's
           * `github.com/project-slug`, `ref` default `{sha}` or `{tag}`, `contexts` that
           * must be green, default all), `analysisRun` (the analysis the environment's
           * Argo Rollouts Rollout or Flagger Canary ran for the version must have succeeded;
           * optional `metrics` it must have measured), or a kind added with
           * `gitopsVerificationChecksExtensionPoint`. Templates take `{service}`, `{env}`,
           * `{namespace}`, `{tag}`, `{digest}`, `{version}`, `{sha}`, `{revision}`.
           */
          kind: string;
          /** The kind's own keys (see `kind`). */
          [key: string]: unknown;
        }>;
      };
    }>;

    /** Verification after each deployment (see `environments[].verification`). */
    verification?: {
      /** How often new deployments are looked for and due runs started. Default 15. */
      intervalSeconds?: number;
      /** Runs whose checks could not be evaluated are tried this often, then Inconclusive. Default 5. */
      maxAttempts?: number;
      /** The first retry waits this long; each next one twice as long. Default 30. */
      backoffSeconds?: number;
      /** Each check's time-out. Default 10. */
      checkTimeoutSeconds?: number;
      /** A run claimed by an instance that stopped is taken over after this long. Default 300. */
      claimTimeoutSeconds?: number;
      prometheus?: {
        /**
         * Base URL of the Prometheus HTTP API for `prometheus` checks without their own
         * `url`, e.g. `http://prometheus.monitoring:9090`. Without it such checks report
         * "not configured" and do not count.
         */
        url?: string;
      };
    };

    /** The portal's own automation (`environments[].policy.autoPromotion`, `rollbackOnFailedVerification`). */
    automation?: {
      /** How often finished verifications and due events are looked at. Default 15. */
      intervalSeconds?: number;
      /** Verifications finished this long before a (re)start are still acted on. Default 24. */
      lookbackHours?: number;
      /** A change that errs (Git, the host) is tried this often, then the event ends Error. Default 5. */
      maxAttempts?: number;
      /** The first retry waits this long; each next one twice as long. Default 30. */
      backoffSeconds?: number;
      /** A refusal that names no time to retry (a failing source) is asked again after this long. Default 300. */
      waitRetrySeconds?: number;
      /** An event claimed by an instance that stopped is taken over after this long. Default 300. */
      claimTimeoutSeconds?: number;
      /** The commit author of automated changes. */
      author?: {
        /** Default `Backstage GitOps automation`. */
        name?: string;
        /** Default `gitops-automation@backstage.invalid`. */
        email?: string;
      };
    };

    /** Settings of the policy engine. */
    policy?: {
      /** The time zone refusals and banners write times in. Default `UTC`. */
      timeZone?: string;
    };

    /** Settings of the generic `git` provider. */
    git?: {
      /** Folder of the cached clones. Default: `gitops-git-cache` in the OS temp folder. */
      cacheDir?: string;
      /**
       * Fetch from the remote at most this often; reads in between use the cached clone.
       * A failed fetch (remote moved, refused, timed out) is retried at most this often too,
       * in the background: meanwhile reads answer from the clone's last fetched revision,
       * marked `desired.stale`, and writes answer 503. Each instance also fetches every
       * repository in the background every 0.8 × this, so views do not wait for a fetch.
       * Default 30.
       */
      fetchIntervalSeconds?: number;
    };

    /**
     * Clusters the live state is read from (list+watch caches). Without this key the `config`
     * clusters of `kubernetes.clusterLocatorMethods` are used (same fields). Clusters are never
     * taken from catalog entities.
     */
    clusters?: Array<{
      /** Name environments refer to in `environments[].cluster`. */
      name: string;
      /** API server URL. Not needed with `kubeconfig.path` or `authProvider: inCluster`. */
      url?: string;
      /**
       * `serviceAccount` (token or token file; without either, the pod's own token when the
       * backend runs in a pod), `clientCertificate`, `kubeconfig`, `inCluster` (the backend's
       * own service account), `exec`, or one of the Kubernetes plugin's cloud providers, run
       * through the cloud's exec plugin, which must be installed: `aws` (`aws eks get-token`),
       * `googleServiceAccount` (`gke-gcloud-auth-plugin`), `azure` (`kubelogin`, workload
       * identity or managed identity). `google` and `oidc` pass each user's browser token and
       * are refused here. Default: inferred from the fields set.
       */
      authProvider?: string;
      /**
       * Bearer token of a service account that may list and watch the watched kinds.
       * @visibility secret
       */
      serviceAccountToken?: string;
      /**
       * A file holding the bearer token, e.g. a projected (bound) service-account token. It is
       * read again when it changes (checked before each request, and read at least every
       * minute) and after a 401, so rotated tokens are used without a restart.
       */
      serviceAccountTokenFile?: string;
      /**
       * An exec credential plugin, as in a kubeconfig user: its stdout is an ExecCredential
       * whose `status.token` (or client certificate) is sent. Kept until its
       * `expirationTimestamp`; run again after a 401.
       */
      exec?: {
        /** The program, e.g. `aws`, `gke-gcloud-auth-plugin`, `kubelogin`. */
        command: string;
        /** Its arguments. */
        args?: string[];
        /** More environment variables for it. */
        env?: Array<{
          /** Variable name. */
          name: string;
          /**
           * Its value.
           * @visibility secret
           */
          value: string;
        }>;
        /** ExecCredential version it speaks. Default `client.authentication.k8s.io/v1beta1`. */
        apiVersion?: string;
      };
      /**
       * The Kubernetes plugin's cluster metadata. Used with `authProvider: aws`:
       * `kubernetes.io/x-k8s-aws-id` (EKS cluster name; default `name`),
       * `kubernetes.io/aws-assume-role` (role ARN to assume). `kubernetes.io/aws-external-id`
       * is refused (the AWS CLI cannot pass it).
       */
      authMetadata?: { [key: string]: string };
      /**
       * Client certificate (base64 PEM).
       * @visibility secret
       */
      clientCertData?: string;
      /**
       * Client key (base64 PEM).
       * @visibility secret
       */
      clientKeyData?: string;
      /** A kubeconfig file and, optionally, the context to use. */
      kubeconfig?: { path: string; context?: string };
      /** CA of the API server (base64 PEM). */
      caData?: string;
      /** CA file of the API server. */
      caFile?: string;
      /** Accept any server certificate, and plain `http://` URLs. Only for local clusters. */
      skipTLSVerify?: boolean;
      /**
       * List and watch in these namespaces only, for service accounts bound by Roles (see
       * examples/rbac). A list names service namespaces; the object form can add them from the
       * catalog. Default: every kind cluster-wide (needs a ClusterRole).
       */
      namespaces?:
        | string[]
        | {
            /**
             * Each environment's `namespace` template on this cluster, filled for every catalog
             * entity with `gitops.backstage.io/path`; looked up again every 5 minutes.
             */
            fromEnvironments?: boolean;
            /** More service namespaces. */
            include?: string[];
            /** Where Argo CD Applications live. Default `[argocd]`. */
            argocd?: string[];
            /** Where Flux Kustomizations, HelmReleases and sources live. Default `[flux-system]`. */
            flux?: string[];
          };
    }>;

    /**
     * Container registries to look up newer tags and digests in (OCI distribution API: GHCR,
     * Docker Hub, Harbor, distribution, …). Images on hosts not listed here get no `registry`.
     * Helm chart repositories are asked the same way when their host is listed: an environment
     * whose image is its chart's default gets newer chart versions from the HelmRepository's
     * `index.yaml` (e.g. host `stefanprodan.github.io`) or the OCI repository's tags.
     */
    registries?: Array<{
      /** Host as written in image names: `ghcr.io`, `docker.io`, `registry.example.com:5000`. */
      host: string;
      /** User for basic auth and for the token service. Leave out for anonymous pulls. */
      username?: string;
      /**
       * Password or access token of `username`.
       * @visibility secret
       */
      password?: string;
      /** Plain HTTP (local registries). Default: true for localhost and 127.0.0.1 only. */
      insecure?: boolean;
      /**
       * API base URL when it is not `https://<host>` — a pull-through mirror or proxy, or the
       * demo registry (`http://127.0.0.1:7070`). Images keep their `host` names.
       */
      url?: string;
    }>;

    /** How long tag lists and digests are reused, in seconds. Default 300. */
    registryCacheSeconds?: number;

    /**
     * How many tag lists and digests are kept in memory (each a few hundred bytes). A fleet
     * asks for one tag list per image and one digest per running tag (about 4 per service
     * with three environments); fewer than that and views ask the registry again for what was
     * evicted. Default 50,000 (12,000 services).
     */
    registryCacheEntries?: number;

    /**
     * Supply-chain evidence from the registries of `gitops.registries`: cosign signatures and
     * attestations of each image digest (OCI 1.1 referrers, the referrers tag schema, legacy
     * `sha256-<hex>.sig` / `.att` tags), verified with sigstore-js. Read once per digest and
     * kept (a digest never changes); policies decide which signers they accept.
     */
    supplyChain?: {
      /**
       * Path of a Sigstore TrustedRoot JSON file (`trusted_root.json`: certificate authorities,
       * transparency and CT logs, time-stamp authorities) that keyless signatures must chain
       * to, e.g. a private Fulcio and Rekor, or the demo's local authorities. Read when first
       * needed and again whenever the file changes. Without it, keyless signatures are verified
       * against the Sigstore public-good root, fetched over TUF (they read `unknown` offline).
       */
      trustedRoot?: string;
      /**
       * Public keys keyed signatures (`cosign sign --key`) may be made with. The signer is
       * shown as `key:<name>`; policies name keys in `requireSignature.identities[].key`.
       */
      keys?: Array<{
        /** Unique name of the key, e.g. `release`. */
        name: string;
        /** The public key in PEM (`-----BEGIN PUBLIC KEY-----`, as `cosign.pub`). */
        publicKey?: string;
        /** Or: path of a PEM file, read when first needed and again whenever it changes. */
        path?: string;
      }>;
      /** The longest reading and verifying one digest's evidence may take, in seconds. Default 20. */
      timeoutSeconds?: number;
      /** Digests read from registries at the same time. Default 4. */
      concurrency?: number;
      /**
       * Digests whose evidence is kept in memory (least recently used go first). A fleet runs
       * about one digest per service and environment; fewer than that and views make the
       * evicted digests be read from the registry again. Default 50000.
       */
      maxDigests?: number;
      /**
       * After a registry error or time-out (`unknown`), wait this long before the digest is read
       * again, in seconds. Default 60.
       */
      retrySeconds?: number;
      /**
       * An `unsigned` or `invalid` result is read again after this many seconds in views
       * (CI often signs minutes after it pushes); a dry run or a change always reads it
       * again. Verified results are kept for good. Default 300.
       */
      recheckUnverifiedSeconds?: number;
      /** Signatures and attestations read per digest at most (signatures first, SBOMs last). Default 20. */
      maxArtifacts?: number;
      /** Bytes of signatures and attestations read per digest at most. Default 16777216 (16 MiB). */
      maxBytes?: number;
    };

    /**
     * "What will ship" (`GET …/changes`): commits and pull requests between two versions, found
     * from the images' `org.opencontainers.image.source` and `.revision` annotations.
     */
    changes?: {
      /**
       * Source repositories the git CLI may clone: `host` is a host (`git.example.com`) or a URL
       * prefix (`https://github.com/acme/guestbook`); `url` replaces it (a mirror, a local
       * `file://` bare repository). Sources matching no entry are compared through the GitHub
       * API when their host has a GitHub integration, otherwise not at all.
       */
      repositories?: Array<{
        /** Host or URL prefix of the sources, as the annotations write them. */
        host: string;
        /** Where to clone them from instead; the rest of the source's path is appended. */
        url?: string;
      }>;
      /** Commits listed at most; the answer says when there are more (`truncated`). Default 250. */
      maxCommits?: number;
      /** Folder of the blob-less source mirrors. Default: `gitops-changes-cache` in the OS temp folder. */
      cacheDir?: string;
      /** Comparisons (pairs of revisions) kept in memory. Default 500. */
      cacheSize?: number;
      /** GitHub requests per comparison for commits no message ties to a pull request. Default 20. */
      pullRequestLookups?: number;
    };

    /** Argo CD settings the diagnosis needs. */
    argocd?: {
      /** Argo CD's `timeout.reconciliation` in seconds; an app not reconciled for three of these is `StaleReconcile`. Default 180. */
      reconciliationSeconds?: number;
    };

    /** Time-outs of outside calls. */
    timeouts?: {
      /**
       * Time-out of one cluster call, and the longest a page waits for a cluster whose cache is
       * not warm yet, in seconds. Default 5.
       */
      clusterSeconds?: number;
      /** Time-out of one registry request, in seconds. Default 5. */
      registrySeconds?: number;
      /** Time-out of one Git host call (fetch, API request), in seconds. Default 20. */
      gitSeconds?: number;
      /**
       * `timeoutSeconds` of each cluster watch: the API server ends a quiet watch after it and
       * it is reopened without a list. A watch with no event or bookmark for this long plus
       * `clusterSeconds` is taken for dead and restarted, and a cluster not confirmed within
       * `clusterSeconds` is served as stale. Default 60.
       */
      watchSeconds?: number;
      /**
       * Longest wait, in seconds, before a failed cluster watch is tried again. The wait starts
       * at 1 s and doubles with each failure in a row; half of it is random, so the watches of
       * a cluster and the backend instances do not reconnect together. A cluster that answers
       * again is read at most this long after (`clusterSeconds` plus half of this when its API
       * server hung). Default 5.
       */
      clusterReconnectMaxSeconds?: number;
      /**
       * How often, in seconds, a kind the cluster does not serve (a CRD not installed) or the
       * service account may not list (403) is listed again: a grant or a CRD added is seen
       * at most this long after. Default 300.
       */
      kindRecheckSeconds?: number;
    };

    /** Limits on what one user may ask for. */
    rateLimit?: {
      /**
       * Change requests (promotions, rollbacks, scaling, engine and rollout actions, new
       * services; dry runs excluded) one user may make per minute, with a burst of as many at
       * once; more answer 429 with when to retry. Default 30; 0 turns the limit off.
       */
      changesPerMinute?: number;
    };

    /** The fleet overview (`GET /overview`). */
    overview?: {
      /**
       * A page computed for a caller and filter is answered again for this many seconds, and
       * callers asking for the same page meanwhile share one computation. Default 2; 0
       * computes every request.
       */
      reuseSeconds?: number;
      /**
       * The catalog's list of GitOps entities, and the part of it each caller may see (the
       * catalog's permission rules), is reused for this many seconds and then read again in
       * the background, so a page does not cost a catalog query of the whole fleet. A new
       * or removed entity shows within this long (at most 6 times it when nobody asks).
       * Background passes (deployment ledger, verification, promotion tracking) take the
       * list up to 6 times this old, so an idle backend reads the catalog once a minute.
       * A service's GitOps tab takes its entity from the same list (one permission request
       * says whether the caller may read it in the catalog and its GitOps state), so a
       * changed annotation shows in the tab within this long too; changes (promotions,
       * scaling) always read the entity from the catalog. Default 10; 0 asks the catalog on
       * every page and view.
       */
      catalogSeconds?: number;
      /**
       * How often a background pass recomputes the rows whose time-based state is due (a
       * reconcile becoming overdue, an event ageing out, supply-chain evidence arriving).
       * Rows are otherwise recomputed only when what they were computed from changed.
       * Default 5.
       */
      recheckSeconds?: number;
    };

    /**
     * Live updates with Backstage signals (needs `@backstage/plugin-signals-backend` in the
     * backend and the signals plugin in the app; without them the tab polls). An open GitOps
     * tab is told at once when an action on its entity is recorded or changes status, and
     * within `intervalSeconds` when its environments' answer changes.
     */
    signals?: {
      /**
       * How often the entities someone is looking at are read again (from the watch caches:
       * no Kubernetes API call) and compared with their last answer. Default 5.
       */
      intervalSeconds?: number;
      /** An entity is watched for this long after it was last viewed. Default 10. */
      watchMinutes?: number;
      /** At most this many entities are watched per backend instance. Default 200. */
      maxEntities?: number;
    };

    /**
     * New services (`POST /services`, the scaffolder action `gitops:service:create`): where their
     * files go. The environments, their namespaces and overlay / values paths are those of
     * `gitops.environments` (and the repository's `layout`).
     */
    serviceCreation?: {
      /** The service folder; `{service}` is the name. Default `apps/{service}`. */
      pathTemplate?: string;
      /**
       * `commit` (to the branch) or `pull-request` (one branch and pull request with every
       * file). Default: `pull-request` when any environment's `promotion.mode` is, else `commit`.
       */
      mode?: 'commit' | 'pull-request';
      /** Argo CD Applications of a new service, one per environment. */
      argocd?: {
        /** Where each Application goes; `{service}`, `{env}`. Default `argocd/{service}-{env}.yaml` (list it in `environments[].definitionPath` too). */
        definitionPath?: string;
        /** Namespace of the Applications. Default `argocd`. */
        namespace?: string;
        /** Argo CD project. Default `default`. */
        project?: string;
        /** `spec.source.repoURL` as Argo CD knows the repository. Default: the repository's `url`. */
        repoURL?: string;
      };
      /** Flux Kustomizations (Kustomize) or HelmReleases (Helm) of a new service, one per environment. */
      flux?: {
        /** Where each object goes; `{service}`, `{env}`. Default `clusters/{env}/{service}.yaml` (list it in `environments[].definitionPath` too). */
        definitionPath?: string;
        /** Namespace of the objects. Default `flux-system`. */
        namespace?: string;
        /** The GitRepository Flux reads this repository through. Default `flux-system` in the objects' namespace. */
        sourceRef?: { name?: string; namespace?: string };
      };
    };

    /**
     * Delivery metrics (DORA) and the deployment ledger they are computed from: a row per
     * change an environment ran or failed to run, recorded from the watches and Git.
     */
    metrics?: {
      /** How often every GitOps entity's environments are checked for new changes, in seconds. Default 30. */
      recordIntervalSeconds?: number;
      /** A change followed by a rollback within this many hours counts as a failed change. Default 24. */
      failureWindowHours?: number;
      /** A change whose environment is Degraded (or has an error problem) this long after its commit has failed. Default 10. */
      failAfterMinutes?: number;
      /**
       * An environment seen for the first time whose latest change is older than this was
       * deployed before the ledger knew it: it is recorded at its commit time, as backfilled,
       * not at the time it was first seen. Default 30.
       */
      freshMinutes?: number;
      /**
       * At most this many environments' Git histories are read per pass (a first pass over a
       * large fleet reads one per environment); the next pass goes on from there. Default 100.
       */
      historyReadsPerPass?: number;
    };

    /** History endpoint: how many commits of an environment's paths are examined. Default 100. */
    historyLimit?: number;

    /** Promotions, rollbacks and scaling: how they are written and followed. */
    promotion?: {
      /** How often pending changes are checked against the clusters, in seconds. Default 15. */
      trackIntervalSeconds?: number;
      /**
       * A committed change whose environment does not run it Synced and Healthy within this
       * many minutes is marked Failed. Default 30.
       */
      trackTimeoutMinutes?: number;
      /** How long an open pull request is followed before it is marked Failed, in hours. Default 168. */
      pullRequestTimeoutHours?: number;
      /**
       * Attempts to push a change when the branch moves underneath it; each attempt re-plans on
       * the new head after a random wait of up to 1 s. Every failed attempt means another
       * change landed, and a backend instance working through a queue of its own lands them
       * back to back, so the other instances' changes may need many. Default 30.
       */
      maxAttempts?: number;
      /**
       * A change is recorded as `Writing` before it is pushed. One still `Writing` this many
       * seconds after its last attempt began was cut off (the backend stopped between push and
       * record): a scheduled pass looks for its commit by the `Gitops-Action-Id` trailer and
       * records it `Committed` (tracking resumes), or `Failed` when nothing was pushed. Raised to
       * twice `git.fetchIntervalSeconds` when lower. Default 120.
       */
      unfinishedWriteSeconds?: number;
      /** Commit author e-mail for users whose catalog User has no `spec.profile.email`. Default `backstage@localhost`. */
      fallbackEmail?: string;
    };
  };
}
