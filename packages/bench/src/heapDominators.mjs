#!/usr/bin/env node
// What keeps a heap snapshot's memory alive: the dominator tree of a `.heapsnapshot` (as
// written by `--heap-snapshots`), i.e. for each object the objects that only it keeps alive,
// and their size (its retained size). Reports:
//   --classes            classes (constructor names) by their largest instance's retained size
//   --under <Class>      what the largest instance of a class retains: by type, and by field
//                        (with --all: every instance that only the roots keep alive)
//   --roots              the largest objects that nothing but the roots keeps alive (shared by
//                        several owners), with who points to them
//   --shared <Class>     instances of a class kept alive by several owners: which owners
//   --roots-by-class     what the roots alone keep alive, summed by class (many small objects)
// Usage: node src/heapDominators.mjs N1000.heapsnapshot --classes [--top 40]
// The dominators are computed once per snapshot and kept beside it (`<file>.dom`).
import fs from 'node:fs';

const [file, ...args] = process.argv.slice(2);
const option = name => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] ?? true : undefined;
};
if (!file) {
  console.error(
    'usage: heapDominators.mjs <file.heapsnapshot> --classes | --under <Class> | --roots | --roots-by-class | --shared <Class> [--top n]',
  );
  process.exit(2);
}
const top = Number(option('--top') ?? 40);

// The snapshot is read as bytes: its numbers streamed into typed arrays, its strings parsed on
// their own (a whole snapshot is longer than the longest string V8 makes).
const buf = fs.readFileSync(file);
const head = buf.toString('utf8', 0, buf.indexOf('"nodes":['));
const { meta } = JSON.parse(`${head.replace(/,\s*$/, '')}}`).snapshot;
function numbers(marker) {
  let out = new Uint32Array(1 << 20);
  let n = 0;
  let value = 0;
  let inNumber = false;
  for (let p = buf.indexOf(marker) + marker.length; ; p++) {
    const c = buf[p];
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      inNumber = true;
      continue;
    }
    if (inNumber) {
      if (n === out.length) {
        const grown = new Uint32Array(out.length * 2);
        grown.set(out);
        out = grown;
      }
      out[n++] = value;
      value = 0;
      inNumber = false;
    }
    if (c === 93) return out.subarray(0, n);
  }
}
const nodes = numbers('"nodes":[');
const edges = numbers('"edges":[');
const strings = JSON.parse(
  buf.toString(
    'utf8',
    buf.indexOf('"strings":[') + '"strings":'.length,
    buf.lastIndexOf(']') + 1,
  ),
);
const NF = meta.node_fields.length;
const EF = meta.edge_fields.length;
const [nType, nName, nSize, nEdges] = [
  'type',
  'name',
  'self_size',
  'edge_count',
].map(f => meta.node_fields.indexOf(f));
const [eType, eName, eTo] = ['type', 'name_or_index', 'to_node'].map(f =>
  meta.edge_fields.indexOf(f),
);
const nodeTypes = meta.node_types[0];
const edgeTypes = meta.edge_types[0];
const N = nodes.length / NF;
const firstEdge = new Uint32Array(N + 1);
for (let i = 0, e = 0; i < N; i++) {
  firstEdge[i] = e;
  e += nodes[i * NF + nEdges];
  firstEdge[i + 1] = e;
}
const typeOf = i => nodeTypes[nodes[i * NF + nType]];
const nameOf = i => strings[nodes[i * NF + nName]] ?? '';
const sizeOf = i => nodes[i * NF + nSize];
const target = e => edges[e * EF + eTo] / NF;
const indexed = new Set(['element', 'hidden'].map(t => edgeTypes.indexOf(t)));
const edgeName = e =>
  indexed.has(edges[e * EF + eType])
    ? `[${edges[e * EF + eName]}]`
    : strings[edges[e * EF + eName]];
// Weak and shortcut edges keep nothing alive.
const ignored = new Set(['weak', 'shortcut'].map(t => edgeTypes.indexOf(t)));
const counts = e => !ignored.has(edges[e * EF + eType]);
const label = i => `${typeOf(i)}:${nameOf(i).slice(0, 60)}`;
const MiB = bytes => (bytes / 1048576).toFixed(1);

