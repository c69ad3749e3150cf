import { CONTROLS } from '../../catalogue';
import { defineControl, Findings } from '../control';

export const AUD_3 = defineControl({
  id: 'AUD-3',
  implementedBy: [
    { name: 'buildReport', file: 'lib/compliance/report.ts' },
    { name: 'generateComplianceReport', file: 'lib/compliance/write.ts' },
  ],
  provenBy: [
    {
      file: 'test/lib/compliance/report.test.ts',
      name: 'compliance report of the example configuration (AUD-3) every environment lists every catalogue control once, with a status and evidence',
    },
    {
      file: 'test/lib/compliance/report.test.ts',
      name: 'compliance report of the example configuration (AUD-3) writes HTML, Markdown, JSON per environment and an overview, plus SARIF',
    },
    {
      file: 'test/lib/compliance/report.test.ts',
      name: 'the trail from a control to its proof (AUD-3) AUD-3: every built control names, per environment, what implements it (files that exist), its tests (with the command), its evidence check and the template resources it is about',
    },
  ],
  evaluate(ctx) {
    const f = new Findings();
    if (ctx.model.stacks.length === 0)
      f.bad(`no synthesized template of ${ctx.model.name} to read evidence from`);
    f.ok(
      `this report maps all ${CONTROLS.length} controls to evidence read from the ${ctx.model.stacks.length} synthesized templates of ${ctx.model.name}`,
    );
    // The trail: each control's evidence check and its tests, found in the repository by the layout.
    const files = ctx.repository?.controlFiles;
    if (files) {
      const missing = CONTROLS.filter((c) => !files[c.id]).map((c) => c.id);
      f.check(
        missing.length === 0,
        `every control's trail names its evidence check and its compliant/non-compliant tests (lib/compliance/controls/<section>/<id>-*.ts)`,
        `no evidence-check module in lib/compliance/controls for ${missing.join(', ')}: the report cannot trace ${missing.length === 1 ? 'it' : 'them'} to a check and tests`,
      );
    }
    f.ok('written on every `npm run synth` to cdk.out/compliance/ as HTML, Markdown, JSON and SARIF');
    return f.conclude('enforced', 'generated from the synthesized templates on every synth');
  },
});
