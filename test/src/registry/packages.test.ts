import {
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  ListModelPackagesCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import {
  listVersions,
  parseVersionSelector,
  RegistryError,
  resolveVersion,
  versionArn,
} from '../../../src/registry';
import { describedPackage, GROUP, GROUP_ARN, packageArn, sageMakerError } from './aws-fakes';

const sagemaker = mockClient(SageMakerClient);
const client = new SageMakerClient({});

beforeEach(() => {
  sagemaker.reset();
  sagemaker.on(DescribeModelPackageGroupCommand).resolves({
    ModelPackageGroupName: GROUP,
    ModelPackageGroupArn: GROUP_ARN,
    ModelPackageGroupStatus: 'Completed',
  });
});

function summary(version: number, status: 'Approved' | 'Rejected' | 'PendingManualApproval' = 'Approved') {
  return {
    ModelPackageArn: packageArn(version),
    ModelPackageVersion: version,
    ModelPackageGroupName: GROUP,
    ModelApprovalStatus: status,
    ModelPackageStatus: 'Completed' as const,
    CreationTime: new Date(Date.UTC(2026, 10, version)),
  };
}

async function rejection(promise: Promise<unknown>): Promise<RegistryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RegistryError);
  return error as RegistryError;
}

describe('version selectors and ARNs', () => {
  it('derives a version ARN from the group ARN SageMaker returned', () => {
    expect(versionArn(GROUP_ARN, 12)).toBe(packageArn(12));
  });

  it("parses 'latest-approved' and positive version numbers, naming the field otherwise", () => {
    expect(parseVersionSelector('latest-approved', 'ModelVersion')).toEqual({ kind: 'latest-approved' });
    expect(parseVersionSelector(' 7 ', 'ModelVersion')).toEqual({ kind: 'pinned', version: 7 });
    expect(() => parseVersionSelector('latest', 'ModelVersion')).toThrow(
      "ModelVersion must be 'latest-approved' or a version number, got 'latest'",
    );
    expect(() => parseVersionSelector('0', 'ModelVersion')).toThrow(
      'ModelVersion must be a positive whole number',
    );
  });
});