// Post-order from the root (node 0), then the dominators (Cooper, Harvey and Kennedy).
const post = new Uint32Array(N);
const postIndex = new Int32Array(N).fill(-1);
let reached = 0;
{
  const stackNode = new Uint32Array(N);
  const stackEdge = new Uint32Array(N);
  const seen = new Uint8Array(N);
  let sp = 1;
  seen[0] = 1;
  stackEdge[0] = firstEdge[0];
  while (sp) {
    const v = stackNode[sp - 1];
    const e = stackEdge[sp - 1];
    if (e < firstEdge[v + 1]) {
      stackEdge[sp - 1] = e + 1;
      const w = target(e);
      if (counts(e) && !seen[w]) {
        seen[w] = 1;
        stackNode[sp] = w;
        stackEdge[sp] = firstEdge[w];
        sp++;
      }
    } else {
      postIndex[v] = reached;
      post[reached++] = v;
      sp--;
    }
  }
}
const predStart = new Uint32Array(N + 1);
for (let v = 0; v < N; v++)
  if (postIndex[v] >= 0)
    for (let e = firstEdge[v]; e < firstEdge[v + 1]; e++)
      if (counts(e)) predStart[target(e) + 1]++;
for (let i = 0; i < N; i++) predStart[i + 1] += predStart[i];
const preds = new Uint32Array(predStart[N]);
{
  const fill = predStart.slice(0, N);
  for (let v = 0; v < N; v++)
    if (postIndex[v] >= 0)
      for (let e = firstEdge[v]; e < firstEdge[v + 1]; e++)
        if (counts(e)) preds[fill[target(e)]++] = v;
}
const cacheFile = `${file}.dom`;
let idom;
if (fs.existsSync(cacheFile)) {
  idom = new Int32Array(fs.readFileSync(cacheFile).buffer.slice(0));
} else {
  idom = new Int32Array(N).fill(-1);
  idom[0] = 0;
  for (let changed = true; changed; ) {
    changed = false;
    for (let k = reached - 2; k >= 0; k--) {
      const b = post[k];
      let found = -1;
      for (let j = predStart[b]; j < predStart[b + 1]; j++) {
        let p = preds[j];
        if (idom[p] < 0) continue;
        if (found < 0) {
          found = p;
          continue;
        }
        let q = found;
        while (p !== q) {
          while (postIndex[p] < postIndex[q]) p = idom[p];
          while (postIndex[q] < postIndex[p]) q = idom[q];
        }
        found = p;
      }
      if (idom[b] !== found) {
        idom[b] = found;
        changed = true;
      }
    }
  }
  fs.writeFileSync(cacheFile, Buffer.from(idom.buffer));
}
const retained = new Float64Array(N);
for (let k = 0; k < reached; k++) {
  const v = post[k];
  retained[v] += sizeOf(v);
  if (v !== 0) retained[idom[v]] += retained[v];
}
console.log(`${N} objects, ${MiB(retained[0])} MiB reachable`);

/** The retained size of what `owner` alone keeps alive, by the field that leads there. */
function byField(owner) {
  const sizes = new Map();
  for (let e = firstEdge[owner]; e < firstEdge[owner + 1]; e++) {
    const w = target(e);
    if (!counts(e) || idom[w] !== owner) continue;
    sizes.set(edgeName(e), (sizes.get(edgeName(e)) ?? 0) + retained[w]);
  }
  return [...sizes].sort((a, b) => b[1] - a[1]);
}
const generic =
  /^(Object|Array|Map|Set|WeakMap|WeakRef|Promise|Timeout|PlainObjectOfOneSize|system|closure|$)/;
/** The nearest object up the dominator tree with a class name of its own, or the root. */
function ownerOf(v) {
  let a = v;
  while (a !== 0 && (typeOf(a) !== 'object' || generic.test(nameOf(a))))
    a = idom[a];
  return a === 0 ? `root (via ${label(v)})` : nameOf(a);
}
const largest = name => {
  let best = -1;
  for (let i = 0; i < N; i++)
    if (
      typeOf(i) === 'object' &&
      nameOf(i) === name &&
      (best < 0 || retained[i] > retained[best])
    )
      best = i;
  return best;
};

