import { AUD_3 } from '../../../../../lib/compliance/controls/aud/aud-3-report';
import * as path from 'node:path';
import { controlModuleFiles } from '../../../../../lib/compliance/trail';
import { kmsKey } from '../fixtures';
import { context, describeControl, environment } from '../harness';

const ROOT = path.join(__dirname, '..', '..', '..', '..', '..');

describeControl(AUD_3, {
  compliant: [
    {
      name: 'with the repository, every control traces to its evidence-check module and tests',
      context: () =>
        context(environment({ stacks: { Keys: { DataKey: kmsKey() } } }), {
          repository: { workflows: [], controlFiles: controlModuleFiles(ROOT) },
        }),
      evidence: [/^every control's trail names its evidence check/],
    },
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
      name: 'a control whose evidence-check module is missing from the repository cannot be traced',
      context: () =>
        context(environment({ stacks: { Keys: { DataKey: kmsKey() } } }), {
          repository: {
            workflows: [],
            controlFiles: Object.fromEntries(
              Object.entries(controlModuleFiles(ROOT)).filter(([id]) => id !== 'NET-4'),
            ),
          },
        }),
      problem: /^no evidence-check module in lib\/compliance\/controls for NET-4: the report cannot trace it/,
    },
    {
      name: 'an environment without templates to read',
      context: () => context(environment({ stacks: {} })),
      problem: 'no synthesized template of Prod to read evidence from',
    },
  ],
});
