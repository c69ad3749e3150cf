import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * The one place functions get Powertools' logger (structured JSON), metrics (CloudWatch EMF) and tracer
 * (X-Ray subsegments for SDK calls). The service name and metric namespace come from the standard
 * POWERTOOLS_SERVICE_NAME / POWERTOOLS_METRICS_NAMESPACE variables the construct sets; the argument is the
 * fallback for local runs and tests.
 */
export interface Observability {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly tracer: Tracer;
}

const cache = new Map<string, Observability>();

/** Returns the same instances for a service name, so every module of a function shares one logger. */
export function observability(fallbackServiceName: string): Observability {
  const serviceName = process.env.POWERTOOLS_SERVICE_NAME?.trim() || fallbackServiceName;
  let found = cache.get(serviceName);
  if (found === undefined) {
    found = {
      logger: new Logger({ serviceName }),
      metrics: new Metrics({ serviceName }),
      tracer: new Tracer({ serviceName }),
    };
    cache.set(serviceName, found);
  }
  return found;
}

/** A logger only: for functions that publish no metrics and need no SDK subsegments. */
export function createLogger(fallbackServiceName: string): Logger {
  return new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME?.trim() || fallbackServiceName });
}
