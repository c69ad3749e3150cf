import { MODEL_3 } from '../../../../../lib/compliance/controls/model/model-3-artifact-integrity';
import { lambdaFunction, restApi } from '../fixtures';
import { changed, context, describeControl, environment, getAtt, Resources } from '../harness';

const gate = () => ({
  Type: 'Custom::ModelGate',
  Properties: { ModelPackageGroupName: 'churn-prod', ModelVersion: 'latest-approved' },
});
const serving: Resources = {
  Gate: gate(),
  Model: {
    Type: 'AWS::SageMaker::Model',
    Properties: {
      PrimaryContainer: { Image: getAtt('Gate', 'Image'), ModelDataUrl: getAtt('Gate', 'ModelDataUrl') },
    },
  },
};
const api: Resources = {
  ...restApi(),
  ServedModel: gate(),
  Function: lambdaFunction({
    Environment: {
      Variables: {
        MODEL_DATA_URL: getAtt('ServedModel', 'ModelDataUrl'),
        MODEL_SHA256: getAtt('ServedModel', 'ArtifactSha256'),
      },
    },
  }),
};
const ctx = (s: Resources, a: Resources) => () => context(environment({ stacks: { Serving: s, Api: a } }));
const vars = (r: Resources) =>
  (r.Function.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;

describeControl(MODEL_3, {
  compliant: [
    {
      name: 'the SageMaker model and the inference function each serve an artifact a gate verified',
      context: ctx(serving, api),
      evidence: [
        /^SageMaker model serves the artifact Prod\/Serving\/Gate verified/,
        'function loads the artifact of Prod/Api/ServedModel and verifies its recorded SHA-256 before loading it',
      ],
    },
  ],
  nonCompliant: [
    {
      name: "the SageMaker model's artifact bypasses the gate, while another gate exists elsewhere",
      context: ctx(
        changed(
          serving,
          (r) =>
            ((r.Model.Properties!.PrimaryContainer as Record<string, unknown>).ModelDataUrl =
              's3://churn-prod-model/models/v9/model.tar.gz'),
        ),
        api,
      ),
      problem:
        'SageMaker model artifact s3://churn-prod-model/models/v9/model.tar.gz does not come through a model gate',
    },
    {
      name: 'the function loads the artifact without its digest',
      context: ctx(
        serving,
        changed(api, (r) => delete vars(r).MODEL_SHA256),
      ),
      problem: "function loads the artifact of Prod/Api/ServedModel without that gate's recorded SHA-256",
    },
    {
      name: "the function checks another gate's digest",
      context: ctx(
        serving,
        changed(api, (r) => {
          vars(r).MODEL_SHA256 = { 'Fn::GetAtt': ['Other', 'ArtifactSha256'] };
          r.Other = gate();
        }),
      ),
      problem: "function loads the artifact of Prod/Api/ServedModel without that gate's recorded SHA-256",
    },
    {
      name: 'the inference function serves an artifact no gate resolved',
      context: ctx(
        serving,
        changed(api, (r) => {
          vars(r).MODEL_DATA_URL = 's3://churn-prod-model/models/v9/model.json';
          delete vars(r).MODEL_SHA256;
        }),
      ),
      problem: 'inference function serves no artifact resolved by a model gate',
    },
  ],
});
