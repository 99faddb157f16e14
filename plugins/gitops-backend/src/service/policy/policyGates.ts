import {
  GateState,
  GitopsFreeze,
  GitopsVersion,
  PromotionGate,
} from '@gitops-backstage/plugin-gitops-common';
import { formatVersion, runsVersion } from '../promotion/gates';
import type { PolicyInput } from './policyEngine';
import { evaluateWindows, formatInZone } from './windows';

/*
 * The gates of the policy engine (policyEngine.ts), one function each: what it looks at in
 * the engine's input and what it answers, with its evidence and, for a wait, until when.
 */

/** A gate's answer; `passed` follows `state` for callers written before it. */
export function gate(
  name: string,
  state: GateState,
  message: string,
  extra: Partial<PromotionGate> = {},
): PromotionGate {
  return {
    name,
    state,
    passed: state === 'pass',
    message,
    retryAt: null,
    evidence: null,
    ...extra,
  };
}

export function allowedSourceGate(input: PolicyInput): PromotionGate {
  const { from, to } = input;
  const fromName = from?.name ?? 'nowhere';
  if (from && to.allowedSources.includes(from.name)) {
    return gate(
      'allowedSource',
      'pass',
      `${to.name} takes promotions from ${fromName}`,
    );
  }
  return gate(
    'allowedSource',
    'fail',
    to.allowedSources.length > 0
      ? `${to.name} takes promotions only from ${to.allowedSources.join(
          ', ',
        )}, not from ${fromName}`
      : `${to.name} takes no promotions (it is the first environment)`,
  );
}

export function versionKnownGate(
  input: PolicyInput,
  version: GitopsVersion | null,
): PromotionGate {
  const { from, source } = input;
  const name = from?.name ?? 'the source';
  if (version) {
    return gate(
      'versionKnown',
      'pass',
      `${name} declares ${formatVersion(version)}`,
      {
        evidence: { version },
      },
    );
  }
  const range =
    source?.desired?.chart?.range &&
    source.desired.imageSource === 'chartDefaults'
      ? `: it takes chart ${source.desired.chart.name} ${source.desired.chart.version}, a range, and its cluster does not say which version it installed`
      : '';
  return gate(
    'versionKnown',
    'fail',
    `${name} has no version to promote${
      source?.error ? `: ${source.error}` : ''
    }${range}`,
  );
}

export function healthyGate(
  input: PolicyInput,
  version: GitopsVersion | null,
): PromotionGate {
  const { source } = input;
  const name = input.from?.name ?? 'the source';
  if (!version || !source)
    return gate('healthySource', 'fail', `${name} has no version`);
  if (!source.live || !source.sync) {
    return gate(
      'healthySource',
      'fail',
      `cannot verify ${name}: ${
        source.error ?? 'no cluster is configured for it'
      }`,
    );
  }
  const { status, health } = source.sync;
  const evidence = { status, health, images: source.live.images };
  if (status !== 'Synced' || health !== 'Healthy') {
    // Still rolling out may pass by itself; Degraded, Missing or Suspended needs someone.
    const settling = status === 'OutOfSync' || health === 'Progressing';
    return gate(
      'healthySource',
      settling && health !== 'Degraded' ? 'wait' : 'fail',
      `${name} is ${status} and ${health}`,
      { evidence },
    );
  }
  if (!runsVersion(source, version)) {
    return gate(
      'healthySource',
      'wait',
      `${name} does not run ${formatVersion(version)} yet (running ${
        source.live.images.join(', ') || 'nothing'
      })`,
      { evidence },
    );
  }
  return gate(
    'healthySource',
    'pass',
    `${name} runs ${formatVersion(version)}, Synced and Healthy`,
    { evidence },
  );
}

export function soakGate(
  input: PolicyInput,
  version: GitopsVersion | null,
): PromotionGate {
  const { to, versionSince, now } = input;
  const name = input.from?.name ?? 'the source';
  const required = to.minSoakMinutes;
  if (!version || !versionSince) {
    return gate(
      'soak',
      'fail',
      `cannot tell since when ${name} has ${formatVersion(
        version,
      )}; ${required} min required`,
    );
  }
  const minutes = Math.floor((now.getTime() - versionSince.getTime()) / 60000);
  const message = `${formatVersion(
    version,
  )} has been in ${name} for ${minutes} min (since ${versionSince.toISOString()}); ${required} min required`;
  const evidence = { since: versionSince.toISOString(), minutes, required };
  if (minutes >= required) return gate('soak', 'pass', message, { evidence });
  return gate('soak', 'wait', message, {
    evidence,
    retryAt: new Date(versionSince.getTime() + required * 60000).toISOString(),
  });
}

