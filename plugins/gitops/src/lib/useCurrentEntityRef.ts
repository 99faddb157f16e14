import {
  CompoundEntityRef,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { useMemo } from 'react';

/**
 * The current entity and its ref. The ref is keyed on the ref string: a catalog refresh
 * replaces the entity object, and a request keyed on the object would repeat for nothing.
 */
export function useCurrentEntityRef() {
  const { entity } = useEntity();
  const refString = stringifyEntityRef(entity);
  const entityRef: CompoundEntityRef = useMemo(
    () => parseEntityRef(refString),
    [refString],
  );
  return { entity, entityRef };
}
