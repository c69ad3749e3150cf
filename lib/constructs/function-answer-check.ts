import { CfnCondition, CfnResource, CustomResource, Duration, Fn, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { PROVENANCE_SUFFIX } from '../../src/registry/golden';
import { FunctionPlacement } from './secure-function';
import { SecureProvider } from './secure-provider';

/** The CloudFormation type of the check; the handler is `lambda/function-answer-check/handler.ts`. */
export const FUNCTION_ANSWER_CHECK_RESOURCE_TYPE = 'Custom::ServedFunctionAnswerCheck';

export interface FunctionAnswerCheckProps {
  /** Where the check's function runs (the isolated subnets, reaching Lambda and S3 through endpoints) and its keys. */
  readonly placement: FunctionPlacement;
  /**
   * The inference function's version this deployment published: the exact code and configuration behind
   * the API. Replaced whenever the code, the configuration or the served model changes, so the check
   * (whose properties name it) runs again each time.
   */
  readonly version: lambda.IVersion;
  /** What the gate verified (the served-model record): the version, the artifact, its digest and object ARN. */
  readonly model: {
    readonly modelVersion: string;
    readonly modelDataUrl: string;
    readonly artifactSha256: string;
    readonly artifactObjectArn: string;
  };
  /** The key that encrypts the artifact: the check decrypts it through S3 only. */
  readonly modelKey: kms.IKey;
  /**
   * Set when a model is served only under a condition (ENV-4: nothing served on a new account); the check
   * and its grants then exist under the same condition. @default always created
   */
  readonly whenServed?: CfnCondition;
}

/**
 * The served-answer check for embedded serving (MODEL-6): a custom resource, after the inference function
 * is updated and a version published, that invokes exactly that version with the golden records recorded
 * at publish (the function's direct-invoke check event, src/registry/function-check-event.ts) and compares
 * its answers with the exact scorer's predictions. A difference fails the resource, so the stack update
 * fails and CloudFormation rolls the function back to its previous code and configuration. Built on the
 * Provider framework, so a handler that fails or times out still answers CloudFormation.
 */
export class FunctionAnswerCheck extends Construct {
  readonly provider: SecureProvider;
  /** What the check may call and read: that one version, that artifact and its provenance (through S3). */
  readonly policy: iam.ManagedPolicy;
  readonly resource: CustomResource;
  /**
   * The version number that passed the check (the custom resource's `Version` attribute), for the alias
   * callers invoke: a reference to it cannot resolve before the check has succeeded. While nothing is
   * served (no check exists) it is the version just published, which answers NoModelDeployed.
   */
  readonly passedVersion: string;

  constructor(scope: Construct, id: string, props: FunctionAnswerCheckProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.provider = new SecureProvider(this, 'Provider', {
      entry: 'lambda/function-answer-check/handler.ts',
      description:
        'Served-answer check: the inference function version just published must answer the golden records as recorded',
      placement: props.placement,
      // Reading the artifact and its provenance, one invoke of at most 1,000 records (the function's own
      // timeout bounds it), with the SDK's retries on a throttled invoke.
      timeout: Duration.minutes(5),
      memorySize: 1024,
    });

    this.policy = new iam.ManagedPolicy(this, 'CheckPermissions', {
      description:
        'Served-answer check: invoke the inference function version just published and read the artifact it serves',
      roles: [this.provider.handler.role],
      statements: [
        new iam.PolicyStatement({
          sid: 'InvokeTheVersionJustPublished',
          actions: ['lambda:InvokeFunction'],
          resources: [props.version.functionArn],
        }),
        new iam.PolicyStatement({
          sid: 'ReadTheServedArtifactAndItsProvenance',
          actions: ['s3:GetObject'],
          resources: [
            props.model.artifactObjectArn,
            Fn.join('', [props.model.artifactObjectArn, PROVENANCE_SUFFIX]),
          ],
        }),
        new iam.PolicyStatement({
          sid: 'DecryptThemThroughS3',
          actions: ['kms:Decrypt'],
          resources: [props.modelKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
        }),
      ],
    });
    // The grants name the served artifact, which is 'none' while nothing is served: not a valid ARN.
    if (props.whenServed) {
      (this.policy.node.defaultChild as iam.CfnManagedPolicy).cfnOptions.condition = props.whenServed;
    }

    this.resource = this.provider.resource(
      this,
      'Check',
      {
        FunctionArn: props.version.functionArn,
        ModelVersion: props.model.modelVersion,
        ModelDataUrl: props.model.modelDataUrl,
        ArtifactSha256: props.model.artifactSha256,
      },
      FUNCTION_ANSWER_CHECK_RESOURCE_TYPE,
    );
    const cfn = this.resource.node.defaultChild as CfnResource;
    if (props.whenServed) cfn.cfnOptions.condition = props.whenServed;
    this.resource.node.addDependency(this.policy);
    this.resource.node.addDependency(props.version);
    const passed = this.resource.getAttString('Version');
    this.passedVersion = props.whenServed
      ? Fn.conditionIf(props.whenServed.logicalId, passed, props.version.version).toString()
      : passed;
  }
}
