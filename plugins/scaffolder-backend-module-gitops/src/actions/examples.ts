import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

const step = (value: unknown) => yaml.stringify({ steps: [value] });

/** Shown on the scaffolder's installed-actions page. */
export const createServiceExamples: TemplateExample[] = [
  {
    description:
      'A Kustomize service reconciled by Argo CD in every environment, committed for the user running the template',
    example: step({
      id: 'gitops',
      action: 'gitops:service:create',
      name: 'Create the GitOps files',
      input: {
        name: '${{ parameters.name }}',
        owner: '${{ parameters.owner }}',
        engine: 'argocd',
        layout: 'kustomize',
        image: 'ghcr.io/acme/${{ parameters.name }}',
        tag: '0.1.0',
        port: 8080,
        autoscaling: { minReplicas: 3, maxReplicas: 10 },
      },
    }),
  },
  {
    description:
      'A Kustomize service whose prod runs an Argo Rollouts canary checked by Prometheus',
    example: step({
      id: 'gitops',
      action: 'gitops:service:create',
      name: 'Create the GitOps files',
      input: {
        name: '${{ parameters.name }}',
        owner: '${{ parameters.owner }}',
        engine: 'argocd',
        layout: 'kustomize',
        image: 'ghcr.io/acme/${{ parameters.name }}',
        tag: '0.1.0',
        progressiveDelivery: 'canary',
        prometheusAddress:
          'http://prometheus.monitoring.svc.cluster.local:9090',
      },
    }),
  },
  {
    description:
      'A Helm service released by Flux; only planned (dry run), e.g. to check the name before publishing anything',
    example: step({
      id: 'plan',
      action: 'gitops:service:create',
      input: {
        name: 'payments',
        owner: 'group:default/team-a',
        engine: 'flux',
        layout: 'helm',
        image: 'ghcr.io/acme/payments',
        tag: '1.0.0',
        dryRun: true,
      },
    }),
  },
];

export const promoteExamples: TemplateExample[] = [
  {
    description:
      'Promote what staging runs to prod (a pull request when prod asks for one)',
    example: step({
      id: 'promote',
      action: 'gitops:promote',
      input: {
        entityRef: 'component:default/guestbook',
        from: 'staging',
        to: 'prod',
      },
    }),
  },
  {
    description: 'Roll prod back to a tag',
    example: step({
      id: 'rollback',
      action: 'gitops:promote',
      input: {
        entityRef: 'component:default/guestbook',
        action: 'rollback',
        environment: 'prod',
        toTag: 'v1.0.2',
      },
    }),
  },
  {
    description: "Raise prod's autoscaler ceiling",
    example: step({
      id: 'scale',
      action: 'gitops:promote',
      input: {
        entityRef: 'component:default/guestbook',
        action: 'scale',
        environment: 'prod',
        autoscaling: { maxReplicas: 12 },
      },
    }),
  },
];

export const describeExamples: TemplateExample[] = [
  {
    description:
      'Read the environments, then promote only when staging is Healthy',
    example: yaml.stringify({
      steps: [
        {
          id: 'state',
          action: 'gitops:environments:describe',
          input: { entityRef: 'component:default/guestbook' },
        },
        {
          id: 'promote',
          if: "${{ steps.state.output.byName.staging.health == 'Healthy' }}",
          action: 'gitops:promote',
          input: {
            entityRef: 'component:default/guestbook',
            from: 'staging',
            to: 'prod',
          },
        },
      ],
    }),
  },
];
