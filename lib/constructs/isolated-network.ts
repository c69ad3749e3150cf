import { RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { acknowledgeRule } from '../compliance/acknowledge';
import { EncryptedLogGroup } from './encrypted-log-group';

/** An interface endpoint and the only actions its policy lets this account's principals perform. */
export interface EndpointSpec {
  readonly service: ec2.InterfaceVpcEndpointAwsService;
  readonly actions: readonly string[];
}

/**
 * Interface endpoints every workload needs, each with the actions the workloads call through it
 * (NET-2: least-privilege endpoint policies). Adding a call means adding its action here, reviewed.
 */
export const DEFAULT_INTERFACE_ENDPOINTS: Readonly<Record<string, EndpointSpec>> = {
  SageMakerRuntime: {
    service: ec2.InterfaceVpcEndpointAwsService.SAGEMAKER_RUNTIME,
    actions: ['sagemaker:InvokeEndpoint', 'sagemaker:InvokeEndpointAsync'],
  },
  SageMakerApi: {
    // registry look-ups by the deploy gate; the rollback function moving an endpoint back
    service: ec2.InterfaceVpcEndpointAwsService.SAGEMAKER_API,
    actions: [
      'sagemaker:Describe*',
      'sagemaker:List*',
      'sagemaker:UpdateEndpoint',
      // the rollback function recreates a known good configuration CloudFormation already deleted
      'sagemaker:CreateModel',
      'sagemaker:CreateEndpointConfig',
    ],
  },
  Kms: {
    // GenerateMac pseudonymises customer ids; the rest serve envelope encryption by the SDKs
    service: ec2.InterfaceVpcEndpointAwsService.KMS,
    actions: [
      'kms:Decrypt',
      'kms:Encrypt',
      'kms:GenerateDataKey*',
      'kms:DescribeKey',
      'kms:GenerateMac',
      'kms:VerifyMac',
    ],
  },
  Logs: {
    service: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
  },
  Monitoring: {
    service: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING,
    actions: ['cloudwatch:PutMetricData', 'cloudwatch:DescribeAlarms'],
  },
  Sts: {
    service: ec2.InterfaceVpcEndpointAwsService.STS,
    actions: ['sts:AssumeRole', 'sts:GetCallerIdentity'],
  },
  SecretsManager: {
    // reads by functions, plus what a rotation function needs (SEC-1)
    service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
    actions: [
      'secretsmanager:GetSecretValue',
      'secretsmanager:DescribeSecret',
      'secretsmanager:PutSecretValue',
      'secretsmanager:UpdateSecretVersionStage',
      'secretsmanager:GetRandomPassword',
    ],
  },
  Lambda: {
    // The CDK Provider framework function (SecureProvider) invokes its handler, and when the invoke fails
    // (a handler still Pending after a deployment) waits with waitUntilFunctionActiveV2, which polls
    // GetFunction (aws-cdk-lib custom-resources/lib/provider-framework/runtime/outbound.js). In embedded
    // mode the served-answer check (MODEL-6) invokes the inference function's new version through it.
    service: ec2.InterfaceVpcEndpointAwsService.LAMBDA,
    actions: ['lambda:InvokeFunction', 'lambda:GetFunction'],
  },
  Macie: {
    // the classification-job custom resource (DATA-2); jobs cannot be deleted, only cancelled (Update)
    service: ec2.InterfaceVpcEndpointAwsService.MACIE,
    actions: [
      'macie2:CreateClassificationJob',
      'macie2:DescribeClassificationJob',
      'macie2:UpdateClassificationJob',
      'macie2:TagResource',
    ],
  },
  XRay: {
    service: ec2.InterfaceVpcEndpointAwsService.XRAY,
    actions: [
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
      'xray:GetSamplingRules',
      'xray:GetSamplingTargets',
    ],
  },
};

export interface IsolatedNetworkProps {
  /** IPv4 range of the VPC. */
  readonly cidr: string;
  /** Availability zones by name, so synthesis never looks them up. */
  readonly availabilityZones: readonly string[];
  /** Key for the flow-log group; it must allow CloudWatch Logs. */
  readonly logsKey: kms.IKey;
  /** Retention of the flow-log group, in days CloudWatch Logs accepts. */
  readonly logRetentionDays: number;
  /** What happens to the flow-log group when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
  /** Buckets the S3 gateway endpoint may reach (bucket names: the endpoint predates the buckets). */
  readonly s3BucketNames: readonly string[];
  /** @default DEFAULT_INTERFACE_ENDPOINTS */
  readonly interfaceEndpoints?: Readonly<Record<string, EndpointSpec>>;
}

/**
 * A VPC with isolated subnets only (NET-1): no internet or NAT gateway, no public IPs, the default
 * security group stripped (NET-3), flow logs of all traffic to an encrypted log group (NET-4), and
 * PrivateLink endpoints with policies confined to the account (NET-2).
 */
export class IsolatedNetwork extends Construct {
  readonly vpc: ec2.Vpc;
  /** Workloads (functions, models) join this group; endpoints accept 443 only from it. */
  readonly workloadSecurityGroup: ec2.SecurityGroup;
  readonly endpointSecurityGroup: ec2.SecurityGroup;
  readonly s3Endpoint: ec2.GatewayVpcEndpoint;
  readonly interfaceEndpoints: Readonly<Record<string, ec2.InterfaceVpcEndpoint>>;
  readonly flowLogGroup: EncryptedLogGroup;

  constructor(scope: Construct, id: string, props: IsolatedNetworkProps) {
    super(scope, id);
    if (props.availabilityZones.length < 2) {
      throw new Error(
        `IsolatedNetwork ${id}: availabilityZones needs at least 2 zones, got ${props.availabilityZones.length}`,
      );
    }
    if (props.s3BucketNames.length === 0) {
      throw new Error(`IsolatedNetwork ${id}: s3BucketNames must name the buckets workloads may reach`);
    }
    const account = Stack.of(this).account;

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(props.cidr),
      availabilityZones: [...props.availabilityZones],
      natGateways: 0,
      createInternetGateway: false,
      restrictDefaultSecurityGroup: true,
      subnetConfiguration: [{ name: 'workload', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
      enableDnsHostnames: true,
      enableDnsSupport: true,
    });

    acknowledgeRule(
      this.vpc,
      'CloudFormation-Validate::W3010',
      'Availability-zone names come from the validated configuration (default <region>a, b, c) so that synth needs no AWS account lookup; users with other zone names set network.availabilityZones.',
    );

    this.flowLogGroup = new EncryptedLogGroup(this, 'FlowLogs', {
      encryptionKey: props.logsKey,
      retentionDays: props.logRetentionDays,
      removalPolicy: props.removalPolicy,
    });
    const flowLogRole = new iam.Role(this, 'FlowLogRole', {
      assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
      description: 'Delivers VPC flow logs to their encrypted log group',
    });
    // A managed policy instead of the inline one the flow-log construct would add (NIST IAMNoInlinePolicy).
    new iam.ManagedPolicy(this, 'FlowLogDeliveryPolicy', {
      description: 'Write VPC flow logs to their log group only',
      roles: [flowLogRole],
      statements: [
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          resources: [this.flowLogGroup.logGroup.logGroupArn],
        }),
      ],
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(
        this.flowLogGroup.logGroup,
        flowLogRole.withoutPolicyUpdates(),
      ),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });

    this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'PrivateLink endpoints: HTTPS from workloads only',
      allowAllOutbound: false,
    });
    this.workloadSecurityGroup = new ec2.SecurityGroup(this, 'WorkloadSecurityGroup', {
      vpc: this.vpc,
      description: 'Functions and models: HTTPS to AWS endpoints only',
      allowAllOutbound: false,
    });
    this.endpointSecurityGroup.addIngressRule(
      this.workloadSecurityGroup,
      ec2.Port.tcp(443),
      'HTTPS from workloads',
    );
    this.workloadSecurityGroup.addEgressRule(
      this.endpointSecurityGroup,
      ec2.Port.tcp(443),
      'HTTPS to interface endpoints',
    );
    // S3 is reached through the gateway endpoint, whose addresses are the regional S3 prefix list. That
    // list's id can only be found with an account lookup, which would make synth need credentials; the
    // isolated route tables already confine 0.0.0.0/0 to the VPC and the S3 gateway route, so this rule
    // opens nothing else.
    this.workloadSecurityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(443),
      'HTTPS to S3 through the gateway endpoint route',
    );

    this.s3Endpoint = this.vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
    // Only the project's own buckets. Lambda code and SageMaker images are fetched by those services
    // outside this VPC, so no AWS-owned bucket needs to be listed here.
    this.s3Endpoint.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ProjectBucketsOnlyForThisAccount',
        principals: [new iam.AnyPrincipal()],
        actions: [
          's3:GetObject',
          's3:GetObjectVersion',
          's3:PutObject',
          's3:ListBucket',
          's3:GetBucketLocation',
          // the scheduled MFA Delete check reads the model bucket's versioning state (MODEL-1)
          's3:GetBucketVersioning',
        ],
        resources: props.s3BucketNames.flatMap((name) => [`arn:aws:s3:::${name}`, `arn:aws:s3:::${name}/*`]),
        conditions: { StringEquals: { 'aws:PrincipalAccount': account } },
      }),
    );
    // Custom-resource functions in this VPC answer CloudFormation by a PUT to a pre-signed URL in an
    // AWS-owned bucket (region without dashes). The URL is signed by CloudFormation, not by a principal
    // of this account, so the statement cannot carry the account condition; it allows one action on one
    // AWS bucket, and writing there needs CloudFormation's signature.
    const region = Stack.of(this).region;
    if (Token.isUnresolved(region)) {
      throw new Error(`IsolatedNetwork ${id}: the stack needs a concrete region (env.region)`);
    }
    this.s3Endpoint.addToPolicy(
      new iam.PolicyStatement({
        sid: 'CloudFormationCustomResourceResponses',
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [`arn:aws:s3:::cloudformation-custom-resource-response-${region.replace(/-/g, '')}/*`],
      }),
    );

    const endpoints: Record<string, ec2.InterfaceVpcEndpoint> = {};
    for (const [name, spec] of Object.entries(props.interfaceEndpoints ?? DEFAULT_INTERFACE_ENDPOINTS)) {
      const endpoint = this.vpc.addInterfaceEndpoint(name, {
        service: spec.service,
        privateDnsEnabled: true,
        securityGroups: [this.endpointSecurityGroup],
        open: false,
        subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      });
      // Only this account's principals, only the listed actions: credentials from elsewhere cannot use
      // the endpoint, and a workload cannot call APIs it was never meant to.
      endpoint.addToPolicy(
        new iam.PolicyStatement({
          sid: 'ThisAccountsWorkloadActionsOnly',
          principals: [new iam.AnyPrincipal()],
          actions: [...spec.actions],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:PrincipalAccount': account } },
        }),
      );
      endpoints[name] = endpoint;
    }
    this.interfaceEndpoints = endpoints;
  }
}
