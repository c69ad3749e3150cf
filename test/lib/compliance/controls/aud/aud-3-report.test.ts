import { AUD_3 } from '../../../../../lib/compliance/controls/aud/aud-3-report';
import { kmsKey } from '../fixtures';
import { context, describeControl, environment } from '../harness';

describeControl(AUD_3, {
  compliant: [
    {
      name: 'the report reads the synthesized templates of the environment',
      context: () => context(environment({ stacks: { Keys: { DataKey: kmsKey() } } })),
      evidence: [
        /^this report maps all \d+ controls to evidence read from the 1 synthesized templates of Prod$/,
      ],
    },
  ],
  nonCompliant: [
    {
      name: 'an environment without templates to read',
      context: () => context(environment({ stacks: {} })),
      problem: 'no synthesized template of Prod to read evidence from',
    },
  ],
});
