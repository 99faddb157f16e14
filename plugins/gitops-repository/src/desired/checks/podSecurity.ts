import { PodSecurityEvidence } from '@gitops-backstage/plugin-gitops-common';
import { isPlainObject } from '../parseYaml';
import { Obj, listAt, objectAt } from './objects';

/**
 * The Pod Security Standards (kubernetes.io/docs/concepts/security/pod-security-standards),
 * checked on a declared pod template the way the Pod Security admission controller checks a
 * pod at its latest policy version. Pure: no cluster, no defaults from the image (a pod that
 * only the image makes non-root does not pass, as admission would not let it pass either).
 */

/** One container of the pod, named the way findings name it. */
interface Named {
  label: string;
  spec: Obj;
}

interface Finding {
  level: 'baseline' | 'restricted';
  text: string;
}

// Moby's default set: adding these changes nothing a default container cannot already do.
const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

// Namespaced sysctls isolated from other pods on the node (the "safe" set, as of 1.29).
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);

const SELINUX_TYPES = new Set([
  'container_t',
  'container_init_t',
  'container_kvm_t',
  'container_engine_t',
]);

// Restricted allows only volumes whose storage the cluster administrator controls.
const RESTRICTED_VOLUME_TYPES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

const SECCOMP_ALLOWED = new Set(['RuntimeDefault', 'Localhost']);

const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';
const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP_CONTAINER_ANNOTATION =
  'container.seccomp.security.alpha.kubernetes.io/';

/**
 * The highest level the pod template meets, and every finding that keeps it from `restricted`
 * (one line each, naming the pod or the container and the field). Init and ephemeral
 * containers count like the others.
 *
 * @param podSpec - `spec.template.spec` of the workload.
 * @param podMetadata - `spec.template.metadata`, for the AppArmor and seccomp annotations.
 */
export function checkPodSecurity(
  podSpec: unknown,
  podMetadata?: unknown,
): PodSecurityEvidence {
  const spec = isPlainObject(podSpec) ? podSpec : {};
  const annotations = objectAt(podMetadata, 'annotations');
  const pod = objectAt(spec, 'securityContext');
  const containers = containersOf(spec);
  const findings: Finding[] = [
    ...baseline(spec, pod, containers, annotations),
    ...restricted(spec, pod, containers),
  ];
  let level: PodSecurityEvidence['level'] = 'restricted';
  if (findings.some(f => f.level === 'baseline')) level = 'privileged';
  else if (findings.length > 0) level = 'baseline';
  return { level, findings: findings.map(f => f.text) };
}

