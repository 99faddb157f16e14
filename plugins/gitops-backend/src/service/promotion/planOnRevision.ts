import { InputError } from '@backstage/errors';
import {
  DesiredState,
  GitopsScaling,
  GitopsVersion,
} from '@gitops-backstage/plugin-gitops-common';
import { EnvironmentConfig } from '../config';
import { DesiredStateReader } from '@gitops-backstage/plugin-gitops-repository';
import { ManifestError } from '@gitops-backstage/plugin-gitops-repository';
import { ServiceTarget } from '../ServiceLocator';
import { PlannedChange } from './ChangeWriter';
import { Actor } from './changeRequests';
import { MessageSubject, commitMessage } from './commitMessage';
import {
  PlanChange,
  planChange,
} from '@gitops-backstage/plugin-gitops-repository';

/** What a change records besides its diff. */
export type Details = {
  previousVersion: GitopsVersion | null;
  version: GitopsVersion | null;
  scaling: GitopsScaling | null;
};

/**
 * What a promotion, rollback or scale wants, given the environment's state at the revision
 * being planned on; `null` when there is nothing it could do (a dry run of a failed gate).
 */
export type ChangeIntent = (
  target: ServiceTarget,
  current: DesiredState,
) => Promise<{
  change: PlanChange;
  subject: MessageSubject;
  details: Details;
} | null>;

/**
 * The planner the writer calls on each revision it tries: reads the environment at that
 * revision, asks the intent what to change, plans the edit and writes the commit message. A
 * problem of the files themselves is a 400 naming the environment.
 */
export function planOnRevision(options: {
  target: ServiceTarget;
  environment: EnvironmentConfig;
  reader: DesiredStateReader;
  actor: Actor;
  actionId: string;
  intend: ChangeIntent;
  signal?: AbortSignal;
}): (revision: string) => Promise<PlannedChange<Details>> {
  const { target, environment, actor, signal } = options;
  return async revision => {
    const read = (file: string) =>
      target.provider.readFile({
        repository: target.repository,
        revision,
        path: file,
        signal,
      });
    try {
      const current = (
        await options.reader.read({ target, environment, revision, signal })
      ).state;
      const intent = await options.intend(target, current);
      if (!intent) {
        return {
          plan: { files: [], diff: '', noop: true },
          message: '',
          details: { previousVersion: null, version: null, scaling: null },
        };
      }
      const plan = await planChange(
        {
          layout: current.layout,
          path: current.source.path,
          image: current.image ?? '',
          workload: current.workload,
          workloadKind: current.workloadKind ?? null,
          origins: current.definition ? current.origins ?? {} : undefined,
        },
        intent.change,
        read,
      );
      const message = commitMessage({
        service: target.service,
        environment: environment.name,
        subject: intent.subject,
        actor: { name: actor.name, ref: actor.ref, trailers: actor.trailers },
        actionId: options.actionId,
      });
      return { plan, message, details: intent.details };
    } catch (error) {
      if (error instanceof ManifestError) {
        throw new InputError(`${environment.name}: ${error.message}`);
      }
      throw error;
    }
  };
}
