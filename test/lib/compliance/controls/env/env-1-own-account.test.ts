import { ENV_1 } from '../../../../../lib/compliance/controls/env/env-1-own-account';
import { bucket, kmsKey } from '../fixtures';
import { context, describeControl, environment } from '../harness';

const prod = environment({ stacks: { Keys: { DataKey: kmsKey() }, Data: { Bucket: bucket('b') } } });

describeControl(ENV_1, {
  compliant: [
    {
      name: 'every stack of the environment deploys to its own explicit account and region',
      context: () =>
        context(prod, {
          environments: [prod, environment({ name: 'Dev', account: '111111111111', stacks: {} })],
        }),
      evidence: ['Prod/Keys deploys to aws://333333333333/eu-west-1'],
    },
  ],
  nonCompliant: [
    {
      name: 'another environment deploys to the same account',
      context: () =>
        context(prod, { environments: [prod, environment({ name: 'Test', stacks: { Keys: {} } })] }),
      problem: 'Prod shares account 333333333333 with Test',
    },
    {
      name: 'a stack without an explicit account',
      context: () => context(environment({ account: 'unknown-account', stacks: { Keys: {} } })),
      problem: 'Prod/Keys has no explicit account/region (aws://unknown-account/eu-west-1)',
    },
  ],
});
