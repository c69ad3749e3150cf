import { AUD_2 } from '../../../../../lib/compliance/controls/aud/aud-2-rule-packs';
import { ValidationReport } from '../../../../../lib/compliance/assembly';
import { bucket, kmsKey } from '../fixtures';
import { changed, context, describeControl, environment, Resources } from '../harness';

const REASON =
  'S3 server access log delivery writes only to targets encrypted with SSE-S3 (reviewed exception).';
const resources: Resources = {
  DataKey: kmsKey(),
  AccessLogs: {
    ...bucket('access-logs'),
    Metadata: {
      cdk_nag: { rules_to_suppress: [{ id: 'NIST.800.53.R5-S3DefaultEncryptionKMS', reason: REASON }] },
    },
  },
};
const finding = (constructPath: string): ValidationReport => ({
  pluginReports: [
    {
      pluginName: 'AwsSolutions',
      violations: [
        { ruleName: 'AwsSolutions-S1', severity: 'error', violatingConstructs: [{ constructPath }] },
      ],
    },
  ],
});
const ctx = (r: Resources, validationReport?: ValidationReport) => () =>
  context(environment({ stacks: { Data: r } }), { validationReport });

describeControl(AUD_2, {
  compliant: [
    {
      name: 'every acknowledgment has a specific reason, no finding is left open in this environment',
      context: ctx(resources, finding('Dev/Data/Other/Resource')),
      evidence: ['NIST.800.53.R5: 1 acknowledged finding'],
    },
  ],
  nonCompliant: [
    {
      name: 'an acknowledgment with a vague reason',
      context: ctx(
        changed(
          resources,
          (r) =>
            ((
              r.AccessLogs.Metadata!.cdk_nag as { rules_to_suppress: Array<{ reason: string }> }
            ).rules_to_suppress[0].reason = 'ok'),
        ),
      ),
      problem: 'NIST.800.53.R5-S3DefaultEncryptionKMS acknowledged with a vague reason: "ok"',
    },
    {
      name: 'an unacknowledged finding of a registered pack',
      context: ctx(resources, finding('Prod/Data/Bucket/Resource')),
      problem: 'unacknowledged error AwsSolutions-S1 on Prod/Data/Bucket/Resource',
    },
  ],
});
