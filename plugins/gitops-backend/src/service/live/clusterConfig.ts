import { Config } from '@backstage/config';
import fs from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { USER_TOKEN_PROVIDERS, execPluginOf } from './clusterAuthProviders';
import { RotatingKubeConfig } from './clusterCredentials';

/** A cluster the live-state side reads, from `gitops.clusters` or the Kubernetes plugin's config. */
export interface ClusterConfig {
  name: string;
  /**
   * Builds the client config; credentials stay inside it and never reach a message. A
   * {@link RotatingKubeConfig}: a token file is read again when it changes, and a 401 re-reads
   * the credentials once.
   */
  kubeConfig: KubeConfig;
  /** Where the credentials come from, for the health endpoint (never the credentials). */
  authProvider: string;
  url: string;
  /** Namespaced list+watch for accounts bound by Roles; cluster-wide when absent. */
  namespaces?: ClusterNamespaces;
}

/** `gitops.clusters[].namespaces`, with its defaults applied. */
export interface ClusterNamespaces {
  /** Each environment's namespace template filled for the catalog's GitOps services. */
  fromEnvironments: boolean;
  /** More service namespaces. */
  include: string[];
  /** Where Argo CD Applications live. Default `argocd`. */
  argocd: string[];
  /** Where Flux Kustomizations, HelmReleases and sources live. Default `flux-system`. */
  flux: string[];
}

/**
 * Reads `gitops.clusters`; without it, the `config` clusters of
 * `kubernetes.clusterLocatorMethods`, so users of the Kubernetes plugin add no second copy of
 * their cluster credentials. Clusters never come from catalog entities.
 */
export function readClusters(config: Config): ClusterConfig[] {
  const own = config.getOptionalConfigArray('gitops.clusters');
  if (own) return own.map(cluster => readCluster(cluster, true));
  return (
    config.getOptionalConfigArray('kubernetes.clusterLocatorMethods') ?? []
  )
    .filter(method => method.getString('type') === 'config')
    .flatMap(method => method.getOptionalConfigArray('clusters') ?? [])
    .map(cluster => readCluster(cluster, false));
}

function readCluster(cluster: Config, own: boolean): ClusterConfig {
  const declared = cluster.getOptionalString('authProvider');
  // The Kubernetes plugin's per-user providers cannot serve a backend-wide watch. In our own
  // config that is a mistake to say at once; a shared Kubernetes plugin entry is kept as it
  // always was (its requests are refused, and the 401 names the cluster).
  if (own && declared && USER_TOKEN_PROVIDERS.includes(declared)) {
    throw new Error(
      `gitops cluster ${cluster.getString(
        'name',
      )}: authProvider ${declared} passes each signed-in user's own token, which the backend's shared watches do not have; use serviceAccount (token or token file), googleServiceAccount, exec or a kubeconfig`,
    );
  }
  const base = readClusterConnection(cluster);
  const namespaces = readNamespaces(cluster);
  return namespaces ? { ...base, namespaces } : base;
}

/** `namespaces: [a, b]` (service namespaces) or the object form. */
function readNamespaces(cluster: Config): ClusterNamespaces | undefined {
  const raw = cluster.getOptional('namespaces');
  if (raw === undefined) return undefined;
  if (Array.isArray(raw)) {
    return {
      fromEnvironments: false,
      include: cluster.getStringArray('namespaces'),
      argocd: ['argocd'],
      flux: ['flux-system'],
    };
  }
  const scoped = cluster.getConfig('namespaces');
  return {
    fromEnvironments: scoped.getOptionalBoolean('fromEnvironments') ?? false,
    include: scoped.getOptionalStringArray('include') ?? [],
    argocd: scoped.getOptionalStringArray('argocd') ?? ['argocd'],
    flux: scoped.getOptionalStringArray('flux') ?? ['flux-system'],
  };
}

function readClusterConnection(cluster: Config): ClusterConfig {
  const name = cluster.getString('name');
  const kubeConfig = new RotatingKubeConfig(name);
  const kubeconfigPath = cluster.getOptionalString('kubeconfig.path');
  const declared = cluster.getOptionalString('authProvider');
  const tokenFile = cluster.getOptionalString('serviceAccountTokenFile');
  if (declared === 'inCluster') {
    kubeConfig.loadFromCluster();
    // The projected token rotates: read before requests and after a 401, not once a minute.
    kubeConfig.adoptProviderTokenFile();
    if (tokenFile) kubeConfig.useTokenFile(tokenFile);
    return {
      name,
      kubeConfig,
      authProvider: 'inCluster',
      url: kubeConfig.getCurrentCluster()?.server ?? '',
    };
  }
  if (kubeconfigPath) {
    // Exec, OIDC and legacy auth-provider users run through @kubernetes/client-node.
    kubeConfig.loadFromFile(kubeconfigPath);
    const context = cluster.getOptionalString('kubeconfig.context');
    if (context) kubeConfig.setCurrentContext(context);
    kubeConfig.adoptProviderTokenFile();
    return {
      name,
      kubeConfig,
      authProvider: 'kubeconfig',
      url: kubeConfig.getCurrentCluster()?.server ?? '',
    };
  }
  const url = cluster.getString('url');
  const token = cluster.getOptionalString('serviceAccountToken');
  const certData = cluster.getOptionalString('clientCertData');
  const keyData = cluster.getOptionalString('clientKeyData');
  const exec = execPluginOf(cluster, name, declared);
  kubeConfig.loadFromOptions({
    clusters: [
      {
        name,
        server: url,
        caData: cluster.getOptionalString('caData'),
        caFile: cluster.getOptionalString('caFile'),
        skipTLSVerify: cluster.getOptionalBoolean('skipTLSVerify') ?? false,
      },
    ],
    users: [
      {
        name: `${name}-user`,
        token,
        certData,
        keyData,
        ...(exec ? { exec } : {}),
      },
    ],
    contexts: [{ name, cluster: name, user: `${name}-user` }],
    currentContext: name,
  });
  const file = tokenFile ?? podTokenFile(declared, token);
  if (file) kubeConfig.useTokenFile(file);
  return { name, kubeConfig, authProvider: authProviderOf(), url };

  function authProviderOf() {
    if (declared) return declared;
    if (exec) return 'exec';
    return certData ? 'clientCertificate' : 'serviceAccount';
  }
}

/** Where the kubelet mounts the pod's service-account token. */
export const POD_TOKEN_FILE =
  '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * `authProvider: serviceAccount` without a token uses the pod's own token, as the Kubernetes
 * plugin does (when the backend runs in a pod).
 */
function podTokenFile(declared: string | undefined, token: string | undefined) {
  if (declared !== 'serviceAccount' || token) return undefined;
  return fs.existsSync(POD_TOKEN_FILE) ? POD_TOKEN_FILE : undefined;
}
