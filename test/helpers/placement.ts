import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IsolatedNetwork } from '../../lib/constructs/isolated-network';
import { FunctionPlacement } from '../../lib/constructs/secure-function';
import cdkJson from '../../cdk.json';

/**
 * A standalone stack with an isolated network and two keys, for testing one workload construct
 * without the whole app. Bundling is off, as in every construct test.
 */
export function placementFixture(account = '111111111111', region = 'eu-west-1') {
  const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Fixture', { env: { account, region } });
  const dataKey = new kms.Key(stack, 'DataKey', { enableKeyRotation: true });
  const logsKey = new kms.Key(stack, 'LogsKey', { enableKeyRotation: true });
  const network = new IsolatedNetwork(stack, 'Net', {
    cidr: '10.0.0.0/16',
    availabilityZones: [`${region}a`, `${region}b`],
    logsKey,
    logRetentionDays: 30,
    removalPolicy: RemovalPolicy.DESTROY,
    s3BucketNames: ['bucket'],
  });
  const placement: FunctionPlacement = {
    vpc: network.vpc,
    securityGroup: network.workloadSecurityGroup,
    dataKey,
    logsKey,
    logRetentionDays: 30,
    removalPolicy: RemovalPolicy.DESTROY,
  };
  return { app, stack, placement, dataKey, logsKey };
}
