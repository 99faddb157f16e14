import {
  CompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { useSignal } from '@backstage/plugin-signals-react';
import {
  GitopsEntitySignal,
  gitopsEntityChannel,
} from '@gitops-backstage/plugin-gitops-common';
import { useEffect, useRef } from 'react';

/**
 * Calls `onChange` each time the backend signals that the entity's GitOps state changed (an
 * action recorded or finished, a cluster, Git or registry change). Returns whether signals
 * reach this page at all: without the signals plugin the caller keeps polling often.
 */
export function useEntityChangeSignal(
  entityRef: CompoundEntityRef,
  onChange: (signal: GitopsEntitySignal) => void,
): boolean {
  const { lastSignal, isSignalsAvailable } = useSignal<GitopsEntitySignal>(
    gitopsEntityChannel(stringifyEntityRef(entityRef)),
  );
  // The latest callback, without re-running the effect when only the callback changed.
  const callback = useRef(onChange);
  callback.current = onChange;
  useEffect(() => {
    if (lastSignal) callback.current(lastSignal);
  }, [lastSignal]);
  return isSignalsAvailable;
}
