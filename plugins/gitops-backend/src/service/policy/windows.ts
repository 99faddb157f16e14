import { PolicyWindow } from '@gitops-backstage/plugin-gitops-common';
import { CronTime } from 'cron';

/** A configured window with its schedule parsed. */
export interface ScheduledWindow extends PolicyWindow {
  durationMs: number;
  cron: CronTime;
}

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** `48h`, `90m`, `1h30m`, `2d`, `45s` → milliseconds; throws on anything else. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)\s*([smhd])/g)];
  if (
    parts.length === 0 ||
    parts.map(p => p[0]).join('') !== trimmed.replace(/\s+/g, '')
  ) {
    throw new Error(
      `"${text}" is not a duration (write e.g. 48h, 90m, 1h30m, 2d)`,
    );
  }
  const ms = parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2]], 0);
  if (!(ms > 0)) throw new Error(`"${text}" is not a positive duration`);
  return ms;
}

/** Parses a window's schedule and duration; the error names what is wrong. */
export function scheduleWindow(window: PolicyWindow): ScheduledWindow {
  let cron: CronTime;
  try {
    cron = new CronTime(window.schedule, window.timeZone);
  } catch (error) {
    throw new Error(
      `window "${window.schedule}" (${window.timeZone}): ${
        (error as Error).message
      }`,
    );
  }
  if (window.schedule.trim().split(/\s+/).length !== 5) {
    // Six fields would be read as seconds first: say so rather than open at the wrong time.
    throw new Error(
      `window "${window.schedule}": write a 5-field cron expression (minute hour day month weekday)`,
    );
  }
  return { ...window, cron, durationMs: parseDuration(window.duration) };
}

/** The first start of the window strictly after `after`. */
function nextStart(window: ScheduledWindow, after: Date): Date {
  return window.cron.getNextDateFrom(after, window.timeZone).toJSDate();
}

/**
 * The window occurrence covering `at`, as [start, end), or `null`. An occurrence covers `at`
 * when it started at or before `at` and has not ended: the first start after `at − duration`
 * tells, and later starts before `at` (overlapping occurrences) extend it.
 */
export function activeOccurrence(
  window: ScheduledWindow,
  at: Date,
): { start: Date; end: Date } | null {
  let start = nextStart(window, new Date(at.getTime() - window.durationMs));
  if (start.getTime() > at.getTime()) return null;
  let end = new Date(start.getTime() + window.durationMs);
  // Overlapping occurrences: the latest start at or before `at` ends last.
  for (let i = 0; i < 100; i++) {
    const next = nextStart(window, start);
    if (next.getTime() > at.getTime()) break;
    start = next;
    end = new Date(start.getTime() + window.durationMs);
  }
  return { start, end };
}

/** Whether changes may go in at `at`, and if not, which window says no. */
export interface WindowDecision {
  open: boolean;
  /** The deny window that covers `at`, or `null`. */
  deniedBy: ScheduledWindow | null;
  /** Allow windows exist and none covers `at`. */
  outsideAllowed: boolean;
  /** When changes may go in again (the first open moment from `at`); `null` when open. */
  reopensAt: Date | null;
}

/** Window decisions per windows list, with the time span they hold for. */
const remembered = new WeakMap<
  ScheduledWindow[],
  { from: number; until: number; decision: WindowDecision }
>();

/**
 * Decides whether an environment's windows let a change in at `now`. Deny windows win over
 * allow windows; without allow windows every moment not denied is open.
 */
export function evaluateWindows(
  windows: ScheduledWindow[],
  now: Date,
): WindowDecision {
  // The answer holds until the next boundary: views of a fleet share it (cron is not cheap).
  const memo = remembered.get(windows);
  const t = now.getTime();
  if (memo && t >= memo.from && t < memo.until) return memo.decision;
  const decision = decideWindows(windows, now);
  remembered.set(windows, {
    from: t,
    until: decision.open
      ? nextClosing(windows, now).getTime()
      : decision.reopensAt?.getTime() ?? t,
    decision,
  });
  return decision;
}

/** While open: when the windows close next (a deny window starts, or an allow window ends). */
function nextClosing(windows: ScheduledWindow[], now: Date): Date {
  const times = windows.map(w => {
    if (w.kind === 'deny') return nextStart(w, now).getTime();
    const occurrence = activeOccurrence(w, now);
    return occurrence ? occurrence.end.getTime() : Infinity;
  });
  return new Date(Math.min(...times));
}

function decideWindows(windows: ScheduledWindow[], now: Date): WindowDecision {
  const deny = windows.filter(w => w.kind === 'deny');
  const allow = windows.filter(w => w.kind === 'allow');
  const blockAt = (at: Date) => {
    for (const w of deny) {
      const occurrence = activeOccurrence(w, at);
      if (occurrence) return { window: w, until: occurrence.end };
    }
    if (allow.length > 0 && !allow.some(w => activeOccurrence(w, at))) {
      const opens = Math.min(...allow.map(w => nextStart(w, at).getTime()));
      return { window: null, until: new Date(opens) };
    }
    return null;
  };
  const first = blockAt(now);
  if (!first) {
    return {
      open: true,
      deniedBy: null,
      outsideAllowed: false,
      reopensAt: null,
    };
  }
  // Walk forward over back-to-back windows to the first open moment (bounded: a schedule
  // that never opens reports the last time reached rather than looping).
  let until = first.until;
  for (let i = 0; i < 50; i++) {
    const next = blockAt(until);
    if (!next) break;
    until = next.until;
  }
  return {
    open: false,
    deniedBy: first.window,
    outsideAllowed: first.window === null,
    reopensAt: until,
  };
}

/** `Mon 7 Dec 09:00 Europe/Berlin`: how refusals say when something reopens. */
export function formatInZone(date: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone,
  }).formatToParts(date);
  const get = (type: string) => parts.find(p => p.type === type)?.value ?? '';
  return `${get('weekday')} ${get('day')} ${get('month')} ${get('hour')}:${get(
    'minute',
  )} ${timeZone}`;
}
