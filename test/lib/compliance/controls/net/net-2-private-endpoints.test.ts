import {
  NET_2,
  REQUIRED_INTERFACE_ENDPOINTS,
} from '../../../../../lib/compliance/controls/net/net-2-private-endpoints';
import { changed, context, describeControl, environment, Resources } from '../harness';

const policy = (action: string) => ({
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: action,
      Resource: '*',
      Condition: { StringEquals: { 'aws:PrincipalAccount': '333333333333' } },
    },
  ],
});
const endpoints: Resources = Object.fromEntries(
  REQUIRED_INTERFACE_ENDPOINTS.map((service, i) => [
    `Endpoint${i}`,
    {
      Type: 'AWS::EC2::VPCEndpoint',
      Properties: {
        ServiceName: `com.amazonaws.eu-west-1.${service}`,
        VpcEndpointType: 'Interface',
        PrivateDnsEnabled: true,
        PolicyDocument: policy(`${service.split('.')[0]}:Describe*`),
      },
    },
  ]),
);
endpoints.S3 = {
  Type: 'AWS::EC2::VPCEndpoint',
  Properties: {
    ServiceName: 'com.amazonaws.eu-west-1.s3',
    VpcEndpointType: 'Gateway',
    PolicyDocument: {
      Statement: [
        {
          Effect: 'Allow',
          Principal: '*',
          Action: 's3:GetObject',
          Resource: ['arn:aws:s3:::data', 'arn:aws:s3:::data/*'],
        },
      ],
    },
  },
};
const ctx = (r: Resources) => () => context(environment({ stacks: { Network: r } }));

describeControl(NET_2, {
  compliant: [
    {
      name: 'every required service behind an interface endpoint with a policy and private DNS, and an S3 gateway endpoint',
      context: ctx(endpoints),
      evidence: [
        'kms: private DNS, policy allows kms:Describe*',
        'S3 gateway endpoint limited to arn:aws:s3:::data',
      ],
    },
  ],
  nonCompliant: [
    {
      name: 'an interface endpoint without a policy (full access)',
      context: ctx(changed(endpoints, (r) => delete r.Endpoint2.Properties!.PolicyDocument)),
      problem: 'interface endpoint kms has no endpoint policy (full access)',
    },
    {
      name: 'an interface endpoint policy allowing every action',
      context: ctx(changed(endpoints, (r) => (r.Endpoint5.Properties!.PolicyDocument = policy('*')))),
      problem: 'interface endpoint sts policy allows every action',
    },
    {
      name: 'an interface endpoint without private DNS',
      context: ctx(changed(endpoints, (r) => (r.Endpoint3.Properties!.PrivateDnsEnabled = false))),
      problem: 'interface endpoint logs has no private DNS',
    },
    {
      name: 'no endpoint for Secrets Manager',
      context: ctx(changed(endpoints, (r) => delete r.Endpoint6)),
      problem: 'no interface endpoint for secretsmanager',
    },
    {
      name: 'no S3 gateway endpoint',
      context: ctx(changed(endpoints, (r) => delete r.S3)),
      problem: 'no S3 gateway endpoint',
    },
  ],
});
