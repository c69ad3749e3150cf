import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  ListModelPackagesCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import {
  NO_MODEL,
  noModelPhysicalId,
  onGateEvent,
  parseGateProperties,
} from '../../../lambda/model-gate/core';
import { RegistryError } from '../../../src/registry';
import { ASSESSMENT_METADATA_KEYS, assessmentMetadata } from '../../../src/robustness';
import {
  ARTIFACT_BYTES,
  ARTIFACT_KEY,
  ARTIFACT_SHA256,
  ARTIFACT_URL,
  BUCKET,
  describedPackage,
  GROUP,
  GROUP_ARN,
  IMAGE,
  objectBody,
  packageArn,
  s3Error,
  sageMakerError,
  GATE_ROBUSTNESS_PROPS,
  PASSING_ASSESSMENT,
} from '../../src/registry/aws-fakes';

const sagemaker = mockClient(SageMakerClient);
const s3 = mockClient(S3Client);
const clients = { sagemaker: new SageMakerClient({}), s3: new S3Client({}) };
const SERVICE_TOKEN = 'arn:aws:lambda:eu-west-1:111122223333:function:provider';

type Props = Record<string, string>;

function event(
  type: 'Create' | 'Update' | 'Delete',
  props: Props,
  physicalId = 'old-id',
): CloudFormationCustomResourceEvent {
  const common = {
    ServiceToken: SERVICE_TOKEN,
    ResponseURL: 'https://example.invalid/response',
    StackId: 'arn:aws:cloudformation:eu-west-1:111122223333:stack/serving/1',
    RequestId: 'req-1',
    LogicalResourceId: 'ModelGate',
    ResourceType: 'Custom::ModelGate',
    ResourceProperties: { ServiceToken: SERVICE_TOKEN, ...props },
  };
  if (type === 'Create') return { ...common, RequestType: 'Create' };
  if (type === 'Update') {
    return {
      ...common,
      RequestType: 'Update',
      PhysicalResourceId: physicalId,
      OldResourceProperties: { ServiceToken: SERVICE_TOKEN },
    };
  }
  return { ...common, RequestType: 'Delete', PhysicalResourceId: physicalId };
}

const prod: Props = {
  ModelPackageGroupName: GROUP,
  ModelVersion: '4',
  RequireApproval: 'true',
  ...GATE_ROBUSTNESS_PROPS,
};
const dev: Props = { ...prod, RequireApproval: 'false' };

async function refusal(promise: Promise<unknown>): Promise<RegistryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RegistryError);
  expect((error as Error).message).toMatch(/^model gate refused the deployment: /);
  return error as RegistryError;
}

beforeEach(() => {
  sagemaker.reset();
  s3.reset();
  sagemaker.on(DescribeModelPackageGroupCommand).resolves({
    ModelPackageGroupName: GROUP,
    ModelPackageGroupArn: GROUP_ARN,
    ModelPackageGroupStatus: 'Completed',
  });
  sagemaker.on(DescribeModelPackageCommand).resolves(describedPackage(4));
  s3.on(GetObjectCommand).callsFake(() => ({ Body: objectBody(ARTIFACT_BYTES), VersionId: 'ver-1' }));
});

describe('model gate: approved version', () => {
  it('passes an Approved pinned version whose artifact matches, returning what the model resource needs', async () => {
    const response = await onGateEvent(event('Create', prod), clients);

    expect(response).toEqual({
      PhysicalResourceId: packageArn(4),
      Data: {
        ModelDataUrl: ARTIFACT_URL,
        ModelPackageArn: packageArn(4),
        ModelVersion: '4',
        ArtifactSha256: ARTIFACT_SHA256,
        Image: IMAGE,
        ApprovalStatus: 'Approved',
        ArtifactS3VersionId: 'ver-1',
        ArtifactObjectArn: `arn:aws:s3:::${BUCKET}/${ARTIFACT_KEY}`,
        XgboostVersion: '',
        Robustness: 'meets the thresholds',
      },
    });
    expect(sagemaker.commandCalls(DescribeModelPackageGroupCommand)[0].args[0].input).toEqual({
      ModelPackageGroupName: GROUP,
    });
    expect(sagemaker.commandCalls(DescribeModelPackageCommand)[0].args[0].input).toEqual({
      ModelPackageName: packageArn(4),
    });
    expect(s3.commandCalls(GetObjectCommand)[0].args[0].input).toEqual({ Bucket: BUCKET, Key: ARTIFACT_KEY });
  });

  it('keeps the same physical id on Update when the same package resolves, so nothing is replaced', async () => {
    const created = await onGateEvent(event('Create', prod), clients);
    const updated = await onGateEvent(event('Update', prod, created.PhysicalResourceId), clients);
    expect(updated.PhysicalResourceId).toBe(created.PhysicalResourceId);
    expect(updated.Data).toEqual(created.Data);
  });

  it('resolves latest-approved to the highest Approved version', async () => {
    sagemaker.on(ListModelPackagesCommand).resolves({
      ModelPackageSummaryList: [
        {
          ModelPackageArn: packageArn(6),
          ModelPackageVersion: 6,
          ModelApprovalStatus: 'Approved',
          ModelPackageGroupName: GROUP,
          CreationTime: new Date(),
          ModelPackageStatus: 'Completed',
        },
        {
          ModelPackageArn: packageArn(7),
          ModelPackageVersion: 7,
          ModelApprovalStatus: 'Approved',
          ModelPackageGroupName: GROUP,
          CreationTime: new Date(),
          ModelPackageStatus: 'Completed',
        },
      ],
    });
    sagemaker
      .on(DescribeModelPackageCommand, { ModelPackageName: packageArn(7) })
      .resolves(describedPackage(7));

    const response = await onGateEvent(
      event('Create', { ...prod, ModelVersion: 'latest-approved' }),
      clients,
    );

    expect(response.PhysicalResourceId).toBe(packageArn(7));
    expect(response.Data?.ModelVersion).toBe('7');
    expect(sagemaker.commandCalls(ListModelPackagesCommand)[0].args[0].input).toMatchObject({
      ModelPackageGroupName: GROUP,
      ModelApprovalStatus: 'Approved',
    });
  });
});

