import { CfnCondition, CfnResource, CustomResource, Duration, Fn, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { PROVENANCE_SUFFIX } from '../../src/registry/golden';
import { FunctionPlacement } from './secure-function';
import { SecureProvider } from './secure-provider';

/** The CloudFormation type of the check; the handler is `lambda/answer-check/handler.ts`. */
export const SERVED_ANSWER_CHECK_RESOURCE_TYPE = 'Custom::ServedAnswerCheck';

export interface ServedAnswerCheckProps {
  /** Where the check's function runs (the isolated subnets, to reach the endpoint through PrivateLink) and its keys. */
  readonly placement: FunctionPlacement;
  /** The endpoint whose answers are checked, after CloudFormation has created or updated it. */
  readonly endpoint: sagemaker.CfnEndpoint;
  /** The configuration the deployment puts on the endpoint (a rollback of the check skips another one). */
  readonly endpointConfig: sagemaker.CfnEndpointConfig;
  /** What the gate verified (the served-model record): the artifact, its digest and object ARN, the image. */
  readonly model: {
    readonly modelDataUrl: string;
    readonly artifactSha256: string;
    readonly artifactObjectArn: string;
    readonly image: string;
  };
  /** The key that encrypts the artifact: the check decrypts it through S3 only. */
  readonly modelKey: kms.IKey;
  /**
   * Set when the endpoint exists only while a model is served (ENV-4); the check and its grants then
   * exist under the same condition. @default always created
   */
  readonly whenServed?: CfnCondition;
}

/**
 * The served-answer check (MODEL-6): a custom resource, after the endpoint, that sends the golden rows
 * recorded at publish (and rows on the model's split points) to the endpoint just deployed and compares
 * its answers with the exact scorer's. A difference fails the resource, so the stack update fails and
 * CloudFormation rolls the endpoint back to its previous configuration; on a first deploy the endpoint
 * is deleted again. Built on the Provider framework, so a handler that fails or times out still answers.
 * Every property that changes what is served (artifact, digest, image, endpoint configuration) is a
 * resource property: any such change runs the check again.
 */
export class ServedAnswerCheck extends Construct {
  readonly provider: SecureProvider;
  /** What the check may read and call: that endpoint, that artifact and its provenance, through S3 only. */
  readonly policy: iam.ManagedPolicy;
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: ServedAnswerCheckProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.provider = new SecureProvider(this, 'Provider', {
      entry: 'lambda/answer-check/handler.ts',
      description: `Served-answer check: the endpoint ${props.endpoint.endpointName ?? ''} must answer the golden rows as recorded`,
      placement: props.placement,
      // Reading the artifact, scoring a few hundred rows and one InvokeEndpoint call (60 s at most).
      timeout: Duration.minutes(5),
      memorySize: 1024,
    });

    const endpointArn = props.endpoint.ref;
    this.policy = new iam.ManagedPolicy(this, 'CheckPermissions', {
      description: 'Served-answer check: invoke the endpoint just deployed and read the artifact it serves',
      roles: [this.provider.handler.role],
      statements: [
        new iam.PolicyStatement({
          sid: 'InvokeAndDescribeTheEndpointJustDeployed',
          actions: ['sagemaker:InvokeEndpoint', 'sagemaker:DescribeEndpoint'],
          resources: [endpointArn],
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
        EndpointName: props.endpoint.attrEndpointName,
        EndpointConfigName: props.endpointConfig.attrEndpointConfigName,
        ModelDataUrl: props.model.modelDataUrl,
        ArtifactSha256: props.model.artifactSha256,
        Image: props.model.image,
      },
      SERVED_ANSWER_CHECK_RESOURCE_TYPE,
    );
    const cfn = this.resource.node.defaultChild as CfnResource;
    if (props.whenServed) cfn.cfnOptions.condition = props.whenServed;
    this.resource.node.addDependency(this.policy);
    this.resource.node.addDependency(props.endpoint);
  }
}
