/**
 * What every pod of a new service runs with, whichever layout writes it (seed 003): a non-root
 * user, a read-only root filesystem with a writable /tmp, no capabilities, the runtime's
 * seccomp profile, and probes on the container's `http` port.
 */

/** The user and group the container runs as: not root, and not a user of the host. */
export const RUN_AS = 10001;

export const podSecurityContext = () => ({
  runAsNonRoot: true,
  runAsUser: RUN_AS,
  runAsGroup: RUN_AS,
  fsGroup: RUN_AS,
  seccompProfile: { type: 'RuntimeDefault' },
});

export const containerSecurityContext = () => ({
  runAsNonRoot: true,
  runAsUser: RUN_AS,
  runAsGroup: RUN_AS,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
});

/** Liveness and startup on `/health`, readiness on `/ready`. */
export const probes = () => ({
  livenessProbe: {
    httpGet: { path: '/health', port: 'http' },
    periodSeconds: 10,
    timeoutSeconds: 2,
    failureThreshold: 3,
  },
  readinessProbe: {
    httpGet: { path: '/ready', port: 'http' },
    periodSeconds: 5,
    timeoutSeconds: 2,
    failureThreshold: 3,
  },
  // Up to 30 × 5 s to start before liveness takes over, so a slow start is not a restart loop.
  startupProbe: {
    httpGet: { path: '/health', port: 'http' },
    periodSeconds: 5,
    failureThreshold: 30,
  },
});

/** The read-only root filesystem leaves /tmp as the one place to write. */
export const TMP_VOLUME = { name: 'tmp', emptyDir: {} };
export const TMP_MOUNT = { name: 'tmp', mountPath: '/tmp' };
