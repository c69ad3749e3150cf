import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { environmentContract, POWERTOOLS_VARIABLES } from './environment-contract';

/** Every function's construct sets the service name; tests and local runs may leave it out. */
const powertools = environmentContract({ serviceName: POWERTOOLS_VARIABLES.serviceName });
const serviceNameOr = (fallback: string) => powertools.read().serviceName?.trim() || fallback;

/**
 * The one place functions get Powertools' logger (structured JSON) and metrics (CloudWatch EMF). The
 * service name and metric namespace come from the standard POWERTOOLS_SERVICE_NAME /
 * POWERTOOLS_METRICS_NAMESPACE variables the construct sets; the argument is the fallback for local runs
 * and tests.
 *
 * Tracing is Lambda's own active X-Ray tracing, which SecureFunction turns on. The Powertools tracer's
 * SDK subsegments are left out: they put the X-Ray SDK in the bundle, which cost the inference function
 * 40 to 80 ms of its cold start (`npm run bench -- inference`).
 */
export interface Observability {
  readonly logger: Logger;
  readonly metrics: Metrics;
}

const cache = new Map<string, Observability>();

/** Returns the same instances for a service name, so every module of a function shares one logger. */
export function observability(fallbackServiceName: string): Observability {
  const serviceName = serviceNameOr(fallbackServiceName);
  let found = cache.get(serviceName);
  if (found === undefined) {
    found = {
      logger: new Logger({ serviceName }),
      metrics: new Metrics({ serviceName }),
    };
    cache.set(serviceName, found);
  }
  return found;
}

/** A logger only: for functions that publish no metrics and need no SDK subsegments. */
export function createLogger(fallbackServiceName: string): Logger {
  return new Logger({ serviceName: serviceNameOr(fallbackServiceName) });
}
