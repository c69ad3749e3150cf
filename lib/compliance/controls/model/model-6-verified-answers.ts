import { ResourceHandle } from '../../model';
import { defineControl, Findings } from '../control';
import { apiMethods, functionBehind, grantsOf, rolesOfPolicy } from '../template-readers';
import { inferenceEnvironment, inferenceFunctions } from '../rel/inference-function';
import { inferenceEnvironment as inferenceContract } from '../../../../lambda/inference/environment';
import { MODEL_GATE_TYPE } from './model-2-registry-approval';

/** The CloudFormation type of the served-answer check (`ServedAnswerCheck`). */
export const SERVED_ANSWER_CHECK_TYPE = 'Custom::ServedAnswerCheck';
/** The CloudFormation type of the embedded-mode check of the inference function (`FunctionAnswerCheck`). */
export const FUNCTION_ANSWER_CHECK_TYPE = 'Custom::ServedFunctionAnswerCheck';

const VARIABLE = {
  mode: inferenceContract.variables.servingMode.name,
  modelDataUrl: inferenceContract.variables.modelDataUrl.name,
  modelSha256: inferenceContract.variables.modelSha256.name,
  modelVersion: inferenceContract.variables.modelVersion.name,
};

/** The description CDK gives the Provider framework's onEvent function, which always answers CloudFormation. */
const PROVIDER_FRAMEWORK = /AWS CDK resource provider framework - onEvent/;

