import { Duration } from 'aws-cdk-lib';

/**
 * The interval of an EventBridge `rate(...)` expression, so alarms on a scheduled job can use the
 * job's own period. Cron expressions have no single interval; they fall back to one hour.
 */
export function schedulePeriod(expression: string): Duration {
  const match = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (!match) return Duration.hours(1);
  const amount = Number(match[1]);
  if (amount < 1) throw new Error(`schedule '${expression}' must have a positive interval`);
  const unit = match[2];
  if (unit.startsWith('minute')) return Duration.minutes(amount);
  if (unit.startsWith('hour')) return Duration.hours(amount);
  return Duration.days(amount);
}
