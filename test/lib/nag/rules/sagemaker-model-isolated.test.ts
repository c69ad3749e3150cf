import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { findings, newStack } from '../helpers';

const base = {
  executionRoleArn: 'arn:aws:iam::123456789012:role/model',
  primaryContainer: { image: 'image' },
};
const vpcConfig = { subnets: ['subnet-1'], securityGroupIds: ['sg-1'] };

describe('ChurnControls-SageMakerModelIsolated (MODEL-4, NET-1)', () => {
  test('a model in the VPC with network isolation is compliant', () => {
    const stack = newStack();
    new sagemaker.CfnModel(stack, 'Model', { ...base, enableNetworkIsolation: true, vpcConfig });
    expect(findings(stack)).toEqual([]);
  });

  test('a model without network isolation, or outside the VPC, is a finding', () => {
    const stack = newStack();
    new sagemaker.CfnModel(stack, 'Open', { ...base, vpcConfig });
    new sagemaker.CfnModel(stack, 'NoVpc', { ...base, enableNetworkIsolation: true });
    expect(findings(stack)).toEqual([
      'ChurnControls-SageMakerModelIsolated Subject/NoVpc',
      'ChurnControls-SageMakerModelIsolated Subject/Open',
    ]);
  });
});
