import { DefaultSchedulerService } from '@backstage/backend-defaults/scheduler';
import {
  LoggerService,
  RootLoggerService,
  SchedulerService,
  SchedulerServiceTaskInvocationDefinition,
  coreServices,
  createBackendModule,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { metricsServiceRef } from '@backstage/backend-plugin-api/alpha';
import { gitopsVerificationChecksExtensionPoint } from '@gitops-backstage/plugin-gitops-node';
import { gitIn } from 'gitops-testkit';
import { actionIdOf } from '../service/promotion/commitMessage';

/*
 * Instruments for tests that run several backend instances in one process: what each
 * instance logged, which scheduled task ran where and when, which verification check ran
 * where — each tagged with the instance, as separate pods' logs would be.
 */

type Meta = Parameters<LoggerService['info']>[1];
type JsonObject = Exclude<Meta, Error | undefined>;

/** One line a backend instance logged. */
export interface LogEntry {
  instance: string;
  level: 'error' | 'warn' | 'info' | 'debug';
  message: string;
  meta: JsonObject;
  at: number;
}

/** A root logger that keeps every line in memory (nothing is printed). */
export class RecordingLogger implements RootLoggerService {
  constructor(
    readonly entries: LogEntry[],
    readonly instance: string,
    private readonly meta: JsonObject = {},
  ) {}

  error(message: string, meta?: Meta) {
    this.add('error', message, meta);
  }
  warn(message: string, meta?: Meta) {
    this.add('warn', message, meta);
  }
  info(message: string, meta?: Meta) {
    this.add('info', message, meta);
  }
  debug(message: string, meta?: Meta) {
    this.add('debug', message, meta);
  }
  child(meta: JsonObject): RecordingLogger {
    return new RecordingLogger(this.entries, this.instance, {
      ...this.meta,
      ...meta,
    });
  }

  private add(level: LogEntry['level'], message: string, meta?: Meta) {
    const extra =
      meta instanceof Error ? { error: meta.message } : (meta as JsonObject);
    this.entries.push({
      instance: this.instance,
      level,
      message: String(message),
      meta: { ...this.meta, ...extra },
      at: Date.now(),
    });
  }
}

/** The root logger of one instance, recording into `entries`. */
export function recordingRootLogger(instance: string, entries: LogEntry[]) {
  return createServiceFactory({
    service: coreServices.rootLogger,
    deps: {},
    factory: () => new RecordingLogger(entries, instance),
  });
}

/** One run of a scheduled task on one instance. */
export interface TaskRun {
  instance: string;
  plugin: string;
  task: string;
  scope: 'global' | 'local';
  start: number;
  /** Unset while it runs. */
  end?: number;
  error?: string;
}

/**
 * Backstage's scheduler (on the plugin's database, as in a deployment), with every task's
 * function wrapped to record its runs on this instance.
 */
export function recordingSchedulerFactory(instance: string, runs: TaskRun[]) {
  return createServiceFactory({
    service: coreServices.scheduler,
    deps: {
      database: coreServices.database,
      logger: coreServices.logger,
      rootLifecycle: coreServices.rootLifecycle,
      httpRouter: coreServices.httpRouter,
      pluginMetadata: coreServices.pluginMetadata,
      metrics: metricsServiceRef,
    },
    async factory(deps): Promise<SchedulerService> {
      const scheduler = DefaultSchedulerService.create(deps);
      const plugin = deps.pluginMetadata.getId();
      const wrap = (
        task: SchedulerServiceTaskInvocationDefinition,
        scope: TaskRun['scope'],
      ): SchedulerServiceTaskInvocationDefinition => ({
        ...task,
        fn: async (signal: AbortSignal) => {
          const run: TaskRun = {
            instance,
            plugin,
            task: task.id,
            scope,
            start: Date.now(),
          };
          runs.push(run);
          try {
            await task.fn(signal);
          } catch (error) {
            run.error = String(error);
            throw error;
          } finally {
            run.end = Date.now();
          }
        },
      });
      return {
        triggerTask: id => scheduler.triggerTask(id),
        cancelTask: id => scheduler.cancelTask(id),
        getScheduledTasks: () => scheduler.getScheduledTasks(),
        scheduleTask: task =>
          scheduler.scheduleTask({
            ...task,
            ...wrap(task, task.scope ?? 'global'),
          }),
        createScheduledTaskRunner: schedule => {
          const runner = scheduler.createScheduledTaskRunner(schedule);
          return {
            run: task => runner.run(wrap(task, schedule.scope ?? 'global')),
          };
        },
      };
    },
  });
}

/** One execution of the probe check. */
export interface ProbeRun {
  instance: string;
  entityRef: string;
  environment: string;
  version: string;
  at: number;
}

/**
 * A verification check kind `burst-probe` that passes and records where it ran: a run the
 * database hands to one instance must execute there once.
 */
export function probeCheckModule(instance: string, probes: ProbeRun[]) {
  return createBackendModule({
    pluginId: 'gitops',
    moduleId: 'burst-probe',
    register(env) {
      env.registerInit({
        deps: { checks: gitopsVerificationChecksExtensionPoint },
        async init({ checks }) {
          checks.addCheckKind({
            kind: 'burst-probe',
            async run(_spec, context) {
              const version =
                context.version.tag ?? context.version.digest ?? 'unknown';
              probes.push({
                instance,
                entityRef: context.entityRef,
                environment: context.environment,
                version,
                at: Date.now(),
              });
              return {
                state: 'Passed',
                value: 1,
                threshold: null,
                detail: `probed on ${instance}`,
              };
            },
          });
        },
      });
    },
  });
}

/** A commit of a branch with the action id its message carries. */
export interface TrailerCommit {
  sha: string;
  subject: string;
  actionId: string | null;
}

/** The commits in `from..to` of a (bare) repository, newest first, with their trailers. */
export function commitsWithTrailers(
  repository: string,
  from: string,
  to: string,
): TrailerCommit[] {
  return gitIn(repository, 'log', '--format=%H%x00%B%x1e', `${from}..${to}`)
    .split('\x1e')
    .map(record => record.replace(/^\n/, ''))
    .filter(record => record.length > 0)
    .map(record => {
      const [sha, message] = record.split('\x00');
      return {
        sha,
        subject: message.split('\n')[0],
        actionId: actionIdOf(message),
      };
    });
}

/** The value at quantile `q` (0–1) of `values`, nearest rank. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(
    sorted.length - 1,
    Math.max(0, Math.ceil(q * sorted.length) - 1),
  );
  return sorted[rank];
}

/** Polls `read` until `done` holds or `ms` pass; returns the last value. */
export async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  ms: number,
  everyMs = 250,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise(resolve => setTimeout(resolve, everyMs));
  }
}
