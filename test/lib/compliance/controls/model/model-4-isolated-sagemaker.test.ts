import { MODEL_4 } from '../../../../../lib/compliance/controls/model/model-4-isolated-sagemaker';
import { changed, context, describeControl, environment, ref, Resources } from '../harness';

const resources: Resources = {
  Model: {
    Type: 'AWS::SageMaker::Model',
    Properties: {
      EnableNetworkIsolation: true,
      VpcConfig: { Subnets: ['subnet-1'], SecurityGroupIds: ['sg-1'] },
    },
  },
  Config: {
    Type: 'AWS::SageMaker::EndpointConfig',
    Properties: {
      KmsKeyId: ref('ModelKey'),
      DataCaptureConfig: { EnableCapture: true, KmsKeyId: ref('DataKey'), InitialSamplingPercentage: 20 },
    },
  },
};
const ctx = (r: Resources, servingMode?: 'sagemaker' | 'embedded') => () =>
  context(environment({ stacks: { Serving: r } }), { servingMode });

describeControl(MODEL_4, {
  compliant: [
    {
      name: 'an isolated model in the VPC, encrypted volumes and capture',
      context: ctx(resources),
      evidence: ['network isolation on', 'in the VPC', /^data capture \(20%\) encrypted with/],
    },
    {
      name: 'embedded serving has no SageMaker model: not applicable, with the reason',
      context: ctx({}, 'embedded'),
      status: 'not-applicable',
    },
  ],
  nonCompliant: [
    {
      name: 'network isolation off',
      context: ctx(changed(resources, (r) => (r.Model.Properties!.EnableNetworkIsolation = false))),
      problem: 'network isolation is off',
    },
    {
      name: 'capture without a key',
      context: ctx(
        changed(
          resources,
          (r) => delete (r.Config.Properties!.DataCaptureConfig as Record<string, unknown>).KmsKeyId,
        ),
      ),
      problem: 'data capture missing or not KMS-encrypted',
    },
    {
      name: 'SageMaker serving configured but no model synthesized',
      context: ctx({}, 'sagemaker'),
      problem:
        'no SageMaker model or endpoint configuration in the templates (the serving stack is not synthesized)',
    },
  ],
});
