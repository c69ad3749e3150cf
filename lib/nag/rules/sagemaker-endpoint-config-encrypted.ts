import { CfnResource } from 'aws-cdk-lib';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { ChurnRule, field, resolved } from '../rule';

/** KEY-1, MODEL-4: endpoint volumes and captured inference data are encrypted with a customer-managed key. */
export const SageMakerEndpointConfigEncrypted: ChurnRule = {
  id: 'SageMakerEndpointConfigEncrypted',
  info: 'The SageMaker endpoint configuration lacks a KMS key for its volumes or KMS-encrypted data capture.',
  explanation:
    'Endpoint volumes and the captured requests and responses hold model and customer data: set KmsKeyId on the endpoint configuration and a DataCaptureConfig with EnableCapture and its own KmsKeyId (KEY-1, MODEL-4).',
  level: NagMessageLevel.ERROR,
  controls: ['KEY-1', 'MODEL-4'],
  check: (node: CfnResource) => {
    if (node.cfnResourceType !== 'AWS::SageMaker::EndpointConfig') return NagRuleCompliance.NOT_APPLICABLE;
    if (!(node instanceof sagemaker.CfnEndpointConfig)) return NagRuleCompliance.NON_COMPLIANT;
    const volumeKey = resolved(node, node.kmsKeyId);
    const capture = resolved(node, node.dataCaptureConfig);
    const captureOn = field(capture, 'enableCapture') !== false && capture !== undefined;
    const captureKey = field(capture, 'kmsKeyId');
    return volumeKey && captureOn && captureKey
      ? NagRuleCompliance.COMPLIANT
      : NagRuleCompliance.NON_COMPLIANT;
  },
};