if (option('--classes')) {
  const classes = new Map();
  for (let k = 0; k < reached; k++) {
    const v = post[k];
    if (typeOf(v) !== 'object' || generic.test(nameOf(v))) continue;
    const c = classes.get(nameOf(v)) ?? { count: 0, sum: 0, max: 0 };
    c.count++;
    c.sum += retained[v];
    c.max = Math.max(c.max, retained[v]);
    classes.set(nameOf(v), c);
  }
  console.log('largest MiB, all MiB, instances, class');
  for (const [name, c] of [...classes]
    .sort((a, b) => b[1].max - a[1].max)
    .slice(0, top))
    console.log(
      `${MiB(c.max).padStart(8)} ${MiB(c.sum).padStart(8)} ${String(
        c.count,
      ).padStart(8)}  ${name}`,
    );
}
const under = option('--under');
if (typeof under === 'string') {
  const owner = largest(under);
  if (owner < 0) throw new Error(`no object of class ${under}`);
  const inside = new Int8Array(N);
  inside[owner] = 1;
  // --all: every instance the roots alone keep alive, not only the largest.
  if (option('--all'))
    for (let i = 0; i < N; i++)
      if (nameOf(i) === under && idom[i] === 0) inside[i] = 1;
  const isInside = v => {
    const path = [];
    let a = v;
    while (inside[a] === 0 && a !== 0) {
      path.push(a);
      a = idom[a];
    }
    const answer = a === 0 ? -1 : inside[a];
    for (const p of path) inside[p] = answer;
    return answer === 1;
  };
  const kinds = new Map();
  const fields = new Map();
  for (let k = 0; k < reached; k++) {
    const v = post[k];
    if (!isInside(v)) continue;
    const key = /string/.test(typeOf(v)) ? typeOf(v) : label(v);
    const s = kinds.get(key) ?? { count: 0, self: 0 };
    s.count++;
    s.self += sizeOf(v);
    kinds.set(key, s);
    if (typeOf(v) === 'object')
      for (const [field, size] of byField(v))
        fields.set(field, (fields.get(field) ?? 0) + size);
  }
  console.log(
    `${under}: ${MiB(
      retained[owner],
    )} MiB retained; by type (self MiB, count):`,
  );
  for (const [key, s] of [...kinds]
    .sort((a, b) => b[1].self - a[1].self)
    .slice(0, top))
    console.log(
      `${MiB(s.self).padStart(8)} ${String(s.count).padStart(8)}  ${key}`,
    );
  console.log(
    'by field, over every object inside (retained MiB; nested fields count again):',
  );
  for (const [field, size] of [...fields]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top))
    console.log(`${MiB(size).padStart(8)}  .${field}`);
}
if (option('--roots')) {
  const list = [];
  for (let k = 0; k < reached; k++) {
    const v = post[k];
    if (v !== 0 && idom[v] === 0) list.push(v);
  }
  list.sort((a, b) => retained[b] - retained[a]);
  for (const v of list.slice(0, top)) {
    const from = [];
    for (let j = predStart[v]; j < predStart[v + 1] && from.length < 3; j++) {
      const p = preds[j];
      for (let e = firstEdge[p]; e < firstEdge[p + 1]; e++)
        if (target(e) === v) {
          from.push(`${label(p)}.${edgeName(e)}`);
          break;
        }
    }
    console.log(
      `${MiB(retained[v]).padStart(8)}  ${label(v)}  from ${from.join(' | ')}`,
    );
    for (const [field, size] of byField(v).slice(0, 5))
      if (size > 262144)
        console.log(`${''.padStart(12)}.${field}: ${MiB(size)} MiB`);
  }
}
/** An object's label, with its first property names when its class says nothing. */
function shapeLabel(v) {
  if (!/^(Object|PlainObjectOfOneSize)$/.test(nameOf(v))) return label(v);
  const names = [];
  for (let e = firstEdge[v]; e < firstEdge[v + 1] && names.length < 5; e++)
    if (edges[e * EF + eType] === edgeTypes.indexOf('property'))
      names.push(edgeName(e));
  return `${label(v)}{${names.join(',')}}`;
}
/**
 * The objects that only the roots keep alive (idom 0) and that `keyOf` names, summed by that
 * name and printed largest first; `keyOf` answers undefined for objects to leave out.
 */
function printRootGroups(title, keyOf, width) {
  const groups = new Map();
  for (let k = 0; k < reached; k++) {
    const v = post[k];
    if (v === 0 || idom[v] !== 0) continue;
    const key = keyOf(v);
    if (key === undefined) continue;
    const g = groups.get(key) ?? { count: 0, size: 0 };
    g.count++;
    g.size += retained[v];
    groups.set(key, g);
  }
  console.log(title);
  for (const [key, g] of [...groups]
    .sort((a, b) => b[1].size - a[1].size)
    .slice(0, top))
    console.log(
      `${MiB(g.size).padStart(8)} ${String(g.count).padStart(8)}  ${key.slice(
        0,
        width,
      )}`,
    );
}
// Objects that nothing but the roots keeps alive, summed by what they are: many small ones
// (watched objects shared by a cache and its indexes) that --roots lists one at a time.
if (option('--roots-by-class')) {
  printRootGroups(
    'kept alive by the roots only (retained MiB, count, what):',
    shapeLabel,
    160,
  );
}
const shared = option('--shared');
if (typeof shared === 'string') {
  printRootGroups(
    `${shared} kept alive by several owners (retained MiB, count, owners):`,
    v => {
      if (nameOf(v) !== shared) return undefined;
      const owners = new Set();
      for (let j = predStart[v]; j < predStart[v + 1]; j++)
        owners.add(ownerOf(preds[j]));
      return [...owners].sort().join(' + ');
    },
    200,
  );
}
