import { Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ResourceNames } from '../config';

export interface ProjectBuckets {
  readonly model: s3.IBucket;
  readonly data: s3.IBucket;
}

/**
 * The Data stack's buckets as another stack of the stage sees them: imported by their registered
 * names. Grants then name the buckets literally instead of through a cross-stack output, which keeps
 * the Data stack free of exports its consumers would lock, and makes the ARN in a rule-pack finding
 * (and so its acknowledgment) the same in tests and in `cdk synth`. The consumer stack must depend on
 * the Data stack for deployment order; the stage declares that.
 */
export function projectBuckets(stack: Stack, names: ResourceNames): ProjectBuckets {
  return {
    model: s3.Bucket.fromBucketName(stack, 'ModelBucket', names.buckets.model),
    data: s3.Bucket.fromBucketName(stack, 'DataBucket', names.buckets.data),
  };
}
