import { defineControl, Findings, notApplicable } from '../control';
import { list, str } from '../template-readers';

export const MODEL_4 = defineControl({
  id: 'MODEL-4',
  implementedBy: [{ name: 'InferenceEndpoint', file: 'lib/constructs/inference-endpoint.ts' }],
  provenBy: [
    {
      file: 'test/lib/serving/serving-stack.test.ts',
      name: 'MODEL-4, NET-1, NET-3, KEY-1: the secure endpoint every model runs with network isolation in the isolated subnets of every AZ, in its own group',
    },
    {
      file: 'test/lib/serving/serving-stack.test.ts',
      name: 'MODEL-4, NET-1, NET-3, KEY-1: the secure endpoint the endpoint config encrypts ML volumes with the model key and capture with the data key',
    },
    {
      file: 'test/lib/nag/rules/sagemaker-model-isolated.test.ts',
      name: 'ChurnControls-SageMakerModelIsolated (MODEL-4, NET-1) a model without network isolation, or outside the VPC, is a finding',
    },
  ],
  rules: ['ChurnControls-SageMakerModelIsolated', 'ChurnControls-SageMakerEndpointConfigEncrypted'],
  evaluate(ctx) {
    const f = new Findings();
    const { model } = ctx;
    const models = model.ofType('AWS::SageMaker::Model');
    const configs = model.ofType('AWS::SageMaker::EndpointConfig');
    if (models.length === 0 && configs.length === 0) {
      if (ctx.servingMode === 'embedded') {
        return notApplicable(
          `${model.name} serves the model inside the inference function (serving.mode = embedded): no SageMaker model or endpoint exists`,
          'serving.mode = embedded in the configuration',
        );
      }
      f.bad(
        'no SageMaker model or endpoint configuration in the templates (the serving stack is not synthesized)',
      );
    }
    for (const m of models) {
      f.check(m.props.EnableNetworkIsolation === true, 'network isolation on', 'network isolation is off', m);
      f.check(
        list((m.props.VpcConfig as { Subnets?: unknown } | undefined)?.Subnets).length > 0,
        'in the VPC',
        'not in the VPC',
        m,
      );
    }
    for (const c of configs) {
      f.check(
        c.props.KmsKeyId !== undefined,
        `volumes encrypted with ${model.describe(c.props.KmsKeyId, c.stack)}`,
        'no volume KMS key',
        c,
      );
      const capture = c.props.DataCaptureConfig as
        { EnableCapture?: boolean; KmsKeyId?: unknown; InitialSamplingPercentage?: number } | undefined;
      f.check(
        !!capture && capture.EnableCapture !== false && capture.KmsKeyId !== undefined,
        `data capture (${str(capture?.InitialSamplingPercentage)}%) encrypted with ${model.describe(capture?.KmsKeyId, c.stack)}`,
        'data capture missing or not KMS-encrypted',
        c,
      );
    }
    return f.conclude(
      'enforced',
      'SageMaker models run isolated in the VPC with encrypted volumes and capture',
    );
  },
});
