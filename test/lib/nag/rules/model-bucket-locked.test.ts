import { Duration } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { applyMfaDeleteGuard } from '../../../../lib/constructs/model-artifact-bucket';
import { findings, newStack } from '../helpers';

const locked = {
  versioned: true,
  objectLockEnabled: true,
  objectLockDefaultRetention: s3.ObjectLockRetention.governance(Duration.days(30)),
};

describe('ChurnControls-ModelBucketLockedAndMfaGuarded (MODEL-1)', () => {
  test('an Object Lock bucket with retention, versioning and the MFA deny policy is compliant', () => {
    const stack = newStack();
    applyMfaDeleteGuard(new s3.Bucket(stack, 'Models', locked));
    new s3.Bucket(stack, 'Ordinary'); // not an Object Lock bucket: the rule does not apply
    expect(findings(stack)).toEqual([]);
  });

  test('an Object Lock bucket without the MFA guard, or without default retention, is a finding', () => {
    const stack = newStack();
    new s3.Bucket(stack, 'Unguarded', locked);
    applyMfaDeleteGuard(new s3.Bucket(stack, 'NoRetention', { versioned: true, objectLockEnabled: true }));
    expect(findings(stack)).toEqual([
      'ChurnControls-ModelBucketLockedAndMfaGuarded Subject/NoRetention/Resource',
      'ChurnControls-ModelBucketLockedAndMfaGuarded Subject/Unguarded/Resource',
    ]);
  });

  test('the trail bucket (a trail of the stack delivers to it) needs its lock and versioning, not the MFA guard', () => {
    const stack = newStack();
    new cloudtrail.Trail(stack, 'Trail', { bucket: new s3.Bucket(stack, 'TrailLogs', locked) });
    const unlocked = new s3.Bucket(stack, 'TrailWithoutRetention', {
      versioned: true,
      objectLockEnabled: true,
    });
    new cloudtrail.Trail(stack, 'Other', { bucket: unlocked });
    expect(findings(stack).filter((f) => f.includes('ModelBucketLocked'))).toEqual([
      'ChurnControls-ModelBucketLockedAndMfaGuarded Subject/TrailWithoutRetention/Resource',
    ]);
  });
});
