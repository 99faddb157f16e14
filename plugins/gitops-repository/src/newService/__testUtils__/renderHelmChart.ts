import { parseAllDocuments, stringify } from 'yaml';
import { keptText } from '../../desired/helmChartRollout';
import { mergeHelmValues } from '../../desired/helmValues';
import { RenderedFile } from '../types';

/**
 * The objects a new service's chart renders for one environment, for tests where Helm is not
 * installed: the templates' `if`s are decided by the desired-state reader's own reading of
 * them, and the few actions the chart uses (values, `quote`, `toYaml`, `nindent`, the
 * chart's named templates) are filled in as Helm fills them. Any other action throws, so a
 * template this does not understand fails the test instead of rendering wrong.
 */
export function renderHelmChart(
  files: RenderedFile[],
  chartPath: string,
  valuesFile: string,
  release: string,
): Array<Record<string, any>> {
  const text = (file: string) => {
    const found = files.find(f => f.path === file);
    if (!found) throw new Error(`no ${file}`);
    return found.content;
  };
  const parse = (file: string) => parseAllDocuments(text(file))[0].toJS();
  const chart = parse(`${chartPath}/Chart.yaml`);
  const values = mergeHelmValues(
    parse(`${chartPath}/values.yaml`),
    parse(valuesFile),
  );
  const name = String(values.fullnameOverride || chart.name);
  const selector = `app.kubernetes.io/name: ${chart.name}\napp.kubernetes.io/instance: ${release}`;
  const version = String(values.image.tag || chart.appVersion);
  const named: Record<string, string> = {
    name: chart.name,
    fullname: name,
    selectorLabels: selector,
    labels: [
      `helm.sh/chart: ${chart.name}-${chart.version}`,
      selector,
      `backstage.io/kubernetes-id: ${chart.name}`,
      `app.kubernetes.io/version: ${JSON.stringify(version)}`,
      'app.kubernetes.io/managed-by: Helm',
    ].join('\n'),
    image: values.image.digest
      ? `${values.image.repository}@${values.image.digest}`
      : `${values.image.repository}:${version}`,
  };
  const valueOf = (reference: string) =>
    reference
      .slice('.Values.'.length)
      .split('.')
      .reduce((v: any, k) => v?.[k], values);
  const output = (action: string): string => {
    const [expression, ...pipes] = action.split('|').map(s => s.trim());
    let out: string;
    const include = /^include "[\w-]+\.([\w]+)" \.$/.exec(expression);
    if (include && include[1] in named) out = named[include[1]];
    else if (expression === '.Chart.Name') out = chart.name;
    else if (expression.startsWith('toYaml .Values.'))
      out = stringify(valueOf(expression.slice(7)), { lineWidth: 0 }).trimEnd();
    else if (expression.startsWith('.Values.'))
      out = String(valueOf(expression));
    else throw new Error(`renderHelmChart: unknown action {{ ${action} }}`);
    for (const pipe of pipes) {
      const nindent = /^nindent (\d+)$/.exec(pipe);
      if (pipe === 'quote') out = JSON.stringify(out);
      else if (nindent) {
        const pad = ' '.repeat(Number(nindent[1]));
        out = `\n${out
          .split('\n')
          .map(line => pad + line)
          .join('\n')}`;
      } else throw new Error(`renderHelmChart: unknown function ${pipe}`);
    }
    return out;
  };
  return files
    .filter(
      f =>
        f.path.startsWith(`${chartPath}/templates/`) &&
        f.path.endsWith('.yaml'),
    )
    .flatMap(f => {
      const { kept, unknown } = keptText(f.content, values, output);
      if (unknown) throw new Error(`${f.path}: undecided ${unknown}`);
      return parseAllDocuments(kept).map(doc => {
        if (doc.errors.length) throw new Error(`${f.path}: ${doc.errors[0]}`);
        return doc.toJS();
      });
    })
    .filter(Boolean);
}