describe('resolveVersion', () => {
  it('resolves latest-approved to the highest Approved version across pages', async () => {
    sagemaker
      .on(ListModelPackagesCommand)
      .resolvesOnce({ ModelPackageSummaryList: [summary(4), summary(2)], NextToken: 'page-2' })
      .resolvesOnce({ ModelPackageSummaryList: [summary(9), summary(1)] });
    sagemaker.on(DescribeModelPackageCommand).resolves(describedPackage(9));

    const model = await resolveVersion(client, GROUP, { kind: 'latest-approved' });

    expect(model).toMatchObject({ version: 9, arn: packageArn(9), approvalStatus: 'Approved' });
    const lists = sagemaker.commandCalls(ListModelPackagesCommand).map((call) => call.args[0].input);
    expect(lists).toEqual([
      {
        ModelPackageGroupName: GROUP,
        ModelApprovalStatus: 'Approved',
        SortBy: 'CreationTime',
        SortOrder: 'Descending',
        MaxResults: 100,
        NextToken: undefined,
      },
      {
        ModelPackageGroupName: GROUP,
        ModelApprovalStatus: 'Approved',
        SortBy: 'CreationTime',
        SortOrder: 'Descending',
        MaxResults: 100,
        NextToken: 'page-2',
      },
    ]);
    expect(sagemaker.commandCalls(DescribeModelPackageCommand)[0].args[0].input).toEqual({
      ModelPackageName: packageArn(9),
    });
  });

  it('says so when a group has no Approved version', async () => {
    sagemaker.on(ListModelPackagesCommand).resolves({ ModelPackageSummaryList: [] });
    const error = await rejection(resolveVersion(client, GROUP, { kind: 'latest-approved' }));
    expect(error.kind).toBe('noSuchVersion');
    expect(error.message).toContain(`model package group '${GROUP}' has no Approved version`);
  });

  it('describes a pinned version by its derived ARN', async () => {
    sagemaker.on(DescribeModelPackageCommand).resolves(describedPackage(5));
    await resolveVersion(client, GROUP, { kind: 'pinned', version: 5 });
    expect(sagemaker.commandCalls(DescribeModelPackageGroupCommand)[0].args[0].input).toEqual({
      ModelPackageGroupName: GROUP,
    });
    expect(sagemaker.commandCalls(DescribeModelPackageCommand)[0].args[0].input).toEqual({
      ModelPackageName: packageArn(5),
    });
    expect(sagemaker.commandCalls(ListModelPackagesCommand)).toHaveLength(0);
  });

  it('tells a missing version apart from a missing group', async () => {
    sagemaker
      .on(DescribeModelPackageCommand)
      .rejects(sageMakerError('ValidationException', `ModelPackage ${packageArn(42)} does not exist.`));
    const missingVersion = await rejection(resolveVersion(client, GROUP, { kind: 'pinned', version: 42 }));
    expect(missingVersion.kind).toBe('noSuchVersion');
    expect(missingVersion.exitCode).toBe(4);
    expect(missingVersion.message).toBe(`model package group '${GROUP}' has no version 42`);

    sagemaker.on(DescribeModelPackageGroupCommand).rejects(sageMakerError('ResourceNotFound', 'not found'));
    const missingGroup = await rejection(resolveVersion(client, GROUP, { kind: 'pinned', version: 42 }));
    expect(missingGroup.kind).toBe('noSuchGroup');
  });

  it('treats a group being deleted as unusable', async () => {
    sagemaker
      .on(DescribeModelPackageGroupCommand)
      .resolves({ ModelPackageGroupArn: GROUP_ARN, ModelPackageGroupStatus: 'Deleting' });
    const error = await rejection(resolveVersion(client, GROUP, { kind: 'pinned', version: 1 }));
    expect(error.message).toContain('is Deleting and cannot be used');
  });
});

describe('listVersions', () => {
  it('describes every version, newest first, with status, digest and metrics', async () => {
    sagemaker.on(ListModelPackagesCommand).resolves({
      ModelPackageSummaryList: [summary(2, 'PendingManualApproval'), summary(3, 'Rejected'), summary(1)],
    });
    for (const [version, status] of [
      [1, 'Approved'],
      [2, 'PendingManualApproval'],
      [3, 'Rejected'],
    ] as const) {
      sagemaker
        .on(DescribeModelPackageCommand, { ModelPackageName: packageArn(version) })
        .resolves(
          describedPackage(version, { ModelApprovalStatus: status }, { 'metric-auc': `0.${80 + version}` }),
        );
    }

    const versions = await listVersions(client, GROUP);

    expect(versions.map((v) => [v.version, v.approvalStatus, v.recorded.metrics.auc])).toEqual([
      [3, 'Rejected', 0.83],
      [2, 'PendingManualApproval', 0.82],
      [1, 'Approved', 0.81],
    ]);
    expect(versions[0].recorded.artifactSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(sagemaker.commandCalls(ListModelPackagesCommand)[0].args[0].input).toEqual({
      ModelPackageGroupName: GROUP,
      ModelApprovalStatus: undefined,
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: 100,
      NextToken: undefined,
    });
    expect(
      sagemaker
        .commandCalls(DescribeModelPackageCommand)
        .map((call) => call.args[0].input.ModelPackageName)
        .sort(),
    ).toEqual([packageArn(1), packageArn(2), packageArn(3)]);
  });

  it('reports a missing group instead of an empty list', async () => {
    sagemaker.on(DescribeModelPackageGroupCommand).rejects(sageMakerError('ResourceNotFound', 'gone'));
    const error = await rejection(listVersions(client, GROUP));
    expect(error.kind).toBe('noSuchGroup');
    expect(sagemaker.commandCalls(ListModelPackagesCommand)).toHaveLength(0);
  });
});
