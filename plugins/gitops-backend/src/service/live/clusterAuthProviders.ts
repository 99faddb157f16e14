import { Config } from '@backstage/config';

/** An exec credential plugin, as a kubeconfig user's `exec` names it. */
export interface ExecPlugin {
  command: string;
  args?: string[];
  env?: Array<{ name: string; value: string }>;
  apiVersion: string;
}

const EXEC_API = 'client.authentication.k8s.io/v1beta1';
/** The application ID AKS issues Entra ID tokens for (the same for every AKS cluster). */
const AKS_SERVER_ID = '6dae42f8-4368-4678-94ff-3960e28e3630';

/**
 * The Kubernetes plugin's `authProvider` values and what this backend does with them. The
 * plugin signs or fetches cloud tokens with each cloud's SDK; this backend runs the cloud's
 * own exec credential plugin instead (what kubectl runs), through `@kubernetes/client-node`,
 * so the same cluster entry works without the SDKs. `google` and `oidc` pass each signed-in
 * user's own token from the browser: a backend-wide watch has no user, so they cannot work.
 */
export const USER_TOKEN_PROVIDERS = ['google', 'oidc'];

/** `gitops.clusters[].exec`, or the exec plugin a cloud `authProvider` stands for; undefined for others. */
export function execPluginOf(
  cluster: Config,
  name: string,
  authProvider: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): ExecPlugin | undefined {
  const exec = cluster.getOptionalConfig('exec');
  if (exec) {
    return {
      command: exec.getString('command'),
      args: exec.getOptionalStringArray('args') ?? [],
      env: (exec.getOptionalConfigArray('env') ?? []).map(e => ({
        name: e.getString('name'),
        value: e.getString('value'),
      })),
      apiVersion: exec.getOptionalString('apiVersion') ?? EXEC_API,
    };
  }
  // Read whole: its keys contain dots, which config paths would split.
  const metadata = cluster.getOptional<Record<string, unknown>>('authMetadata');
  const meta = (key: string) => {
    const value = metadata?.[key];
    return typeof value === 'string' && value ? value : undefined;
  };
  if (authProvider === 'aws') {
    if (meta('kubernetes.io/aws-external-id')) {
      throw new Error(
        `gitops cluster ${name}: kubernetes.io/aws-external-id is not supported (aws eks get-token has no external ID); set exec with a profile that assumes the role`,
      );
    }
    const role = meta('kubernetes.io/aws-assume-role');
    return {
      command: 'aws',
      args: [
        'eks',
        'get-token',
        '--output',
        'json',
        '--cluster-name',
        meta('kubernetes.io/x-k8s-aws-id') ?? name,
        ...(role ? ['--role-arn', role] : []),
      ],
      apiVersion: EXEC_API,
    };
  }
  if (authProvider === 'googleServiceAccount') {
    // Application Default Credentials, as the Kubernetes plugin's strategy falls back to.
    return {
      command: 'gke-gcloud-auth-plugin',
      args: [],
      apiVersion: EXEC_API,
    };
  }
  if (authProvider === 'azure') {
    // The environment's identity, as DefaultAzureCredential picks it: workload identity when
    // its token file is mounted, else the managed identity.
    const login = env.AZURE_FEDERATED_TOKEN_FILE ? 'workloadidentity' : 'msi';
    return {
      command: 'kubelogin',
      args: ['get-token', '--login', login, '--server-id', AKS_SERVER_ID],
      apiVersion: EXEC_API,
    };
  }
  return undefined;
}