function baseline(
  spec: Obj,
  pod: Obj,
  containers: Named[],
  annotations: Obj,
): Finding[] {
  const out: string[] = [];
  // A user namespace maps root in the pod to an unprivileged user on the node.
  const userNamespace = spec.hostUsers === false;

  if (objectAt(pod, 'windowsOptions').hostProcess === true) {
    out.push('pod: windowsOptions.hostProcess is true');
  }
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) {
    if (spec[field] === true) out.push(`pod: ${field} is true`);
  }
  for (const volume of listAt(spec, 'volumes')) {
    if (volume.hostPath !== undefined && volume.hostPath !== null) {
      out.push(`volume ${volume.name}: hostPath volumes are not allowed`);
    }
  }
  const sysctls = listAt(pod, 'sysctls')
    .map(s => String(s.name))
    .filter(name => !SAFE_SYSCTLS.has(name));
  if (sysctls.length > 0) {
    out.push(`pod: sysctls ${sysctls.join(', ')} are not in the safe set`);
  }
  out.push(...seLinux('pod', pod));
  if (objectAt(pod, 'appArmorProfile').type === 'Unconfined') {
    out.push('pod: appArmorProfile.type is Unconfined');
  }
  if (objectAt(pod, 'seccompProfile').type === 'Unconfined') {
    out.push('pod: seccompProfile.type is Unconfined');
  }
  if (String(annotations[SECCOMP_POD_ANNOTATION] ?? '') === 'unconfined') {
    out.push(`pod: annotation ${SECCOMP_POD_ANNOTATION} is unconfined`);
  }

  for (const { label, spec: c } of containers) {
    const context = objectAt(c, 'securityContext');
    if (objectAt(context, 'windowsOptions').hostProcess === true) {
      out.push(`${label}: windowsOptions.hostProcess is true`);
    }
    if (context.privileged === true) out.push(`${label}: privileged is true`);
    const added = stringsAt(objectAt(context, 'capabilities'), 'add').filter(
      cap => !BASELINE_CAPABILITIES.has(cap),
    );
    if (added.length > 0) {
      out.push(`${label}: capabilities.add has ${added.join(', ')}`);
    }
    const hostPorts = listAt(c, 'ports')
      .map(p => p.hostPort)
      .filter(port => port !== undefined && port !== null && port !== 0);
    if (hostPorts.length > 0) {
      out.push(`${label}: hostPort ${hostPorts.join(', ')} is set`);
    }
    out.push(...seLinux(label, context));
    if (objectAt(context, 'appArmorProfile').type === 'Unconfined') {
      out.push(`${label}: appArmorProfile.type is Unconfined`);
    }
    if (objectAt(context, 'seccompProfile').type === 'Unconfined') {
      out.push(`${label}: seccompProfile.type is Unconfined`);
    }
    const procMount = context.procMount;
    if (
      !userNamespace &&
      procMount !== undefined &&
      procMount !== null &&
      procMount !== 'Default'
    ) {
      out.push(`${label}: procMount is ${procMount}`);
    }
    // Since 1.34: a probe or hook may not reach another host through the kubelet.
    const hosts = probeHosts(c);
    if (hosts.length > 0) {
      out.push(`${label}: a probe or lifecycle hook sets host ${hosts[0]}`);
    }
  }

  // The annotation form of AppArmor and seccomp names the container in its key.
  for (const [key, raw] of Object.entries(annotations)) {
    const value = String(raw ?? '');
    if (
      key.startsWith(APPARMOR_ANNOTATION) &&
      value !== '' &&
      value !== 'runtime/default' &&
      !value.startsWith('localhost/')
    ) {
      out.push(
        `container ${key.slice(
          APPARMOR_ANNOTATION.length,
        )}: AppArmor profile ${value} is not allowed`,
      );
    }
    if (
      key.startsWith(SECCOMP_CONTAINER_ANNOTATION) &&
      value === 'unconfined'
    ) {
      out.push(
        `container ${key.slice(
          SECCOMP_CONTAINER_ANNOTATION.length,
        )}: seccomp annotation is unconfined`,
      );
    }
  }
  return out.map(text => ({ level: 'baseline', text }));
}

