import { Console } from 'node:console';
import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The offline mode's logger: Powertools' JSON lines, like the Lambdas write, but every level on
 * stderr (Powertools sends INFO and DEBUG to stdout, which the offline mode keeps for what a user
 * reads). Children (`createChild`, one per workflow step) inherit the stream. Quiet by default:
 * `DBFORK_LOG_LEVEL` (DEBUG, INFO, WARN, ERROR, SILENT) changes the level.
 */
export type LocalLogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';

export const DEFAULT_LOCAL_LOG_LEVEL: LocalLogLevel = 'WARN';

function stderrConsole(): Console {
  const console = new Console({ stdout: process.stderr, stderr: process.stderr });
  // As Powertools does: a TRACE log is a line, not a stack trace.
  console.trace = (message?: unknown, ...rest: unknown[]) => console.log(message, ...rest);
  return console;
}

export class StderrLogger extends Logger {
  constructor(options: ConstructorParameters<typeof Logger>[0] = {}) {
    super(options);
    // Powertools keeps its Console in a plain (TypeScript-private) field and offers no option for it.
    Reflect.set(this, 'console', stderrConsole());
  }

  protected override createLogger(options?: ConstructorParameters<typeof Logger>[0]): StderrLogger {
    return new StderrLogger(options);
  }

  override createChild(options?: ConstructorParameters<typeof Logger>[0]): StderrLogger {
    return super.createChild(options) as StderrLogger;
  }
}

export function parseLogLevel(raw: string | undefined): LocalLogLevel {
  const level = (raw ?? '').trim().toUpperCase();
  const known: readonly string[] = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'];
  return known.includes(level) ? (level as LocalLogLevel) : DEFAULT_LOCAL_LOG_LEVEL;
}

export function localLogger(level: LocalLogLevel = DEFAULT_LOCAL_LOG_LEVEL): StderrLogger {
  return new StderrLogger({ serviceName: 'dbfork-local', logLevel: level });
}
