import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { findings, newStack } from '../helpers';

const blueGreenUpdatePolicy = {
  trafficRoutingConfiguration: {
    type: 'CANARY',
    canarySize: { type: 'CAPACITY_PERCENT', value: 10 },
    waitIntervalInSeconds: 600,
  },
};

describe('ChurnControls-SageMakerEndpointAutoRollback (MODEL-5)', () => {
  test('blue/green with rollback alarms is compliant', () => {
    const stack = newStack();
    new sagemaker.CfnEndpoint(stack, 'Endpoint', {
      endpointConfigName: 'config',
      deploymentConfig: {
        blueGreenUpdatePolicy,
        autoRollbackConfiguration: { alarms: [{ alarmName: 'errors' }] },
      },
    });
    expect(findings(stack)).toEqual([]);
  });

  test('no deployment config, or blue/green without alarms, is a finding', () => {
    const stack = newStack();
    new sagemaker.CfnEndpoint(stack, 'Plain', { endpointConfigName: 'config' });
    new sagemaker.CfnEndpoint(stack, 'NoAlarms', {
      endpointConfigName: 'config',
      deploymentConfig: { blueGreenUpdatePolicy },
    });
    expect(findings(stack)).toEqual([
      'ChurnControls-SageMakerEndpointAutoRollback Subject/NoAlarms',
      'ChurnControls-SageMakerEndpointAutoRollback Subject/Plain',
    ]);
  });
});