function restricted(spec: Obj, pod: Obj, containers: Named[]): Finding[] {
  const out: string[] = [];
  const userNamespace = spec.hostUsers === false;
  // Linux-only fields: the admission controller does not ask Windows pods for them.
  const windows = objectAt(spec, 'os').name === 'windows';

  for (const volume of listAt(spec, 'volumes')) {
    const types = Object.keys(volume).filter(k => k !== 'name');
    // hostPath is already a baseline finding.
    if (types.includes('hostPath')) continue;
    const bad = types.filter(t => !RESTRICTED_VOLUME_TYPES.has(t));
    if (bad.length > 0) {
      out.push(`volume ${volume.name}: ${bad[0]} volumes are not allowed`);
    }
  }
  if (!userNamespace) {
    if (pod.runAsNonRoot === false) out.push('pod: runAsNonRoot is false');
    if (pod.runAsUser === 0) out.push('pod: runAsUser is 0');
  }
  const podSeccomp = objectAt(pod, 'seccompProfile').type;
  if (
    !windows &&
    podSeccomp !== undefined &&
    !SECCOMP_ALLOWED.has(podSeccomp)
  ) {
    // Unconfined is a baseline finding already.
    if (podSeccomp !== 'Unconfined') {
      out.push(`pod: seccompProfile.type is ${podSeccomp}`);
    }
  }

  for (const { label, spec: c } of containers) {
    const context = objectAt(c, 'securityContext');
    if (!windows && context.allowPrivilegeEscalation !== false) {
      out.push(`${label}: allowPrivilegeEscalation is not false`);
    }
    if (!userNamespace) {
      if (context.runAsNonRoot === false) {
        out.push(`${label}: runAsNonRoot is false`);
      } else if (context.runAsNonRoot !== true && pod.runAsNonRoot !== true) {
        out.push(`${label}: runAsNonRoot is not true (pod or container)`);
      }
      if (context.runAsUser === 0) out.push(`${label}: runAsUser is 0`);
    }
    if (!windows) {
      const seccomp = objectAt(context, 'seccompProfile').type;
      if (seccomp === undefined) {
        if (!SECCOMP_ALLOWED.has(podSeccomp)) {
          out.push(
            `${label}: seccompProfile.type is not RuntimeDefault or Localhost (pod or container)`,
          );
        }
      } else if (!SECCOMP_ALLOWED.has(seccomp) && seccomp !== 'Unconfined') {
        out.push(`${label}: seccompProfile.type is ${seccomp}`);
      }
      const capabilities = objectAt(context, 'capabilities');
      if (!stringsAt(capabilities, 'drop').includes('ALL')) {
        out.push(`${label}: capabilities.drop does not include ALL`);
      }
      // Added capabilities outside the baseline set are baseline findings already.
      const added = stringsAt(capabilities, 'add').filter(
        cap => BASELINE_CAPABILITIES.has(cap) && cap !== 'NET_BIND_SERVICE',
      );
      if (added.length > 0) {
        out.push(
          `${label}: capabilities.add has ${added.join(
            ', ',
          )} (only NET_BIND_SERVICE is allowed)`,
        );
      }
    }
  }
  return out.map(text => ({ level: 'restricted', text }));
}

function seLinux(label: string, context: Obj): string[] {
  const options = objectAt(context, 'seLinuxOptions');
  const out: string[] = [];
  if (options.type && !SELINUX_TYPES.has(String(options.type))) {
    out.push(`${label}: seLinuxOptions.type ${options.type} is not allowed`);
  }
  if (options.user) out.push(`${label}: seLinuxOptions.user is set`);
  if (options.role) out.push(`${label}: seLinuxOptions.role is set`);
  return out;
}

function probeHosts(container: Obj): string[] {
  const handlers = [
    objectAt(container, 'livenessProbe'),
    objectAt(container, 'readinessProbe'),
    objectAt(container, 'startupProbe'),
    objectAt(objectAt(container, 'lifecycle'), 'postStart'),
    objectAt(objectAt(container, 'lifecycle'), 'preStop'),
  ];
  return handlers
    .flatMap(h => [objectAt(h, 'httpGet').host, objectAt(h, 'tcpSocket').host])
    .filter((host): host is string => typeof host === 'string' && host !== '');
}

/** Every container of the pod, init and ephemeral ones included, with its finding label. */
function containersOf(spec: Obj): Named[] {
  return [
    ...listAt(spec, 'initContainers').map(c => ({
      label: `init container ${c.name}`,
      spec: c,
    })),
    ...listAt(spec, 'containers').map(c => ({
      label: `container ${c.name}`,
      spec: c,
    })),
    ...listAt(spec, 'ephemeralContainers').map(c => ({
      label: `ephemeral container ${c.name}`,
      spec: c,
    })),
  ];
}

function stringsAt(value: Obj, key: string): string[] {
  const child = value[key];
  return Array.isArray(child) ? child.map(String) : [];
}
