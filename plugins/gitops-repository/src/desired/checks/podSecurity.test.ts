import { checkPodSecurity } from './podSecurity';

/** A pod template that meets `restricted`: what every row below starts from. */
function restrictedPod(): Record<string, any> {
  return {
    securityContext: {
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    containers: [
      {
        name: 'app',
        image: 'ghcr.io/acme/app:1.0.0',
        securityContext: {
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
        },
      },
    ],
  };
}

type Edit = (pod: Record<string, any>) => void;
const app = (pod: Record<string, any>) => pod.containers[0];
const appContext = (pod: Record<string, any>) => app(pod).securityContext;

describe('checkPodSecurity', () => {
  it('meets restricted with nothing to say', () => {
    expect(checkPodSecurity(restrictedPod())).toEqual({
      level: 'restricted',
      findings: [],
    });
  });

  it.each<[string, Edit, string]>([
    [
      'host network',
      p => {
        p.hostNetwork = true;
      },
      'pod: hostNetwork is true',
    ],
    [
      'host PID',
      p => {
        p.hostPID = true;
      },
      'pod: hostPID is true',
    ],
    [
      'host IPC',
      p => {
        p.hostIPC = true;
      },
      'pod: hostIPC is true',
    ],
    [
      'a privileged container',
      p => {
        appContext(p).privileged = true;
      },
      'container app: privileged is true',
    ],
    [
      'a privileged init container',
      p => {
        p.initContainers = [
          {
            name: 'migrate',
            securityContext: {
              ...appContext(restrictedPod()),
              privileged: true,
            },
          },
        ];
      },
      'init container migrate: privileged is true',
    ],
    [
      'a privileged ephemeral container',
      p => {
        p.ephemeralContainers = [
          {
            name: 'debug',
            securityContext: {
              ...appContext(restrictedPod()),
              privileged: true,
            },
          },
        ];
      },
      'ephemeral container debug: privileged is true',
    ],
    [
      'a capability beyond the default set',
      p => {
        appContext(p).capabilities.add = ['NET_ADMIN'];
      },
      'container app: capabilities.add has NET_ADMIN',
    ],
    [
      'a hostPath volume',
      p => {
        p.volumes = [{ name: 'docker', hostPath: { path: '/var/run' } }];
      },
      'volume docker: hostPath volumes are not allowed',
    ],
    [
      'a host port',
      p => {
        app(p).ports = [{ containerPort: 80, hostPort: 8080 }];
      },
      'container app: hostPort 8080 is set',
    ],
    [
      'an unsafe sysctl',
      p => {
        p.securityContext.sysctls = [
          { name: 'net.ipv4.tcp_syncookies', value: '1' },
          { name: 'kernel.msgmax', value: '65536' },
        ];
      },
      'pod: sysctls kernel.msgmax are not in the safe set',
    ],
    [
      'AppArmor unconfined',
      p => {
        appContext(p).appArmorProfile = { type: 'Unconfined' };
      },
      'container app: appArmorProfile.type is Unconfined',
    ],
    [
      'a custom SELinux type',
      p => {
        p.securityContext.seLinuxOptions = { type: 'spc_t' };
      },
      'pod: seLinuxOptions.type spc_t is not allowed',
    ],
    [
      'an SELinux user',
      p => {
        appContext(p).seLinuxOptions = { user: 'system_u' };
      },
      'container app: seLinuxOptions.user is set',
    ],
    [
      'an unmasked /proc',
      p => {
        appContext(p).procMount = 'Unmasked';
      },
      'container app: procMount is Unmasked',
    ],
    [
      'seccomp unconfined on the container',
      p => {
        appContext(p).seccompProfile = { type: 'Unconfined' };
      },
      'container app: seccompProfile.type is Unconfined',
    ],
    [
      'a Windows host process',
      p => {
        p.securityContext.windowsOptions = { hostProcess: true };
      },
      'pod: windowsOptions.hostProcess is true',
    ],
    [
      'a probe that reaches another host',
      p => {
        app(p).livenessProbe = { httpGet: { host: '10.0.0.1', port: 80 } };
      },
      'container app: a probe or lifecycle hook sets host 10.0.0.1',
    ],
  ])('is privileged with %s', (_what, edit, finding) => {
    const pod = restrictedPod();
    edit(pod);
    const result = checkPodSecurity(pod);
    expect(result.level).toBe('privileged');
    expect(result.findings).toContain(finding);
  });

  it.each<[string, Edit, string[]]>([
    [
      'privilege escalation allowed (unset)',
      p => {
        delete appContext(p).allowPrivilegeEscalation;
      },
      ['container app: allowPrivilegeEscalation is not false'],
    ],
    [
      'runAsNonRoot on neither the pod nor the container',
      p => {
        delete p.securityContext.runAsNonRoot;
      },
      ['container app: runAsNonRoot is not true (pod or container)'],
    ],
    [
      'a container that sets runAsNonRoot false over the pod',
      p => {
        appContext(p).runAsNonRoot = false;
      },
      ['container app: runAsNonRoot is false'],
    ],
    [
      'runAsUser 0',
      p => {
        appContext(p).runAsUser = 0;
      },
      ['container app: runAsUser is 0'],
    ],
    [
      'no seccomp profile anywhere',
      p => {
        delete p.securityContext.seccompProfile;
      },
      [
        'container app: seccompProfile.type is not RuntimeDefault or Localhost (pod or container)',
      ],
    ],
    [
      'capabilities not dropped',
      p => {
        delete appContext(p).capabilities;
      },
      ['container app: capabilities.drop does not include ALL'],
    ],
    [
      'a default capability other than NET_BIND_SERVICE added',
      p => {
        appContext(p).capabilities.add = ['NET_BIND_SERVICE', 'CHOWN'];
      },
      [
        'container app: capabilities.add has CHOWN (only NET_BIND_SERVICE is allowed)',
      ],
    ],
    [
      'an NFS volume',
      p => {
        p.volumes = [{ name: 'shared', nfs: { server: 'nas', path: '/' } }];
      },
      ['volume shared: nfs volumes are not allowed'],
    ],
    [
      'an init container that is not hardened',
      p => {
        p.initContainers = [{ name: 'migrate' }];
      },
      [
        'init container migrate: allowPrivilegeEscalation is not false',
        'init container migrate: capabilities.drop does not include ALL',
      ],
    ],
  ])('is baseline with %s', (_what, edit, findings) => {
    const pod = restrictedPod();
    edit(pod);
    expect(checkPodSecurity(pod)).toEqual({ level: 'baseline', findings });
  });

  it.each<[string, Edit]>([
    [
      'runAsNonRoot and seccomp set per container instead of on the pod',
      p => {
        p.securityContext = {};
        Object.assign(appContext(p), {
          runAsNonRoot: true,
          seccompProfile: { type: 'Localhost', localhostProfile: 'app.json' },
        });
      },
    ],
    [
      'NET_BIND_SERVICE added back',
      p => {
        appContext(p).capabilities.add = ['NET_BIND_SERVICE'];
      },
    ],
    [
      'the volumes restricted allows',
      p => {
        p.volumes = [
          { name: 'a', configMap: { name: 'c' } },
          { name: 'b', secret: { secretName: 's' } },
          { name: 'c', emptyDir: {} },
          { name: 'd', persistentVolumeClaim: { claimName: 'p' } },
          { name: 'e', projected: { sources: [] } },
          { name: 'f', downwardAPI: { items: [] } },
          { name: 'g', csi: { driver: 'x' } },
          { name: 'h', ephemeral: { volumeClaimTemplate: {} } },
        ];
      },
    ],
    [
      'the safe sysctls and allowed SELinux and AppArmor settings',
      p => {
        p.securityContext.sysctls = [
          { name: 'net.ipv4.ip_unprivileged_port_start', value: '0' },
        ];
        p.securityContext.seLinuxOptions = { type: 'container_t', level: 's0' };
        appContext(p).appArmorProfile = { type: 'RuntimeDefault' };
        appContext(p).procMount = 'Default';
      },
    ],
    [
      'root in a user namespace (hostUsers: false)',
      p => {
        p.hostUsers = false;
        delete p.securityContext.runAsNonRoot;
        appContext(p).runAsUser = 0;
      },
    ],
    [
      'a Windows pod without the Linux-only fields',
      p => {
        p.os = { name: 'windows' };
        delete p.securityContext.seccompProfile;
        delete appContext(p).allowPrivilegeEscalation;
        delete appContext(p).capabilities;
      },
    ],
  ])('is restricted with %s', (_what, edit) => {
    const pod = restrictedPod();
    edit(pod);
    expect(checkPodSecurity(pod)).toEqual({
      level: 'restricted',
      findings: [],
    });
  });

  it.each<[string, Record<string, string>, string | null]>([
    [
      'AppArmor unconfined by annotation',
      { 'container.apparmor.security.beta.kubernetes.io/app': 'unconfined' },
      'container app: AppArmor profile unconfined is not allowed',
    ],
    [
      'a localhost AppArmor profile',
      {
        'container.apparmor.security.beta.kubernetes.io/app':
          'localhost/k8s-app',
      },
      null,
    ],
    [
      'seccomp unconfined by the pod annotation',
      { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' },
      'pod: annotation seccomp.security.alpha.kubernetes.io/pod is unconfined',
    ],
  ])(
    'reads the pod template annotations: %s',
    (_what, annotations, finding) => {
      const result = checkPodSecurity(restrictedPod(), { annotations });
      expect(result).toEqual(
        finding
          ? { level: 'privileged', findings: [finding] }
          : { level: 'restricted', findings: [] },
      );
    },
  );

  it('lists every finding of a default pod, the baseline ones first', () => {
    expect(
      checkPodSecurity({
        hostNetwork: true,
        containers: [{ name: 'web', image: 'nginx' }],
      }),
    ).toEqual({
      level: 'privileged',
      findings: [
        'pod: hostNetwork is true',
        'container web: allowPrivilegeEscalation is not false',
        'container web: runAsNonRoot is not true (pod or container)',
        'container web: seccompProfile.type is not RuntimeDefault or Localhost (pod or container)',
        'container web: capabilities.drop does not include ALL',
      ],
    });
  });

  it('takes a missing or malformed pod spec as a default pod', () => {
    expect(checkPodSecurity(undefined)).toEqual({
      level: 'restricted',
      findings: [],
    });
    expect(
      checkPodSecurity({ containers: 'nope', securityContext: [] }).level,
    ).toBe('restricted');
  });
});
