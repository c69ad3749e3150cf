import { CONTROL_FRAMEWORKS, FRAMEWORKS, mappingProblems } from '../../frameworks';
import { defineControl, Findings } from '../control';

/**
 * AUD-5: the framework mapping is complete, and the DPIA draft of the environment can be written from
 * the configuration and the feature specification. The draft needs people to complete and sign it, so
 * the control is `documented` at best: the report never calls a DPIA done.
 */
export const AUD_5 = defineControl({
  id: 'AUD-5',
  implementedBy: [
    { name: 'CONTROL_FRAMEWORKS', file: 'lib/compliance/frameworks.ts' },
    { name: 'buildFrameworkViews', file: 'lib/compliance/framework-view.ts' },
    { name: 'draftDpia', file: 'lib/compliance/dpia.ts' },
  ],
  provenBy: [
    {
      file: 'test/lib/compliance/frameworks.test.ts',
      name: 'framework mappings (AUD-5) AUD-5: every control maps to at least one NIST SP 800-53 Rev. 5 and one ISO/IEC 27001:2022 Annex A control',
    },
    {
      file: 'test/lib/compliance/frameworks.test.ts',
      name: 'framework mappings (AUD-5) AUD-5: every privacy (DATA) control and the DPIA control map to GDPR articles, and every article the issue names is used',
    },
    {
      file: 'test/lib/compliance/report.test.ts',
      name: 'framework views (AUD-5) AUD-5: one view per framework in HTML, Markdown and JSON, each row naming its project controls and their status per environment',
    },
    {
      file: 'test/lib/compliance/report.test.ts',
      name: 'DPIA draft (AUD-5) AUD-5: each environment has a draft written from its configuration, the feature specification and the templates, with the parts only people can complete marked',
    },
  ],
  evaluate(ctx) {
    const f = new Findings();
    const problems = mappingProblems(CONTROL_FRAMEWORKS);
    for (const p of problems) f.bad(p);
    if (problems.length === 0)
      f.ok(
        `every control is mapped: ${FRAMEWORKS.map((fw) => `${fw.name} (${Object.keys(fw.controls).length} ${fw.key === 'gdpr' ? 'articles' : 'controls'})`).join(', ')}; one view per framework in the report`,
      );
    if (!ctx.configuration)
      f.bad(
        'no configuration was given to the report: the DPIA draft (retention, region, owner) cannot be written',
      );
    if (!ctx.featureSpec || ctx.featureSpec.fields.length === 0)
      f.bad(
        'no feature specification was given to the report: the DPIA draft cannot list the personal data processed',
      );
    if (ctx.configuration && ctx.featureSpec && ctx.featureSpec.fields.length > 0)
      f.ok(
        `DPIA draft of ${ctx.model.name} written from the configuration and the feature specification '${ctx.featureSpec.name}' (${ctx.featureSpec.fields.length} attributes and the pseudonymised customer id)`,
      );
    return f.conclude(
      'documented',
      'mapped to NIST SP 800-53, ISO/IEC 27001 and GDPR with a view per framework; the DPIA draft needs a person to complete and sign it',
    );
  },
});