describe('model gate: approval (MODEL-2)', () => {
  it('refuses a version pending approval where approval is required (test, prod)', async () => {
    sagemaker
      .on(DescribeModelPackageCommand)
      .resolves(describedPackage(4, { ModelApprovalStatus: 'PendingManualApproval' }));
    const error = await refusal(onGateEvent(event('Update', prod), clients));
    expect(error.kind).toBe('notApproved');
    expect(error.message).toContain(`version 4 of '${GROUP}' is PendingManualApproval`);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it('lets a pending version through in dev, still verifying its artifact', async () => {
    sagemaker
      .on(DescribeModelPackageCommand)
      .resolves(describedPackage(4, { ModelApprovalStatus: 'PendingManualApproval' }));
    const response = await onGateEvent(event('Create', dev), clients);
    expect(response.Data?.ApprovalStatus).toBe('PendingManualApproval');
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(1);
  });

  it('refuses a Rejected version even in dev, quoting the rejection reason', async () => {
    sagemaker
      .on(DescribeModelPackageCommand)
      .resolves(
        describedPackage(4, { ModelApprovalStatus: 'Rejected', ApprovalDescription: 'recall too low' }),
      );
    const error = await refusal(onGateEvent(event('Create', dev), clients));
    expect(error.kind).toBe('notApproved');
    expect(error.message).toContain('was Rejected (recall too low)');
  });

  it('defaults to requiring approval when RequireApproval is absent', () => {
    expect(
      parseGateProperties({ ModelPackageGroupName: GROUP, ModelVersion: '1', ...GATE_ROBUSTNESS_PROPS })
        .requireApproval,
    ).toBe(true);
  });
});

describe('model gate: robustness assessment (MODEL-7)', () => {
  const withAssessment = (changes: Partial<typeof PASSING_ASSESSMENT>) =>
    describedPackage(4, {}, assessmentMetadata({ ...PASSING_ASSESSMENT, ...changes }));
  const unassessed = () => {
    const pkg = describedPackage(4);
    for (const key of Object.values(ASSESSMENT_METADATA_KEYS)) delete pkg.CustomerMetadataProperties?.[key];
    return pkg;
  };

  it('MODEL-7: refuses promotion of a version without an assessment where enforcement is refuse', async () => {
    sagemaker.on(DescribeModelPackageCommand).resolves(unassessed());
    const error = await refusal(onGateEvent(event('Create', prod), clients));
    expect(error.kind).toBe('notRobust');
    expect(error.message).toContain(`version 4 of '${GROUP}' has no robustness assessment`);
  });

  it('MODEL-7: dev (enforcement warn) deploys an unassessed version and says so in the Robustness attribute', async () => {
    sagemaker.on(DescribeModelPackageCommand).resolves(unassessed());
    const response = await onGateEvent(event('Create', { ...dev, RobustnessEnforcement: 'warn' }), clients);
    expect(response.Data?.Robustness).toMatch(
      /^warning: version 4 of 'churn-prod' has no robustness assessment/,
    );
  });

  it.each<[string, Partial<typeof PASSING_ASSESSMENT>, string]>([
    [
      'an unstable feature',
      { maxFlipRate: 0.2, maxFlipFeature: 'tenure' },
      'decision flip rate 0.2 (tenure) is above the allowed 0.05',
    ],
    [
      'monotonicity violations',
      { monotonicityViolations: 3, monotonicityPairs: 980 },
      '3 monotonicity violations (of 980 grid pairs) exceed the allowed 0',
    ],
    [
      'a large probability change',
      { maxProbabilityChange: 0.8 },
      'largest probability change 0.8 is above the allowed 0.5',
    ],
    [
      'an easily extracted model',
      { extractionQueries: 256 },
      'reproduced its decisions with 256 queries, fewer than the required 1024',
    ],
    ['invalid outputs at the bounds', { invalidOutputs: 2 }, '2 bound or missing-value probes scored NaN'],
    [
      'accepted out-of-range inputs',
      { validationGaps: 1 },
      '1 inputs outside the feature specification were accepted',
    ],
    [
      'another decision threshold',
      { decisionThreshold: 0.5 },
      'measured at decision threshold 0.5, but this environment decides at 0.7',
    ],
    [
      'an assessment of other bytes',
      { artifactSha256: 'cd'.repeat(32) },
      'its robustness assessment is of artifact cdcdcdcdcdcd..., not of',
    ],
  ])('MODEL-7: refuses a version whose assessment shows %s', async (_case, changes, message) => {
    sagemaker.on(DescribeModelPackageCommand).resolves(withAssessment(changes));
    const error = await refusal(onGateEvent(event('Create', prod), clients));
    expect(error.kind).toBe('notRobust');
    expect(error.message).toContain("misses this environment's robustness requirements: ");
    expect(error.message).toContain(message);
  });

  it('does not hold an extraction figure that never reached its target against the model (more queries than the ladder)', async () => {
    sagemaker
      .on(DescribeModelPackageCommand)
      .resolves(withAssessment({ extractionQueries: 512, extractionReached: false }));
    const response = await onGateEvent(event('Create', prod), clients);
    expect(response.Data?.Robustness).toBe('meets the thresholds');
  });

  it('refuses a hand-edited assessment entry rather than reading it as passing', async () => {
    sagemaker
      .on(DescribeModelPackageCommand)
      .resolves(describedPackage(4, {}, { [ASSESSMENT_METADATA_KEYS.maxFlipRate]: 'low' }));
    const error = await refusal(onGateEvent(event('Create', prod), clients));
    expect(error.message).toContain(
      "has an unreadable robustness assessment (metadata robustness-max-flip-rate is 'low'",
    );
  });

  it.each<[string, Props, RegExp]>([
    ['no enforcement', { RobustnessEnforcement: '' }, /RobustnessEnforcement must be 'refuse' or 'warn'/],
    ['no decision threshold', { DecisionThreshold: '' }, /DecisionThreshold is required/],
    [
      'a flip rate above 1',
      { MaxDecisionFlipRate: '2' },
      /MaxDecisionFlipRate must be a share between 0 and 1, got '2'/,
    ],
    [
      'a fractional violation count',
      { MaxMonotonicityViolations: '0.5' },
      /MaxMonotonicityViolations must be a whole number/,
    ],
  ])('rejects robustness properties with %s before any call', async (_case, change, message) => {
    await expect(onGateEvent(event('Create', { ...prod, ...change }), clients)).rejects.toThrow(message);
    expect(sagemaker.calls()).toHaveLength(0);
  });
});

describe('model gate: integrity (MODEL-3)', () => {
  it('refuses when the artifact no longer matches the digest recorded at publish time', async () => {
    s3.on(GetObjectCommand).callsFake(() => ({
      Body: objectBody(Buffer.from('tampered model')),
      VersionId: 'ver-2',
    }));
    const error = await refusal(onGateEvent(event('Create', prod), clients));
    expect(error.kind).toBe('digestMismatch');
    expect(error.message).toContain(`SHA-256 of artifact ${ARTIFACT_URL} of version 4 of '${GROUP}' is`);
    expect(error.message).toContain(`but ${ARTIFACT_SHA256} was expected`);
  });

  it('refuses when the artifact object is gone', async () => {
    s3.on(GetObjectCommand).rejects(s3Error('NoSuchKey', 'The specified key does not exist.', 404));
    const error = await refusal(onGateEvent(event('Create', prod), clients));
    expect(error.kind).toBe('artifactMissing');
    expect(error.message).toContain(`artifact ${ARTIFACT_URL} does not exist`);
  });

  it('refuses when reading the artifact is denied (e.g. the KMS key policy)', async () => {
    s3.on(GetObjectCommand).rejects(s3Error('AccessDenied', 'Access Denied', 403));
    expect((await refusal(onGateEvent(event('Create', prod), clients))).kind).toBe('accessDenied');
  });

  it('refuses a version registered without a recorded digest', async () => {
    const pkg = describedPackage(4);
    delete pkg.CustomerMetadataProperties?.['artifact-sha256'];
    sagemaker.on(DescribeModelPackageCommand).resolves(pkg);
    const error = await refusal(onGateEvent(event('Create', prod), clients));
    expect(error.kind).toBe('invalidPackage');
    expect(error.message).toContain('has no artifact-sha256 metadata');
  });

  it('refuses a malformed recorded digest', async () => {
    sagemaker.on(DescribeModelPackageCommand).resolves(describedPackage(4, {}, { 'artifact-sha256': 'abc' }));
    const error = await refusal(onGateEvent(event('Create', prod), clients));
    expect(error.message).toContain("must be 64 hex characters, got 'abc'");
  });
});

describe('model gate: missing things', () => {
  it('refuses a missing version, naming it', async () => {
    sagemaker
      .on(DescribeModelPackageCommand)
      .rejects(sageMakerError('ValidationException', `ModelPackage ${packageArn(4)} does not exist.`));
    const error = await refusal(onGateEvent(event('Create', prod), clients));
    expect(error.kind).toBe('noSuchVersion');
    expect(error.message).toContain(`model package group '${GROUP}' has no version 4`);
  });

  it('refuses a missing group', async () => {
    sagemaker.on(DescribeModelPackageGroupCommand).rejects(sageMakerError('ResourceNotFound', 'not found'));
    const error = await refusal(onGateEvent(event('Create', prod), clients));
    expect(error.kind).toBe('noSuchGroup');
    expect(error.message).toContain(`model package group '${GROUP}' does not exist`);
  });

  it('ENV-4 serves nothing on the first deploy while no version is Approved, instead of failing it', async () => {
    sagemaker.on(ListModelPackagesCommand).resolves({ ModelPackageSummaryList: [] });
    const latest = { ...prod, ModelVersion: 'latest-approved' };
    const created = await onGateEvent(event('Create', latest), clients);
    expect(created.PhysicalResourceId).toBe(noModelPhysicalId(GROUP));
    expect(Object.values(created.Data!).every((v) => v === NO_MODEL)).toBe(true);
    // Still nothing approved on the next deploy: still nothing served, still no failure.
    const updated = await onGateEvent(event('Update', latest, created.PhysicalResourceId), clients);
    expect(updated).toEqual(created);
    expect(s3.calls()).toHaveLength(0);
  });

  it('refuses to stop serving when every Approved version is gone after a model was served', async () => {
    sagemaker.on(ListModelPackagesCommand).resolves({ ModelPackageSummaryList: [] });
    const error = await refusal(
      onGateEvent(event('Update', { ...prod, ModelVersion: 'latest-approved' }, packageArn(3)), clients),
    );
    expect(error.kind).toBe('notApproved');
    expect(error.message).toContain(`serves ${packageArn(3)}`);
  });

  it('does not check a shadow candidate while the production model is none', async () => {
    const response = await onGateEvent(
      event('Create', { ...prod, ModelVersion: '2', ServedModelVersion: NO_MODEL }),
      clients,
    );
    expect(response.Data?.ModelVersion).toBe(NO_MODEL);
    expect(sagemaker.calls()).toHaveLength(0);
  });

  it('still refuses a missing pinned version on a first deploy: only latest-approved may resolve to nothing', async () => {
    sagemaker
      .on(DescribeModelPackageCommand)
      .rejects(sageMakerError('ValidationException', `ModelPackage ${packageArn(4)} does not exist.`));
    await refusal(onGateEvent(event('Create', { ...prod, ServedModelVersion: '3' }), clients));
  });

  it.each<[string, Props, RegExp]>([
    ['no group', { ModelVersion: '1' }, /ModelPackageGroupName is required/],
    ['no version', { ModelPackageGroupName: GROUP }, /ModelVersion is required/],
    [
      'a bad version',
      { ModelPackageGroupName: GROUP, ModelVersion: 'newest' },
      /ModelVersion must be 'latest-approved'/,
    ],
    [
      'a bad flag',
      { ModelPackageGroupName: GROUP, ModelVersion: '1', RequireApproval: 'yes' },
      /RequireApproval must be 'true' or 'false'/,
    ],
  ])('rejects properties with %s before any call', async (_case, props, message) => {
    await expect(onGateEvent(event('Create', props), clients)).rejects.toThrow(message);
    expect(sagemaker.calls()).toHaveLength(0);
  });
});

describe('model gate: delete', () => {
  it('succeeds without any call and keeps the physical id, however often it runs', async () => {
    for (let i = 0; i < 2; i += 1) {
      expect(await onGateEvent(event('Delete', prod, packageArn(4)), clients)).toEqual({
        PhysicalResourceId: packageArn(4),
      });
    }
    expect(sagemaker.calls()).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
  });

  it('succeeds even when its properties are invalid, so a broken stack can always be deleted', async () => {
    expect(await onGateEvent(event('Delete', { ModelVersion: 'junk' }, 'id-1'), clients)).toEqual({
      PhysicalResourceId: 'id-1',
    });
  });
});
