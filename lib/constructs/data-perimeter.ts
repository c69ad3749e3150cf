import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';

export interface DataPerimeterProps {
  /** The S3 gateway endpoint id workloads use; requests through it are inside the perimeter. */
  readonly vpcEndpointId: string;
  /** Role ARNs that may reach the bucket from outside the VPC (deploy and model-publishing roles). */
  readonly trustedRoleArns: readonly string[];
  /** CDK bootstrap qualifier: the bootstrap roles deploy the stack that owns the bucket. */
  readonly cdkQualifier: string;
}

/** The principals, besides configured roles, that must reach a perimeter bucket from outside the VPC. */
export function perimeterExemptPrincipalArns(stack: Stack, props: DataPerimeterProps): string[] {
  const { account, region } = stack;
  return [
    ...props.trustedRoleArns,
    // CloudFormation writes the bucket policy and configuration through the bootstrap roles.
    `arn:aws:iam::${account}:role/cdk-${props.cdkQualifier}-cfn-exec-role-${account}-${region}`,
    `arn:aws:iam::${account}:role/cdk-${props.cdkQualifier}-deploy-role-${account}-${region}`,
    // Macie's classification jobs read objects with its service-linked role (DATA-2).
    `arn:aws:iam::${account}:role/aws-service-role/macie.amazonaws.com/AWSServiceRoleForAmazonMacie`,
    // The root user is the only identity that can turn on MFA Delete (MODEL-1); it is also break-glass.
    `arn:aws:iam::${account}:root`,
  ];
}

/**
 * NET-6: denies every request to the bucket unless it arrives through the VPC's S3 endpoint, is made
 * by an AWS service for the account (log delivery, CloudTrail) or on a principal's behalf through
 * another service (SageMaker, KMS), or comes from an exempt principal. All conditions must hold for
 * the deny to apply, so each one is an exception, not a grant.
 */
export function applyDataPerimeter(bucket: s3.IBucket, props: DataPerimeterProps): void {
  const stack = Stack.of(bucket);
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'DataPerimeterOnlyThroughTheVpcEndpoint',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:*'],
      resources: [bucket.bucketArn, bucket.arnForObjects('*')],
      conditions: {
        // Absent when the request does not come through any endpoint: IfExists makes that count as "not ours".
        StringNotEqualsIfExists: { 'aws:SourceVpce': props.vpcEndpointId },
        // Service principals (log delivery) and calls a service makes for a principal (SageMaker, KMS).
        BoolIfExists: { 'aws:PrincipalIsAWSService': 'false', 'aws:ViaAWSService': 'false' },
        ArnNotLikeIfExists: { 'aws:PrincipalArn': perimeterExemptPrincipalArns(stack, props) },
      },
    }),
  );
}
