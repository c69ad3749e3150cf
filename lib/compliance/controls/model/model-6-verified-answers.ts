import { ResourceHandle } from '../../model';
import { defineControl, Findings } from '../control';
import { grantsOf, rolesOfPolicy } from '../template-readers';
import { MODEL_GATE_TYPE } from './model-2-registry-approval';

/** The CloudFormation type of the served-answer check (`ServedAnswerCheck`). */
export const SERVED_ANSWER_CHECK_TYPE = 'Custom::ServedAnswerCheck';

/** The description CDK gives the Provider framework's onEvent function, which always answers CloudFormation. */
const PROVIDER_FRAMEWORK = /AWS CDK resource provider framework - onEvent/;

export const MODEL_6 = defineControl({
  id: 'MODEL-6',
  implementedBy: [
    { name: 'publishModel', file: 'src/registry/publish.ts' },
    { name: 'checkImageReadsModel', file: 'src/registry/xgboost-image.ts' },
    { name: 'checkEndpointAnswers', file: 'src/registry/answer-check.ts' },
    { name: 'ServedAnswerCheck', file: 'lib/constructs/served-answer-check.ts' },
  ],
  provenBy: [
    {
      file: 'test/src/registry/publish.test.ts',
      name: 'publish records a golden set with the exact scorer predictions (MODEL-6) MODEL-6 scores the --golden-rows CSV (model columns, empty = missing) with the exact scorer',
    },
    {
      file: 'test/src/registry/publish.test.ts',
      name: 'publish reads the model inside the artifact (MODEL-6) refuses a 3.1 model with the 1.7-1 image, and records the writer version and objective',
    },
    {
      file: 'test/lambda/model-gate/serving-image.test.ts',
      name: 'model gate: the serving image must read the model (MODEL-6) refuses a 3.1 model on sagemaker-xgboost:1.7-1, saying why and what to do instead',
    },
    {
      file: 'test/src/registry/answer-check.test.ts',
      name: 'served-answer check (MODEL-6): what was just deployed must answer the golden rows as recorded MODEL-6 fails the deployment on a deliberately wrong endpoint answer, naming the first differing row',
    },
    {
      file: 'test/lambda/answer-check/handler.test.ts',
      name: 'served-answer check handler (MODEL-6) MODEL-6 a deliberately wrong endpoint answer fails the Create/Update, so CloudFormation rolls back',
    },
    {
      file: 'test/lib/serving/serving-stack.test.ts',
      name: 'MODEL-6: served-answer check may invoke and describe exactly that endpoint, read exactly the served artifact and its provenance, and decrypt only through S3',
    },
    {
      file: 'test/src/cli/model-verify.test.ts',
      name: 'npm run model -- verify (MODEL-6): the deployed endpoint answers the golden rows as recorded MODEL-6 exits 12 naming the first differing row when the endpoint answers wrong',
    },
  ],
  evaluate(ctx) {
    const f = new Findings();
    const { model } = ctx;
    const endpoints = model.ofType('AWS::SageMaker::Endpoint');
    const checks = model.ofType(SERVED_ANSWER_CHECK_TYPE);
    const gates = model.ofType(MODEL_GATE_TYPE);
    if (gates.length === 0) f.bad('no model gate in the templates (the serving stack is not synthesized)');

    if (endpoints.length === 0) {
      // Embedded mode: the function scores with this scorer, but nothing sends it the golden rows.
      f.bad(
        ctx.servingMode === 'embedded' || gates.every((g) => g.props.ServingMode !== 'sagemaker')
          ? 'serving.mode = embedded: the inference function serves the digest-verified artifact with the exact scorer, ' +
              'but no deploy-time check sends it the golden rows (the served-answer check covers SageMaker endpoints only)'
          : 'no SageMaker endpoint in the templates (the endpoint stack is not synthesized)',
      );
    }
    for (const gate of gates) {
      if (endpoints.length === 0) continue;
      f.check(
        gate.props.ServingMode === 'sagemaker',
        'the gate reads the model inside the artifact and refuses an official serving image known not to read its XGBoost version (for example a 3.1 model on sagemaker-xgboost:1.7-1)',
        `the gate serves endpoints but is not told (ServingMode ${String(gate.props.ServingMode ?? 'unset')}), so it does not check the image against the model`,
        gate,
      );
    }
    for (const endpoint of endpoints) {
      const check = checks.find((c) => model.target(c.props.EndpointName, c.stack) === endpoint);
      if (!check) {
        f.bad(
          `${endpoint.path} has no served-answer check: a mis-scoring deployment would go unnoticed`,
          endpoint,
        );
        continue;
      }
      checkOne(f, ctx.model, endpoint, check);
    }
    return f.conclude(
      'enforced',
      'publish records the writer version and golden predictions of the exact scorer; the gate refuses an image known not to read the model; after every endpoint update the golden rows must be answered as recorded, or the deployment fails and rolls back',
    );
  },
});

const conditionOf = (h: ResourceHandle): string | null =>
  (h.resource as { Condition?: string }).Condition ?? null;

function checkOne(
  f: Findings,
  model: Parameters<typeof MODEL_6.evaluate>[0]['model'],
  endpoint: ResourceHandle,
  check: ResourceHandle,
): void {
  // The endpoint's configuration and its production variant's model: what the endpoint serves.
  const config = model.target(endpoint.props.EndpointConfigName, endpoint.stack);
  const variant = (config?.props.ProductionVariants as Array<{ ModelName?: unknown }> | undefined)?.[0];
  const served = config && variant ? model.target(variant.ModelName, config.stack) : undefined;
  const servedUrl = (served?.props.PrimaryContainer as { ModelDataUrl?: unknown } | undefined)?.ModelDataUrl;
  f.check(
    served !== undefined && JSON.stringify(servedUrl) === JSON.stringify(check.props.ModelDataUrl),
    `${check.path} checks the artifact the endpoint's model serves (${model.describe(check.props.ModelDataUrl, check.stack)})`,
    `${check.path} does not check the artifact the endpoint's model serves`,
    check,
  );
  f.check(
    conditionOf(check) === conditionOf(endpoint),
    `${check.path} exists exactly while the endpoint does`,
    `${check.path} has condition ${conditionOf(check) ?? 'none'}, the endpoint ${conditionOf(endpoint) ?? 'none'}`,
    check,
  );
  const framework = model.target(check.props.ServiceToken, check.stack);
  f.check(
    framework?.type === 'AWS::Lambda::Function' &&
      PROVIDER_FRAMEWORK.test(String(framework.props.Description ?? '')),
    `${check.path} answers CloudFormation through the CDK Provider framework, so a failing check fails the deployment`,
    `${check.path} is not served by the CDK Provider framework: a failing handler could leave the deployment waiting`,
    check,
  );
  const invokers = grantsOf(model, 'sagemaker:InvokeEndpoint').filter(({ statement, handle }) =>
    statement.resources.some((r) => model.target(r, handle.stack) === endpoint),
  );
  f.check(
    invokers.length > 0,
    `the check may invoke ${endpoint.path} (${invokers
      .flatMap(({ handle }) => rolesOfPolicy(model, handle).map((r) => r.path))
      .join(', ')})`,
    `no policy lets the check invoke ${endpoint.path}`,
    check,
  );
}
