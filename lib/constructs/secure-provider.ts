import { CustomResource, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledgeRule } from '../compliance/acknowledge';
import { EncryptedLogGroup } from './encrypted-log-group';
import { ManagedPolicyRole } from './managed-policy-role';
import {
  encryptedDeadLetterQueue,
  FunctionPlacement,
  SecureFunction,
  SecureFunctionProps,
  vpcNetworkInterfaceStatement,
  WILDCARD_RESOURCE_REASON,
} from './secure-function';

export interface SecureProviderProps {
  /** The handler module answering Create/Update/Delete, e.g. `lambda/model-gate/handler.ts`. */
  readonly entry: string;
  /** What the custom resource does, shown on both functions. */
  readonly description: string;
  /** VPC, security group and keys of the handler and the framework function. */
  readonly placement: FunctionPlacement;
  /** The handler's environment, rendered by its contract. @default none */
  readonly environment?: SecureFunctionProps['environment'];
  /** @default Duration.minutes(5) */
  readonly timeout?: Duration;
  /** Memory of the handler. @default SecureFunction's default */
  readonly memorySize?: SecureFunctionProps['memorySize'];
}

/**
 * A custom-resource provider built on the CDK Provider framework, so a handler that throws still
 * answers CloudFormation with the error instead of leaving the stack waiting for an hour. Both the
 * handler and the framework function get the project's function hardening.
 */
export class SecureProvider extends Construct {
  readonly handler: SecureFunction;
  readonly provider: cr.Provider;

  constructor(scope: Construct, id: string, props: SecureProviderProps) {
    super(scope, id);
    const { placement } = props;
    this.handler = new SecureFunction(this, 'Handler', {
      entry: props.entry,
      description: props.description,
      placement,
      environment: props.environment,
      timeout: props.timeout ?? Duration.minutes(5),
      memorySize: props.memorySize,
    });

    const frameworkLogs = new EncryptedLogGroup(this, 'FrameworkLogs', {
      encryptionKey: placement.logsKey,
      retentionDays: placement.logRetentionDays,
      removalPolicy: placement.removalPolicy,
    });
    const frameworkRole = new ManagedPolicyRole(this, 'FrameworkRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Custom-resource framework for: ${props.description}`,
    });
    frameworkRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [frameworkLogs.logGroup.logGroupArn],
      }),
    );
    frameworkRole.addToPrincipalPolicy(vpcNetworkInterfaceStatement(Stack.of(this).region));

    this.provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.handler.function,
      logGroup: frameworkLogs.logGroup,
      vpc: placement.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [placement.securityGroup],
      frameworkOnEventRole: frameworkRole,
      providerFunctionEnvEncryption: placement.dataKey,
    });

    // The framework function is created inside Provider with no knobs for concurrency or a DLQ.
    const framework = this.provider.node.findChild('framework-onEvent') as lambda.Function;
    const frameworkDlq = encryptedDeadLetterQueue(this, 'FrameworkDeadLetters', placement, frameworkRole);
    const cfnFramework = framework.node.defaultChild as lambda.CfnFunction;
    cfnFramework.reservedConcurrentExecutions = 2;
    cfnFramework.deadLetterConfig = { targetArn: frameworkDlq.queueArn };
    cfnFramework.tracingConfig = { mode: 'Active' };
    framework.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
        resources: ['*'],
      }),
    );

    acknowledgeRule(frameworkRole.policy, 'AwsSolutions-IAM5[Resource::*]', WILDCARD_RESOURCE_REASON);
    acknowledgeRule(
      frameworkRole.policy,
      `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.handler.function.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
      'The CDK Provider framework invokes the handler function and its versions ("<function arn>:*"); the wildcard is the version qualifier of that single function.',
    );
  }

  /** Creates a custom resource answered by this provider. */
  resource(
    scope: Construct,
    id: string,
    properties: Record<string, unknown>,
    resourceType: string,
  ): CustomResource {
    return new CustomResource(scope, id, {
      serviceToken: this.provider.serviceToken,
      properties,
      resourceType,
    });
  }
}
