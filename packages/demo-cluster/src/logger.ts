import { LoggerService } from '@backstage/backend-plugin-api';

/** A plain stdout logger: the demo cluster runs outside the Backstage backend. */
export function stdoutLogger(prefix = 'demo-cluster'): LoggerService {
  const write = (level: string) => (message: string, meta?: Error | object) => {
    let extra = '';
    if (meta instanceof Error) extra = ` ${meta.message}`;
    else if (meta) extra = ` ${JSON.stringify(meta)}`;
    process.stdout.write(
      `${new Date().toISOString()} ${prefix} ${level} ${message}${extra}\n`,
    );
  };
  const logger: LoggerService = {
    error: write('error'),
    warn: write('warn'),
    info: write('info'),
    debug: () => {},
    child: () => logger,
  };
  return logger;
}
