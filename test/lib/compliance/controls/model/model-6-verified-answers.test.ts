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

// Embedded serving (Dev): the inference function, the version each deployment publishes, and the check.
const apiStack = {
  Fn: {
    Type: 'AWS::Lambda::Function',
    Properties: {
      Description: 'Churn inference (embedded)',
      Environment: {
        Variables: {
          SERVING_MODE: 'embedded',
          MODEL_VERSION: ref('ServedVersion'),
          MODEL_DATA_URL: ref('ServedModelUrl'),
          MODEL_SHA256: ref('ServedSha'),
        },
      },
    },
  },
  FnCurrentVersion0123: {
    Type: 'AWS::Lambda::Version',
    Properties: {
      FunctionName: ref('Fn'),
      Description: {
        'Fn::Join': ['', ['serving model ', ref('ServedVersion'), ' (', ref('ServedSha'), ')']],
      },
    },
  },
  OtherFn: { Type: 'AWS::Lambda::Function', Properties: { Description: 'another function' } },
  OtherVersion: { Type: 'AWS::Lambda::Version', Properties: { FunctionName: ref('OtherFn') } },
  Framework: {
    Type: 'AWS::Lambda::Function',
    Properties: {
      Description: 'AWS CDK resource provider framework - onEvent (Dev/Api/AnswerCheck/Provider)',
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
          { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: ref('FnCurrentVersion0123') },
        ],
      },
    },
  },
  Live: {
    Type: 'AWS::Lambda::Alias',
    Properties: {
      Name: 'live',
      FunctionName: ref('Fn'),
      FunctionVersion: {
        'Fn::If': ['Serves', getAtt('Check', 'Version'), getAtt('FnCurrentVersion0123', 'Version')],
      },
    },
  },
  Predictions: {
    Type: 'AWS::ApiGateway::Method',
    Properties: {
      Integration: {
        Type: 'AWS_PROXY',
        Uri: {
          'Fn::Join': [
            '',
            ['arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/', ref('Live'), '/invocations'],
          ],
        },
      },
    },
  },
  Check: {
    Type: 'Custom::ServedFunctionAnswerCheck',
    Condition: 'Serves',
    Properties: {
      ServiceToken: getAtt('Framework', 'Arn'),
      FunctionArn: ref('FnCurrentVersion0123'),
      ModelVersion: ref('ServedVersion'),
      ModelDataUrl: ref('ServedModelUrl'),
      ArtifactSha256: ref('ServedSha'),
    },
  },
} as unknown as Resources;

const embeddedEnv = (api: Resources) => () =>
  context(
    environment({
      name: 'Dev',
      stacks: {
        Serving: { Gate: { Type: 'Custom::ModelGate', Properties: { ServingMode: 'embedded' } } },
        Api: api,
      },
    }),
    { servingMode: 'embedded' },
  );

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
    {
      name: 'embedded: the inference function checked after every deployment, on the version it publishes (new code, configuration or model: new version), through the Provider framework, allowed to invoke exactly that version',
      context: embeddedEnv(apiStack),
      status: 'enforced',
      evidence: [
        /Check invokes the version of .*Fn published in the same deployment \(.*FnCurrentVersion0123\), so new code or configuration runs the check again/,
        /FnCurrentVersion0123 names the served model version and digest, so a new model publishes a new version/,
        /Check compares with the golden set of the artifact the function serves/,
        /Check answers CloudFormation through the CDK Provider framework/,
        /Predictions invokes .*Live, whose version is the one .*Check passed: a version that fails the check never answers a caller/,
        /^the check may invoke .*FnCurrentVersion0123 \(.*HandlerRole\)$/,
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
      name: 'embedded serving: no check sends the golden records to the inference function',
      context: embeddedEnv(changed(apiStack, (r) => delete r.Check)),
      problem:
        /^serving\.mode = embedded: .*Fn scores with the exact scorer, but no served-answer check sends it the golden records/,
    },
    {
      name: 'embedded serving: the check invokes another function',
      context: embeddedEnv(changed(apiStack, (r) => (r.Check.Properties!.FunctionArn = ref('OtherVersion')))),
      problem: /Fn has no served-answer check: the check present invokes .*OtherFn/,
    },
    {
      name: 'embedded serving: the check invokes the function unqualified, so new code alone would not run it again',
      context: embeddedEnv(changed(apiStack, (r) => (r.Check.Properties!.FunctionArn = getAtt('Fn', 'Arn')))),
      problem:
        /invokes .*Fn itself, not a version published with the deployment: .*new code would not be checked/,
    },
    {
      name: 'embedded serving: the version does not name the model, so a model change alone publishes no new version',
      context: embeddedEnv(
        changed(apiStack, (r) => (r.FnCurrentVersion0123.Properties!.Description = 'churn inference')),
      ),
      problem: /does not name the served model \(MODEL_VERSION, MODEL_SHA256\)/,
    },
    {
      name: 'embedded serving: the check compares with another artifact than the function serves',
      context: embeddedEnv(
        changed(apiStack, (r) => (r.Check.Properties!.ModelDataUrl = 's3://elsewhere/model.tar.gz')),
      ),
      problem: /does not check the artifact .*Fn serves/,
    },
    {
      name: 'embedded serving: the API invokes the function unqualified ($LATEST), so callers reach new code before the check',
      context: embeddedEnv(
        changed(apiStack, (r) => {
          const uri = (r.Predictions.Properties as { Integration: { Uri: { 'Fn::Join': unknown[][] } } })
            .Integration.Uri['Fn::Join'][1];
          uri[1] = getAtt('Fn', 'Arn');
        }),
      ),
      problem:
        /Predictions invokes .*Fn unqualified \(\$LATEST\): new code answers callers before .*Check has run/,
    },
    {
      name: 'embedded serving: the API invokes an alias that moves to the new version in parallel with the check',
      context: embeddedEnv(
        changed(
          apiStack,
          (r) => (r.Live.Properties!.FunctionVersion = getAtt('FnCurrentVersion0123', 'Version')),
        ),
      ),
      problem: /Predictions invokes .*Live, which does not take its version from .*Check/,
    },
    {
      name: 'embedded serving: a check that may not invoke the version',
      context: embeddedEnv(changed(apiStack, (r) => delete r.CheckPermissions)),
      problem: /no policy lets the check invoke .*FnCurrentVersion0123/,
    },
  ],
});
