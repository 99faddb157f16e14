import { PromotionGate } from '@gitops-backstage/plugin-gitops-common';
import { PlannedChange } from './ChangeWriter';

const GATE_STATE: Record<PromotionGate['state'], string> = {
  pass: '✅ passed',
  wait: '⏳ waiting',
  fail: '❌ failed',
};

/**
 * The body of a promotion pull request: what moves where, the gates it passed and the exact
 * diff, so a reviewer needs nothing else to approve it.
 */
export function pullRequestBody(options: {
  planned: PlannedChange<unknown>;
  gates: PromotionGate[];
  actor: { name: string; ref: string };
}): string {
  const { planned, gates, actor } = options;
  const [summary] = planned.message.split('\n');
  const lines = [
    `**${summary}**`,
    '',
    `Requested by ${actor.name} (\`${actor.ref}\`) through Backstage.`,
    '',
  ];
  if (gates.length > 0) {
    lines.push('| Gate | Result | Why |', '| --- | --- | --- |');
    for (const gate of gates) {
      lines.push(
        `| ${gate.name} | ${GATE_STATE[gate.state]}${
          gate.override ? ' (overridden)' : ''
        } | ${gate.message.replace(/\|/g, '\\|')} |`,
      );
    }
    lines.push('');
  }
  lines.push('```diff', planned.plan.diff.trimEnd(), '```', '');
  return lines.join('\n');
}
