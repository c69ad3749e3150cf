import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { findings, newStack } from '../helpers';

const variant = {
  productionVariants: [
    { variantName: 'main', modelName: 'm', initialInstanceCount: 1, instanceType: 'ml.m5.large' },
  ],
};
const capture = (kmsKeyId?: string) => ({
  enableCapture: true,
  initialSamplingPercentage: 100,
  destinationS3Uri: 's3://bucket/capture/',
  captureOptions: [{ captureMode: 'Input' }, { captureMode: 'Output' }],
  kmsKeyId,
});

describe('ChurnControls-SageMakerEndpointConfigEncrypted (KEY-1, MODEL-4)', () => {
  test('volume key and KMS-encrypted data capture are compliant', () => {
    const stack = newStack();
    new sagemaker.CfnEndpointConfig(stack, 'Config', {
      ...variant,
      kmsKeyId: 'key-1',
      dataCaptureConfig: capture('key-2'),
    });
    expect(findings(stack)).toEqual([]);
  });

  test('no volume key, no data capture, or capture without a key is a finding', () => {
    const stack = newStack();
    new sagemaker.CfnEndpointConfig(stack, 'NoVolumeKey', {
      ...variant,
      dataCaptureConfig: capture('key-2'),
    });
    new sagemaker.CfnEndpointConfig(stack, 'NoCapture', { ...variant, kmsKeyId: 'key-1' });
    new sagemaker.CfnEndpointConfig(stack, 'PlainCapture', {
      ...variant,
      kmsKeyId: 'key-1',
      dataCaptureConfig: capture(),
    });
    expect(findings(stack)).toEqual([
      'ChurnControls-SageMakerEndpointConfigEncrypted Subject/NoCapture',
      'ChurnControls-SageMakerEndpointConfigEncrypted Subject/NoVolumeKey',
      'ChurnControls-SageMakerEndpointConfigEncrypted Subject/PlainCapture',
    ]);
  });
});
