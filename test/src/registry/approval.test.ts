import {
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  SageMakerClient,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { RegistryError, setApproval, type ApprovalRequest } from '../../../src/registry';
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
  sagemaker
    .on(DescribeModelPackageCommand)
    .resolves(describedPackage(4, { ModelApprovalStatus: 'PendingManualApproval' }));
  sagemaker.on(UpdateModelPackageCommand).resolves({ ModelPackageArn: packageArn(4) });
});

async function approvalError(request: ApprovalRequest): Promise<RegistryError> {
  const error = await setApproval(client, request).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RegistryError);
  return error as RegistryError;
}

describe('setApproval', () => {
  it.each(['Approved', 'Rejected'] as const)(
    'sets %s with the reason as approval description',
    async (decision) => {
      const result = await setApproval(client, {
        group: GROUP,
        version: '4',
        decision,
        reason: '  AUC 0.91 on holdout, reviewed by ana ',
      });

      expect(result).toEqual({
        modelPackageArn: packageArn(4),
        version: 4,
        previousStatus: 'PendingManualApproval',
        status: decision,
      });
      expect(sagemaker.commandCalls(DescribeModelPackageGroupCommand)[0].args[0].input).toEqual({
        ModelPackageGroupName: GROUP,
      });
      expect(sagemaker.commandCalls(DescribeModelPackageCommand)[0].args[0].input).toEqual({
        ModelPackageName: packageArn(4),
      });
      expect(sagemaker.commandCalls(UpdateModelPackageCommand)[0].args[0].input).toEqual({
        ModelPackageArn: packageArn(4),
        ModelApprovalStatus: decision,
        ApprovalDescription: 'AUC 0.91 on holdout, reviewed by ana',
      });
    },
  );

  it('requires a reason and makes no call without one', async () => {
    const error = await approvalError({ group: GROUP, version: 4, decision: 'Approved', reason: '   ' });
    expect(error.kind).toBe('usage');
    expect(error.message).toMatch(/--reason is required/);
    expect(sagemaker.calls()).toHaveLength(0);
  });

  it('rejects a reason longer than SageMaker keeps', async () => {
    const error = await approvalError({
      group: GROUP,
      version: 4,
      decision: 'Approved',
      reason: 'x'.repeat(1025),
    });
    expect(error.message).toMatch(/at most 1024/);
  });

  it('reports a missing version without updating anything', async () => {
    sagemaker
      .on(DescribeModelPackageCommand)
      .rejects(sageMakerError('ValidationException', `ModelPackage ${packageArn(99)} does not exist.`));
    const error = await approvalError({ group: GROUP, version: 99, decision: 'Approved', reason: 'ok' });
    expect(error.kind).toBe('noSuchVersion');
    expect(sagemaker.commandCalls(UpdateModelPackageCommand)).toHaveLength(0);
  });

  it('reports a missing group', async () => {
    sagemaker
      .on(DescribeModelPackageGroupCommand)
      .rejects(sageMakerError('ValidationException', 'Model Package Group churn-prod does not exist.'));
    expect(
      (await approvalError({ group: GROUP, version: 1, decision: 'Rejected', reason: 'bad' })).kind,
    ).toBe('noSuchGroup');
  });

  it('reports access denied on the update with the action it was doing', async () => {
    sagemaker
      .on(UpdateModelPackageCommand)
      .rejects(
        sageMakerError(
          'AccessDeniedException',
          'User is not authorized to perform: sagemaker:UpdateModelPackage',
        ),
      );
    const error = await approvalError({ group: GROUP, version: 4, decision: 'Approved', reason: 'ok' });
    expect(error.kind).toBe('accessDenied');
    expect(error.message).toContain(`access denied while setting version 4 of '${GROUP}' to Approved`);
  });
});