export const MODEL_6 = defineControl({
  id: 'MODEL-6',
  implementedBy: [
    { name: 'publishModel', file: 'src/registry/publish.ts' },
    { name: 'checkImageReadsModel', file: 'src/registry/xgboost-image.ts' },
    { name: 'checkEndpointAnswers', file: 'src/registry/answer-check.ts' },
    { name: 'ServedAnswerCheck', file: 'lib/constructs/served-answer-check.ts' },
    { name: 'goldenRowsFor', file: 'src/registry/provenance.ts' },
    { name: 'checkFunctionAnswers', file: 'src/registry/function-answer-check.ts' },
    { name: 'answerGoldenRecords', file: 'lambda/inference/answer-check.ts' },
    { name: 'FunctionAnswerCheck', file: 'lib/constructs/function-answer-check.ts' },
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
    {
      file: 'test/src/registry/golden-records.test.ts',
      name: 'golden records (MODEL-6, embedded serving): what the function takes, recorded at publish MODEL-6 contract: records derived from baseline model columns score to the recorded predictions through the real inference core',
    },
    {
      file: 'test/lambda/function-answer-check/handler.test.ts',
      name: 'served-answer check of the inference function (MODEL-6, embedded serving) MODEL-6 a deliberately wrong function answer fails the Create/Update naming the first differing row, so CloudFormation rolls back',
    },
    {
      file: 'test/lambda/inference/handler.test.ts',
      name: "served-answer check event (MODEL-6): the check's direct invoke is answered like the API, and is not traffic MODEL-6 an API caller cannot forge the check: the same event as a body, or beside the request context, is an API request (captured, counted)",
    },
    {
      file: 'test/lib/api/api-stack.test.ts',
      name: 'MODEL-6: served-answer check of the inference function (embedded mode) MODEL-6 the check depends on and targets the version just published of the inference function',
    },
  ],
  evaluate(ctx) {
    const f = new Findings();
    const { model } = ctx;
    const endpoints = model.ofType('AWS::SageMaker::Endpoint');
    const checks = model.ofType(SERVED_ANSWER_CHECK_TYPE);
    const gates = model.ofType(MODEL_GATE_TYPE);
    if (gates.length === 0) f.bad('no model gate in the templates (the serving stack is not synthesized)');

    const embedded = inferenceFunctions(model).filter(
      (fn) => inferenceEnvironment(fn)[VARIABLE.mode] === 'embedded',
    );
    if (endpoints.length === 0 && embedded.length === 0) {
      f.bad(
        ctx.servingMode === 'embedded'
          ? 'serving.mode = embedded, but no inference function scoring embedded is in the templates (the API stack is not synthesized)'
          : 'no SageMaker endpoint in the templates (the endpoint stack is not synthesized)',
      );
    }
    for (const fn of embedded) checkEmbedded(f, model, fn);
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
      'publish records the writer version and golden predictions of the exact scorer; the gate refuses an image known not to read the model; after every endpoint or inference-function update the golden rows must be answered as recorded, or the deployment fails and rolls back',
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

/**
 * Embedded serving: the inference function scores itself, so a check must invoke the version each
 * deployment publishes (a new one for new code, configuration or model) with the golden records.
 */
function checkEmbedded(
  f: Findings,
  model: Parameters<typeof MODEL_6.evaluate>[0]['model'],
  fn: ResourceHandle,
): void {
  const env = inferenceEnvironment(fn);
  const checks = model.ofType(FUNCTION_ANSWER_CHECK_TYPE);
  const targets = checks.map((c) => {
    const version = model.target(c.props.FunctionArn, c.stack);
    const versionOf =
      version?.type === 'AWS::Lambda::Version'
        ? model.target(version.props.FunctionName, version.stack)
        : undefined;
    return { check: c, version, target: versionOf ?? version };
  });
  const mine = targets.find((t) => t.target === fn);
  if (!mine) {
    f.bad(
      checks.length === 0
        ? `serving.mode = embedded: ${fn.path} scores with the exact scorer, but no served-answer check sends it the golden records after a deployment`
        : `${fn.path} has no served-answer check: the check${checks.length > 1 ? 's' : ''} present invoke${checks.length > 1 ? '' : 's'} ${targets.map((t) => t.target?.path ?? model.describe(t.check.props.FunctionArn, t.check.stack)).join(', ')}`,
      fn,
    );
    return;
  }
  const { check, version } = mine;
  f.check(
    version?.type === 'AWS::Lambda::Version',
    `${check.path} invokes the version of ${fn.path} published in the same deployment (${version?.path ?? ''}), so new code or configuration runs the check again`,
    `${check.path} invokes ${fn.path} itself, not a version published with the deployment: its properties stay the same when only the code changes, so new code would not be checked`,
    check,
  );
  if (version?.type === 'AWS::Lambda::Version') {
    const description = JSON.stringify(version.props.Description ?? '');
    const named = [VARIABLE.modelVersion, VARIABLE.modelSha256].every((v) =>
      description.includes(JSON.stringify(env[v]).replace(/^"|"$/g, '')),
    );
    f.check(
      named,
      `${version.path} names the served model version and digest, so a new model publishes a new version and runs the check again`,
      `${version.path} does not name the served model (${VARIABLE.modelVersion}, ${VARIABLE.modelSha256}): a model change alone would publish no new version`,
      version,
    );
  }
  f.check(
    JSON.stringify(check.props.ModelDataUrl) === JSON.stringify(env[VARIABLE.modelDataUrl]) &&
      JSON.stringify(check.props.ArtifactSha256) === JSON.stringify(env[VARIABLE.modelSha256]),
    `${check.path} compares with the golden set of the artifact the function serves (${model.describe(check.props.ModelDataUrl, check.stack)})`,
    `${check.path} does not check the artifact ${fn.path} serves (its ${VARIABLE.modelDataUrl} and ${VARIABLE.modelSha256})`,
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
  checkCallersWaitForTheCheck(f, model, fn, check);
  const invokers = grantsOf(model, 'lambda:InvokeFunction').filter(({ statement, handle }) =>
    statement.resources.some((r) => version !== undefined && model.target(r, handle.stack) === version),
  );
  f.check(
    invokers.length > 0,
    `the check may invoke ${version?.path ?? fn.path} (${invokers
      .flatMap(({ handle }) => rolesOfPolicy(model, handle).map((r) => r.path))
      .join(', ')})`,
    `no policy lets the check invoke ${version?.path ?? fn.path}`,
    check,
  );
}

/**
 * The check must come before callers reach the version: the API's integrations invoke an alias of the
 * function whose version is the check's `Version` attribute, which CloudFormation cannot resolve before
 * the check has succeeded. An unqualified integration runs `$LATEST`, the new code, as soon as it is
 * updated; an alias on the version itself moves in parallel with the check.
 */
function checkCallersWaitForTheCheck(
  f: Findings,
  model: Parameters<typeof MODEL_6.evaluate>[0]['model'],
  fn: ResourceHandle,
  check: ResourceHandle,
): void {
  const callers = apiMethods(model).flatMap((method) =>
    model
      .referencedResources(method.props.Integration, method.stack)
      .filter((target) => functionBehind(model, target) === fn)
      .map((target) => ({ method, target })),
  );
  if (callers.length === 0) {
    f.bad(`no API method invokes ${fn.path}, so nothing shows that callers wait for ${check.path}`, fn);
    return;
  }
  for (const { method, target } of callers) {
    const followsCheck =
      target.type === 'AWS::Lambda::Alias' &&
      model.referencedResources(target.props.FunctionVersion, target.stack).includes(check);
    f.check(
      followsCheck,
      `${method.path} invokes ${target.path}, whose version is the one ${check.path} passed: a version that fails the check never answers a caller`,
      target === fn
        ? `${method.path} invokes ${fn.path} unqualified ($LATEST): new code answers callers before ${check.path} has run`
        : `${method.path} invokes ${target.path}, which does not take its version from ${check.path}: callers may reach a version before it passed`,
      method,
    );
  }
}
