import { AUD_5 } from '../../../../../lib/compliance/controls/aud/aud-5-framework-mapping';
import { ConfigurationFacts } from '../../../../../lib/compliance/controls/control';
import { loadFeatureSpec } from '../../../../../lib/stacks/api-stack';
import { exampleConfig } from '../../../../helpers/app';
import { kmsKey } from '../fixtures';
import { context, describeControl, environment } from '../harness';

const config = exampleConfig();
const configuration: ConfigurationFacts = {
  project: config.project,
  environment: config.environments.find((e) => e.name === 'prod')!,
};
const featureSpec = loadFeatureSpec(configuration.environment.serving.featureSpecFile);
const model = () => environment({ stacks: { Keys: { DataKey: kmsKey() } } });

describeControl(AUD_5, {
  compliant: [
    {
      name: 'with the configuration and the feature specification, the mapping is complete and the DPIA draft is written; a person must still complete it',
      context: () => context(model(), { configuration, featureSpec }),
      status: 'documented',
      evidence: [
        /^every control is mapped: NIST SP 800-53 Rev\. 5 \(\d+ controls\), ISO\/IEC 27001:2022 Annex A \(\d+ controls\), GDPR \(6 articles\)/,
        /^DPIA draft of Prod written from the configuration and the feature specification 'telco-churn' \(\d+ attributes/,
      ],
    },
  ],
  nonCompliant: [
    {
      name: 'a report written without the configuration cannot draft the DPIA',
      context: () => context(model(), { featureSpec }),
      problem: /^no configuration was given to the report/,
    },
    {
      name: 'a report written without the feature specification cannot list the personal data',
      context: () => context(model(), { configuration }),
      problem: /^no feature specification was given to the report/,
    },
    {
      name: 'a feature specification without fields leaves the DPIA without its data categories',
      context: () => context(model(), { configuration, featureSpec: { ...featureSpec, fields: [] } }),
      problem: /^no feature specification was given to the report/,
    },
  ],
});
