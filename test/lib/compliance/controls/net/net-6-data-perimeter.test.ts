import { NET_6 } from '../../../../../lib/compliance/controls/net/net-6-data-perimeter';
import { bucket, bucketArn, bucketPolicy, kmsKey } from '../fixtures';
import { changed, context, describeControl, environment, Resources } from '../harness';

const NAME = 'churn-prod-data-333333333333-eu-west-1';
const perimeterDeny = {
  Sid: 'DenyOutsideThePerimeter',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: [bucketArn(NAME), `${bucketArn(NAME)}/*`],
  Condition: {
    StringNotEqualsIfExists: { 'aws:SourceVpce': 'vpce-1' },
    BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
  },
};
const resources: Resources = {
  DataKey: kmsKey(),
  Bucket: bucket(NAME),
  Policy: bucketPolicy('Bucket', [perimeterDeny]),
  S3Endpoint: {
    Type: 'AWS::EC2::VPCEndpoint',
    Properties: {
      ServiceName: 'com.amazonaws.eu-west-1.s3',
      VpcEndpointType: 'Gateway',
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Principal: '*',
            Action: 's3:*',
            Resource: [bucketArn(NAME), `${bucketArn(NAME)}/*`],
          },
        ],
      },
    },
  },
};
const ctx = (r: Resources) => () => context(environment({ stacks: { Data: r } }));

describeControl(NET_6, {
  compliant: [
    {
      name: 'the bucket behind the S3 gateway endpoint denies requests from outside it',
      context: ctx(resources),
      evidence: [
        /^churn-prod-data-333333333333-eu-west-1: DenyOutsideThePerimeter refuses requests not through the VPC endpoint/,
      ],
    },
  ],
  nonCompliant: [
    {
      name: 'the perimeter statement removed',
      context: ctx(changed(resources, (r) => (r.Policy = bucketPolicy('Bucket', [])))),
      problem: `${NAME} has no data-perimeter deny on aws:SourceVpce`,
    },
    {
      name: 'no bucket reached through the gateway endpoint',
      context: ctx(changed(resources, (r) => delete r.S3Endpoint)),
      problem: 'no bucket of the environment is reached through the S3 gateway endpoint',
    },
  ],
});
