import { conditionKeys, statementsOf } from '../../model';
import { defineControl, Findings } from '../control';
import { bucketName, bucketOfArn, bucketPolicyStatements } from '../template-readers';

export const NET_6 = defineControl({
  id: 'NET-6',
  implementedBy: [
    { name: 'applyDataPerimeter', file: 'lib/constructs/data-perimeter.ts' },
    { name: 'IsolatedNetwork', file: 'lib/constructs/isolated-network.ts' },
  ],
  provenBy: [
    {
      file: 'test/lib/foundation-controls.test.ts',
      name: 'KEY-1, KEY-4, MODEL-1, DATA-3, NET-6: buckets the model and data buckets deny access from outside the VPC endpoint unless an exempt principal or AWS service',
    },
    {
      file: 'test/lib/data-protection/model-bucket-policy.test.ts',
      name: '%s model bucket policy (MODEL-1, NET-6) the rest of the policy still refuses plain HTTP, old TLS, other accounts and roles outside the perimeter',
    },
  ],
  evaluate(ctx) {
    const f = new Findings();
    const { model } = ctx;
    const gateway = model
      .ofType('AWS::EC2::VPCEndpoint')
      .filter((e) => (e.props.VpcEndpointType ?? 'Gateway') === 'Gateway');
    const names = new Set(
      gateway.flatMap((e) =>
        statementsOf(e.props.PolicyDocument).flatMap((s) =>
          s.resources.map((r) => bucketOfArn(model.describe(r, e.stack))).filter((n): n is string => !!n),
        ),
      ),
    );
    const perimeterBuckets = model.ofType('AWS::S3::Bucket').filter((b) => names.has(bucketName(model, b)));
    if (perimeterBuckets.length === 0)
      f.bad('no bucket of the environment is reached through the S3 gateway endpoint');
    for (const bucket of perimeterBuckets) {
      const deny = bucketPolicyStatements(model, bucket).find(
        (s) => s.effect === 'Deny' && conditionKeys(s).includes('aws:sourcevpce'),
      );
      const name = bucketName(model, bucket);
      f.check(
        !!deny,
        `${name}: ${deny?.sid ?? 'deny'} refuses requests not through the VPC endpoint unless from AWS services or exempt principals (${deny ? conditionKeys(deny).join(', ') : ''})`,
        `${name} has no data-perimeter deny on aws:SourceVpce`,
        bucket,
      );
    }
    return f.conclude('enforced', 'buckets inside the perimeter deny access from outside the VPC endpoint');
  },
});
