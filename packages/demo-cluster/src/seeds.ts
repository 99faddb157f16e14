import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { DemoChart } from './DemoCharts';
import { DemoImage } from './DemoRegistry';
import { KINDS, KubeObject } from './ObjectStore';

/** What `examples/demo-cluster/*.yaml` holds. */
export interface DemoSeeds {
  /** Engine objects (Argo CD Applications, Flux Kustomizations and sources). */
  objects: Array<{ plural: string; object: KubeObject }>;
  /** `DemoImage` documents: the registry's tags, the ones that crash, their error shares. */
  images: DemoImage[];
  /** `DemoLoad` documents: replica demand of autoscaled workloads, keyed `<workload>/<namespace>`. */
  load: Map<string, number>;
  /** `DemoChart` documents: charts of Helm repositories (not in Git). */
  charts: DemoChart[];
}

/** Reads every YAML file of a folder; documents of an unknown kind are an error. */
export function readSeeds(dir: string): DemoSeeds {
  const seeds: DemoSeeds = {
    objects: [],
    images: [],
    load: new Map(),
    charts: [],
  };
  for (const file of fs
    .readdirSync(dir)
    .filter(f => /\.ya?ml$/.test(f))
    .sort()) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0) {
        throw new Error(`${file}: ${doc.errors[0].message}`);
      }
      const object = doc.toJS();
      if (!object) continue;
      if (object.kind === 'DemoImage') {
        seeds.images.push({
          image: object.metadata.name,
          tags: object.spec?.tags ?? [],
          crashing: object.spec?.crashing ?? [],
          digests: object.spec?.digests ?? {},
          ...(object.spec?.source
            ? { source: String(object.spec.source) }
            : {}),
          signedBy: object.spec?.signedBy ?? null,
          unsigned: (object.spec?.unsigned ?? []).map(String),
          vulnerabilities: object.spec?.vulnerabilities ?? {},
          errorRatio: Object.fromEntries(
            Object.entries(object.spec?.errorRatio ?? {}).map(([tag, r]) => [
              tag,
              Number(r),
            ]),
          ),
        });
      } else if (object.kind === 'DemoChart') {
        seeds.charts.push({
          name: object.metadata.name,
          repository: String(object.spec.repository),
          image: String(object.spec.image),
          versions: (object.spec.versions ?? []).map(String),
        });
      } else if (object.kind === 'DemoLoad') {
        seeds.load.set(
          `${object.spec.workload}/${object.spec.namespace}`,
          Number(object.spec.replicaDemand),
        );
      } else {
        const kind = KINDS.find(k => k.kind === object.kind);
        if (!kind)
          throw new Error(
            `${file}: the demo cluster does not serve ${object.kind}`,
          );
        seeds.objects.push({ plural: kind.plural, object });
      }
    }
  }
  return seeds;
}
