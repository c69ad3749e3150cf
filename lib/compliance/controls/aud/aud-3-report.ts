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
  ],
  evaluate(ctx) {
    const f = new Findings();
    if (ctx.model.stacks.length === 0)
      f.bad(`no synthesized template of ${ctx.model.name} to read evidence from`);
    f.ok(
      `this report maps all ${CONTROLS.length} controls to evidence read from the ${ctx.model.stacks.length} synthesized templates of ${ctx.model.name}`,
    );
    f.ok('written on every `npm run synth` to cdk.out/compliance/ as HTML, Markdown, JSON and SARIF');
    return f.conclude('enforced', 'generated from the synthesized templates on every synth');
  },
});
