import { Config } from '@backstage/config';
import { KubeConfig } from '@kubernetes/client-node';

/** A cluster the live-state side reads, from `gitops.clusters` or the Kubernetes plugin's config. */
export interface ClusterConfig {
  name: string;
  /** Builds the client config; credentials stay inside it and never reach a message. */
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
  if (own) return own.map(readCluster);
  return (
    config.getOptionalConfigArray('kubernetes.clusterLocatorMethods') ?? []
  )
    .filter(method => method.getString('type') === 'config')
    .flatMap(method => method.getOptionalConfigArray('clusters') ?? [])
    .map(readCluster);
}

function readCluster(cluster: Config): ClusterConfig {
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
  const kubeConfig = new KubeConfig();
  const kubeconfigPath = cluster.getOptionalString('kubeconfig.path');
  const declared = cluster.getOptionalString('authProvider');
  if (declared === 'inCluster') {
    kubeConfig.loadFromCluster();
    return {
      name,
      kubeConfig,
      authProvider: 'inCluster',
      url: kubeConfig.getCurrentCluster()?.server ?? '',
    };
  }
  if (kubeconfigPath) {
    kubeConfig.loadFromFile(kubeconfigPath);
    const context = cluster.getOptionalString('kubeconfig.context');
    if (context) kubeConfig.setCurrentContext(context);
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
    users: [{ name: `${name}-user`, token, certData, keyData }],
    contexts: [{ name, cluster: name, user: `${name}-user` }],
    currentContext: name,
  });
  let authProvider = declared ?? 'serviceAccount';
  if (!declared && certData) authProvider = 'clientCertificate';
  return { name, kubeConfig, authProvider, url };
}
