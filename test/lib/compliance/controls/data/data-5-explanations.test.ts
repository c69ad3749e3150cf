import { DATA_5 } from '../../../../../lib/compliance/controls/data/data-5-explanations';
import { lambdaFunction, restApi } from '../fixtures';
import { changed, context, describeControl, environment, getAtt, ref, Resources } from '../harness';

const resources: Resources = {
  ...restApi(),
  ServedModel: {
    Type: 'Custom::ModelGate',
    Properties: { ModelPackageGroupName: 'churn-prod', ModelVersion: 'latest-approved' },
  },
  Function: lambdaFunction({
    Description: 'Churn inference: validate, pseudonymise, score, explain',
    Environment: {
      Variables: {
        MODEL_DATA_URL: getAtt('ServedModel', 'ModelDataUrl'),
        MODEL_SHA256: getAtt('ServedModel', 'ArtifactSha256'),
      },
    },
  }),
};
const ctx = (r: Resources) => () => context(environment({ stacks: { Api: r } }));

describeControl(DATA_5, {
  compliant: [
    {
      name: 'the API answers from the inference function, which holds the served model to explain with',
      context: ctx(resources),
      evidence: [/^inference answers come from Prod\/Api\/Function .* which holds the served model/],
    },
    {
      name: 'the API invokes an alias of the inference function (what MODEL-6 requires in embedded mode)',
      context: ctx(
        changed(resources, (r) => {
          r.Live = {
            Type: 'AWS::Lambda::Alias',
            Properties: { Name: 'live', FunctionName: ref('Function'), FunctionVersion: '7' },
          };
          const uri = (r.Method.Properties as { Integration: { Uri: { 'Fn::Join': unknown[][] } } })
            .Integration.Uri['Fn::Join'][1];
          uri[1] = ref('Live');
        }),
      ),
      evidence: [/^inference answers come from Prod\/Api\/Function .* which holds the served model/],
    },
  ],
  nonCompliant: [
    {
      name: 'no API answering inference requests',
      context: ctx({ Function: resources.Function }),
      problem: /^no REST API in the templates.*; no function answers inference requests$/,
    },
    {
      name: 'an inference function without the served model',
      context: ctx(changed(resources, (r) => delete r.Function.Properties!.Environment)),
      problem: /answers inference requests without the served model, so it cannot explain its answers$/,
    },
  ],
});