export function verifiedGate(
  input: PolicyInput,
  version: GitopsVersion | null,
): PromotionGate {
  const shown = formatVersion(version);
  const parts = input.policy.verifiedIn.map(environment => {
    const found = input.verifications.find(v => v.environment === environment);
    const record = found?.record ?? null;
    if (!version)
      return {
        state: 'fail' as const,
        text: `no version to look up in ${environment}`,
      };
    if (!record) {
      return found?.declaresVersion
        ? {
            state: 'wait' as const,
            text: `${shown} is not verified in ${environment} yet`,
          }
        : {
            state: 'fail' as const,
            text: `${shown} was never verified in ${environment}`,
          };
    }
    switch (record.state) {
      case 'Passed':
        return {
          state: 'pass' as const,
          text: `${shown} passed verification in ${environment} (${record.checks
            .map(c => c.name)
            .join(', ')})`,
          record,
        };
      case 'Failed': {
        const failed = record.checks.filter(c => c.state === 'Failed');
        return {
          state: 'fail' as const,
          record,
          text: `${shown} failed verification in ${environment}: ${
            failed
              .map(c =>
                `${c.name} ${shownValue(c.value)}${
                  c.threshold ? ` (threshold ${c.threshold})` : ''
                }`
                  .replace(/ +/g, ' ')
                  .trim(),
              )
              .join(', ') || 'a check failed'
          }`,
        };
      }
      case 'Inconclusive':
        return {
          state: 'fail' as const,
          record,
          text: `verification of ${shown} in ${environment} was inconclusive: ${record.checks
            .filter(c => c.state !== 'Passed')
            .map(c => `${c.name}: ${c.detail}`)
            .join('; ')}`,
        };
      default:
        return {
          state: 'wait' as const,
          record,
          text: `${shown} is being verified in ${environment} (${record.state})`,
          retryAt: record.nextAttemptAt,
        };
    }
  });
  let state: GateState = 'pass';
  if (parts.some(p => p.state === 'fail')) state = 'fail';
  else if (parts.some(p => p.state === 'wait')) state = 'wait';
  const links = parts.flatMap(p =>
    'record' in p && p.record
      ? p.record.checks.flatMap(c => c.links ?? [])
      : [],
  );
  const waiting = parts.filter(p => p.state === 'wait');
  const retryAt =
    state === 'wait' && waiting.every(p => 'retryAt' in p && p.retryAt)
      ? waiting
          .map(p => ('retryAt' in p ? p.retryAt! : ''))
          .sort()
          .pop()!
      : null;
  return gate('verifiedIn', state, parts.map(p => p.text).join('; '), {
    retryAt,
    evidence: {
      verifications: parts
        .map(p =>
          'record' in p && p.record
            ? {
                environment: p.record.environment,
                state: p.record.state,
                at: p.record.at,
              }
            : null,
        )
        .filter(Boolean),
    },
    links: links.length > 0 ? links : undefined,
  });
}

export function approvalsGate(
  input: PolicyInput,
  version: GitopsVersion | null,
): PromotionGate {
  const required = input.policy.requiredApprovals;
  const approvers = input.approvers;
  const counted = input.approvals.filter(
    a =>
      a.approver !== input.requester &&
      (approvers.includes(a.approver) ||
        a.approverGroups.some(g => approvers.includes(g))),
  );
  const unique = [...new Set(counted.map(a => a.approver))];
  const who = unique.length > 0 ? ` (approved by ${unique.join(', ')})` : '';
  const ignored = input.approvals.filter(
    a => a.approver === input.requester,
  ).length;
  const message = `${unique.length} of ${required} approval${
    required === 1 ? '' : 's'
  } of ${formatVersion(version)} for ${input.to.name} from ${
    approvers.join(', ') || 'the owner'
  }${who}${ignored ? `; the requester's own approval does not count` : ''}`;
  return gate(
    'approvals',
    unique.length >= required ? 'pass' : 'wait',
    message,
    {
      evidence: { required, approvedBy: unique, approvers },
    },
  );
}

export function windowGate(input: PolicyInput): PromotionGate {
  const decision = evaluateWindows(input.policy.windows, input.now);
  const zone = input.policy.windows[0]?.timeZone ?? input.timeZone;
  if (decision.open) {
    return gate(
      'window',
      'pass',
      `${input.to.name} is inside its change windows`,
    );
  }
  const when = decision.reopensAt
    ? formatInZone(decision.reopensAt, zone)
    : 'unknown';
  const why = decision.deniedBy
    ? `${decision.deniedBy.reason ?? 'deny window'} (${
        decision.deniedBy.schedule
      } for ${decision.deniedBy.duration})`
    : 'outside its allow windows';
  return gate(
    'window',
    'wait',
    `${input.to.name} takes no changes until ${when}: ${why}`,
    {
      retryAt: decision.reopensAt?.toISOString() ?? null,
      evidence: {
        deniedBy: decision.deniedBy
          ? {
              schedule: decision.deniedBy.schedule,
              duration: decision.deniedBy.duration,
              timeZone: decision.deniedBy.timeZone,
            }
          : null,
      },
    },
  );
}

/** The freezes covering an environment at `now`, latest end first. */
export function coveringFreezes(
  freezes: GitopsFreeze[],
  environment: string,
  now: Date,
): GitopsFreeze[] {
  return freezes
    .filter(
      f =>
        Date.parse(f.until) > now.getTime() &&
        (f.environments === '*' || f.environments.includes(environment)),
    )
    .sort((a, b) => Date.parse(b.until) - Date.parse(a.until));
}

export function freezeGate(input: PolicyInput): PromotionGate {
  const active = coveringFreezes(input.freezes, input.to.name, input.now);
  if (active.length === 0) {
    return gate('freeze', 'pass', `no freeze covers ${input.to.name}`);
  }
  const last = active[0];
  const zone = input.policy.windows[0]?.timeZone ?? input.timeZone;
  return gate(
    'freeze',
    'wait',
    `${input.to.name} is frozen until ${formatInZone(
      new Date(last.until),
      zone,
    )}: ${last.reason}, set by ${last.by}`,
    {
      retryAt: last.until,
      evidence: {
        freezes: active.map(f => ({
          id: f.id,
          reason: f.reason,
          until: f.until,
          by: f.by,
        })),
      },
    },
  );
}

/** A check's value as people read it: three significant digits for a ratio. */
export function shownValue(value: number | string | null): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return value === null ? '' : String(value);
  }
  return String(Number(value.toPrecision(3)));
}
