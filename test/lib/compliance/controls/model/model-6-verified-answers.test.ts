import { MODEL_6 } from '../../../../../lib/compliance/controls/model/model-6-verified-answers';
import { changed, context, describeControl, environment, getAtt, ref, Resources } from '../harness';

const serving: Resources = {
  Gate: { Type: 'Custom::ModelGate', Properties: { ServingMode: 'sagemaker' } },
};
// TemplateResource declares no Condition; the endpoint stack's resources carry one (ENV-4).
const endpointStack = {
  Model: {
    Type: 'AWS::SageMaker::Model',
    Condition: 'Serves',
    Properties: { PrimaryContainer: { ModelDataUrl: ref('ServedModelUrl'), Image: ref('ServedImage') } },
  },
  Config: {
    Type: 'AWS::SageMaker::EndpointConfig',
    Condition: 'Serves',
    Properties: {
      ProductionVariants: [{ VariantName: 'production', ModelName: getAtt('Model', 'ModelName') }],
    },
  },
  Endpoint: {
    Type: 'AWS::SageMaker::Endpoint',
    Condition: 'Serves',
    Properties: { EndpointConfigName: getAtt('Config', 'EndpointConfigName') },
  },
  Framework: {
    Type: 'AWS::Lambda::Function',
    Properties: {
      Description: 'AWS CDK resource provider framework - onEvent (Prod/Endpoint/AnswerCheck/Provider)',
    },
  },
  Handler: { Type: 'AWS::Lambda::Function', Properties: { Description: 'Served-answer check' } },
  HandlerRole: { Type: 'AWS::IAM::Role', Properties: {} },
  CheckPermissions: {
    Type: 'AWS::IAM::ManagedPolicy',
    Condition: 'Serves',
    Properties: {
      Roles: [ref('HandlerRole')],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: ['sagemaker:InvokeEndpoint', 'sagemaker:DescribeEndpoint'],
            Resource: ref('Endpoint'),
          },
        ],
      },
    },
  },
  Check: {
    Type: 'Custom::ServedAnswerCheck',
    Condition: 'Serves',
    Properties: {
      ServiceToken: getAtt('Framework', 'Arn'),
      EndpointName: getAtt('Endpoint', 'EndpointName'),
      EndpointConfigName: getAtt('Config', 'EndpointConfigName'),
      ModelDataUrl: ref('ServedModelUrl'),
      ArtifactSha256: ref('ServedSha'),
    },
  },
} as unknown as Resources;

const sagemakerEnv =
  (endpoint: Resources, gate: Resources = serving) =>
  () =>
    context(environment({ stacks: { Serving: gate, Endpoint: endpoint } }), { servingMode: 'sagemaker' });

describeControl(MODEL_6, {
  compliant: [
    {
      name: 'an endpoint checked after every update by a Provider-framework check on the artifact it serves, allowed to invoke it, behind a gate that checks the image',
      context: sagemakerEnv(endpointStack),
      status: 'enforced',
      evidence: [
        /^the gate reads the model inside the artifact and refuses an official serving image known not to read/,
        /Check checks the artifact the endpoint's model serves/,
        /Check exists exactly while the endpoint does/,
        /Check answers CloudFormation through the CDK Provider framework/,
        /^the check may invoke .*Endpoint \(.*HandlerRole\)$/,
      ],
    },
  ],
  nonCompliant: [
    {
      name: 'an endpoint without a served-answer check',
      context: sagemakerEnv(changed(endpointStack, (r) => delete r.Check)),
      problem: /Endpoint has no served-answer check: a mis-scoring deployment would go unnoticed/,
    },
    {
      name: 'a check whose handler answers CloudFormation itself (no Provider framework)',
      context: sagemakerEnv(
        changed(endpointStack, (r) => (r.Check.Properties!.ServiceToken = getAtt('Handler', 'Arn'))),
      ),
      problem: /is not served by the CDK Provider framework/,
    },
    {
      name: 'a check on another artifact than the endpoint serves',
      context: sagemakerEnv(
        changed(endpointStack, (r) => (r.Check.Properties!.ModelDataUrl = 's3://elsewhere/model.tar.gz')),
      ),
      problem: /does not check the artifact the endpoint's model serves/,
    },
    {
      name: 'a check that exists while the endpoint does not (or the reverse)',
      context: sagemakerEnv(
        changed(endpointStack, (r) => delete (r.Check as { Condition?: string }).Condition),
      ),
      problem: /has condition none, the endpoint Serves/,
    },
    {
      name: 'a check that may not invoke the endpoint',
      context: sagemakerEnv(changed(endpointStack, (r) => delete r.CheckPermissions)),
      problem: /no policy lets the check invoke/,
    },
    {
      name: 'a gate that does not check the serving image against the model',
      context: sagemakerEnv(endpointStack, {
        Gate: { Type: 'Custom::ModelGate', Properties: { ServingMode: 'embedded' } },
      }),
      problem: /does not check the image against the model/,
    },
    {
      name: 'embedded serving: nothing sends the golden rows to the inference function',
      context: () =>
        context(
          environment({
            name: 'Dev',
            stacks: {
              Serving: { Gate: { Type: 'Custom::ModelGate', Properties: { ServingMode: 'embedded' } } },
            },
          }),
          { servingMode: 'embedded' },
        ),
      problem: /^serving\.mode = embedded: .* no deploy-time check sends it the golden rows/,
    },
  ],
});
