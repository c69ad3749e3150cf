import { Aws, CustomResource, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as macie from 'aws-cdk-lib/aws-macie';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { acknowledgeRule } from '../compliance/acknowledge';
import type { MacieSchedule, MacieSeverity } from '../config';
import { buildCustomerIdIdentifier } from '../../lambda/macie-job/custom-data-identifier';
import { sha256Hex } from '../../src/integrity/digest';
import type { MacieJobResourceProperties } from '../../lambda/macie-job/properties';
import { parseJobProperties } from '../../lambda/macie-job/properties';
import { FunctionPlacement } from './secure-function';
import { SecureProvider } from './secure-provider';
import { macieJobEnvironment } from '../../lambda/macie-job/environment';

/** Macie's finding severities, least severe first (`detail.severity.description` of a finding event). */
export const MACIE_SEVERITIES: readonly MacieSeverity[] = ['Low', 'Medium', 'High'];

/** The CloudFormation type of the classification job; the compliance report looks it up by this. */
export const MACIE_JOB_RESOURCE_TYPE = 'Custom::MacieClassificationJob';

/** Severities at or above `minimum`, the values the finding rule matches. */
export function severitiesAtLeast(minimum: MacieSeverity): MacieSeverity[] {
  const index = MACIE_SEVERITIES.indexOf(minimum);
  if (index < 0) {
    throw new Error(`minimum severity must be one of ${MACIE_SEVERITIES.join(', ')}, got '${minimum}'`);
  }
  return MACIE_SEVERITIES.slice(index);
}

/**
 * The configured customer-id pattern without its `^`/`$` anchors. Configuration anchors the pattern
 * because the API validates whole ids; Macie searches inside object text, where an anchored pattern
 * would only match a file that is nothing but one id.
 */
export function unanchoredPattern(pattern: string): string {
  let body = pattern.startsWith('^') ? pattern.slice(1) : pattern;
  // A trailing `\$` is a literal dollar sign, not an anchor: count the backslashes before it.
  const trailingBackslashes = /(\\*)\$$/.exec(body)?.[1]?.length ?? -1;
  if (trailingBackslashes >= 0 && trailingBackslashes % 2 === 0) body = body.slice(0, -1);
  return body;
}

/** The Macie finding-event pattern for a minimum severity; exported for tests and the docs. */
export function macieFindingEventPattern(minimum: MacieSeverity): events.EventPattern {
  return {
    source: ['aws.macie'],
    detailType: ['Macie Finding'],
    detail: { severity: { description: severitiesAtLeast(minimum) } },
  };
}

export interface MacieScanningProps {
  /** Create the Macie session (false where Macie is enabled already or by an organisation administrator). */
  readonly enableInAccount: boolean;
  /** `DAILY`, `WEEKLY:<DAY>` or `MONTHLY:<1-31>`. */
  readonly scheduleFrequency: MacieSchedule;
  /** Findings of at least this severity go to the alert topic. */
  readonly minimumAlertSeverity: MacieSeverity;
  /** The project's customer-id regular expression (anchored, as configuration requires). */
  readonly customerIdPattern: string;
  /** Name of the bucket to classify (from the name registry; the bucket lives in another stack). */
  readonly bucketName: string;
  /** Key prefixes of that bucket to classify; at least one. */
  readonly prefixes: readonly string[];
  /** Start of the job's name, e.g. `churn-dev-pii`. */
  readonly jobNamePrefix: string;
  /** The encrypted alert topic; its policy must already admit EventBridge of this account. */
  readonly alertTopic: sns.ITopic;
  /** VPC, security group and keys of the job-management function. */
  readonly placement: FunctionPlacement;
  /**
   * A regular expression for text Macie should ignore even where an identifier matches, e.g. the ids
   * of published synthetic test customers.
   * @default no allow list
   */
  readonly allowListRegex?: string;
  /**
   * How often Macie publishes updates of existing policy findings (new findings are always published
   * at once).
   * @default 'FIFTEEN_MINUTES'
   */
  readonly findingPublishingFrequency?: 'FIFTEEN_MINUTES' | 'ONE_HOUR' | 'SIX_HOURS';
}

/**
 * DATA-2: Macie enabled in the account (optional), a custom data identifier for the project's customer
 * ids, a scheduled classification job over the given prefixes (a custom resource, since CloudFormation
 * has no job resource) and an EventBridge rule that sends findings of the configured severity and above
 * to the alert topic.
 */
export class MacieScanning extends Construct {
  readonly session?: macie.CfnSession;
  readonly customerIdIdentifier: macie.CfnCustomDataIdentifier;
  readonly allowList?: macie.CfnAllowList;
  readonly provider: SecureProvider;
  readonly job: CustomResource;
  readonly findingsRule: events.Rule;

  constructor(scope: Construct, id: string, props: MacieScanningProps) {
    super(scope, id);
    if (props.prefixes.length === 0) {
      throw new Error(
        `MacieScanning ${id}: prefixes must list at least one key prefix of ${props.bucketName}`,
      );
    }
    const stack = Stack.of(this);
    if (Token.isUnresolved(stack.account)) {
      throw new Error(`MacieScanning ${id}: the stack needs a concrete account (env.account)`);
    }
    // Fails synth, not the deployment, on a schedule or bucket Macie would reject. Identifier ids are
    // only known at deploy time, so a placeholder stands in for them here.
    parseJobProperties(this.jobProperties(props, stack.account, [], []));

    if (props.enableInAccount) {
      this.session = new macie.CfnSession(this, 'Session', {
        status: 'ENABLED',
        findingPublishingFrequency: props.findingPublishingFrequency ?? 'FIFTEEN_MINUTES',
      });
      // Deleting the session disables Macie, which deletes every job and finding of the account.
      this.session.applyRemovalPolicy(props.placement.removalPolicy);
    }

    const definition = buildCustomerIdIdentifier({ regex: unanchoredPattern(props.customerIdPattern) });
    // Every property of a custom data identifier is create-only, so a changed pattern replaces it. The
    // definition's hash in the name keeps the replacement's name distinct from the one it replaces.
    const { name: _default, ...matching } = definition;
    const identifier = {
      ...definition,
      name: `${props.jobNamePrefix}-customer-id-${sha256Hex(JSON.stringify(matching)).slice(0, 8)}`,
    };
    this.customerIdIdentifier = new macie.CfnCustomDataIdentifier(this, 'CustomerIdIdentifier', identifier);
    if (this.session) this.customerIdIdentifier.addResourceDependency(this.session);

    const allowListIds: string[] = [];
    if (props.allowListRegex !== undefined) {
      this.allowList = new macie.CfnAllowList(this, 'AllowList', {
        name: `${props.jobNamePrefix}-allow-list`,
        description: 'Text Macie ignores even where an identifier matches (known non-sensitive values)',
        criteria: { regex: props.allowListRegex },
      });
      if (this.session) this.allowList.addResourceDependency(this.session);
      allowListIds.push(this.allowList.attrId);
    }

    this.provider = new SecureProvider(this, 'JobProvider', {
      entry: 'lambda/macie-job/handler.ts',
      description: 'Creates, replaces and cancels the scheduled Macie classification job (DATA-2)',
      placement: props.placement,
      environment: macieJobEnvironment.render({ serviceName: 'macie-job' }),
    });
    this.grantJobManagement(this.provider);

    this.job = this.provider.resource(
      this,
      'ClassificationJob',
      { ...this.jobProperties(props, stack.account, [this.customerIdIdentifier.attrId], allowListIds) },
      MACIE_JOB_RESOURCE_TYPE,
    );
    if (this.session) this.job.node.addDependency(this.session);

    this.findingsRule = new events.Rule(this, 'FindingsToAlerts', {
      description: `Macie findings of severity ${props.minimumAlertSeverity} or higher to the alert topic (DATA-2)`,
      eventPattern: macieFindingEventPattern(props.minimumAlertSeverity),
      targets: [new AlertTopicTarget(props.alertTopic)],
    });
  }

  private jobProperties(
    props: MacieScanningProps,
    account: string,
    customDataIdentifierIds: string[],
    allowListIds: string[],
  ): MacieJobResourceProperties {
    return {
      AccountId: account,
      BucketName: props.bucketName,
      Prefixes: [...props.prefixes],
      ScheduleFrequency: props.scheduleFrequency,
      CustomDataIdentifierIds: customDataIdentifierIds,
      ...(allowListIds.length > 0 ? { AllowListIds: allowListIds } : {}),
      JobNamePrefix: props.jobNamePrefix,
      InitialRun: 'true',
    };
  }

  /**
   * The handler's Macie permissions. Job ids are generated by Macie, so the resource is every
   * classification job of this account and region; creation is further limited to jobs tagged with
   * this stack's name, which the handler always sets.
   */
  private grantJobManagement(provider: SecureProvider): void {
    const stack = Stack.of(this);
    // A literal partition keeps the acknowledgment id below a plain string (as elsewhere in the project,
    // ARNs are written for the aws partition when the stack's partition is not known at synth time).
    const partition = Token.isUnresolved(stack.partition) ? 'aws' : stack.partition;
    const jobs = `arn:${partition}:macie2:${stack.region}:${stack.account}:classification-job/*`;
    const policy = new iam.ManagedPolicy(this, 'JobManagementPolicy', {
      description: 'Create, describe and cancel the Macie classification jobs of this stack (DATA-2)',
      roles: [provider.handler.role],
      statements: [
        new iam.PolicyStatement({
          sid: 'CreateJobsTaggedWithThisStack',
          actions: ['macie2:CreateClassificationJob', 'macie2:TagResource'],
          resources: [jobs],
          conditions: { StringEquals: { 'aws:RequestTag/cfn-stack-name': Aws.STACK_NAME } },
        }),
        new iam.PolicyStatement({
          sid: 'DescribeAndCancelJobs',
          actions: ['macie2:DescribeClassificationJob', 'macie2:UpdateClassificationJob'],
          resources: [jobs],
        }),
      ],
    });
    acknowledgeRule(
      policy,
      `AwsSolutions-IAM5[Resource::${jobs}]`,
      'Macie generates classification job ids at creation, so no narrower ARN exists before the call; creation is limited to jobs tagged with this stack name, and describe/cancel to this account and region. Macie has no delete API, so cancel is the most the handler can do.',
    );
  }
}

/**
 * Routes matching events to the alert topic without a CDK grant: the alert topic's own policy already
 * admits EventBridge of this account (with `aws:SourceAccount`), and the SNS target's grant would add a
 * second, unconditioned statement to a topic owned by another stack. The input is trimmed to what an
 * on-call reader needs; the finding id leads to the full finding in the Macie console.
 */
class AlertTopicTarget implements events.IRuleTarget {
  constructor(private readonly topic: sns.ITopic) {}

  bind(): events.RuleTargetConfig {
    return {
      arn: this.topic.topicArn,
      input: events.RuleTargetInput.fromObject({
        control: 'DATA-2',
        summary: 'Amazon Macie found sensitive data or a policy issue',
        severity: events.EventField.fromPath('$.detail.severity.description'),
        type: events.EventField.fromPath('$.detail.type'),
        title: events.EventField.fromPath('$.detail.title'),
        bucket: events.EventField.fromPath('$.detail.resourcesAffected.s3Bucket.name'),
        objectKey: events.EventField.fromPath('$.detail.resourcesAffected.s3Object.key'),
        jobId: events.EventField.fromPath('$.detail.classificationDetails.jobId'),
        findingId: events.EventField.fromPath('$.detail.id'),
        account: events.EventField.account,
        region: events.EventField.region,
        time: events.EventField.time,
      }),
    };
  }
}
