import { RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { EnvironmentConfig, ResourceNames } from '../config';
import { IsolatedNetwork } from '../constructs/isolated-network';

export interface NetworkStackProps extends StackProps {
  readonly environment: EnvironmentConfig;
  readonly names: ResourceNames;
  readonly logsKey: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
}

export class NetworkStack extends Stack {
  readonly network: IsolatedNetwork;
  private readonly configuredAzs: readonly string[];

  /**
   * The configured zones, so the VPC's check of its zones against the stack's never triggers an
   * account lookup: without this, synth of the stage stacks needs AWS credentials.
   */
  override get availabilityZones(): string[] {
    return [...this.configuredAzs];
  }

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    this.configuredAzs = props.environment.network.availabilityZones;
    const { buckets } = props.names;
    this.network = new IsolatedNetwork(this, 'Network', {
      cidr: props.environment.network.vpcCidr,
      availabilityZones: props.environment.network.availabilityZones,
      logsKey: props.logsKey,
      logRetentionDays: props.environment.logRetentionDays,
      removalPolicy: props.removalPolicy,
      s3BucketNames: [buckets.model, buckets.data],
    });
  }
}
