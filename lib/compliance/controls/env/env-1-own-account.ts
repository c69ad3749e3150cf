import { defineControl, Findings } from '../control';

export const ENV_1 = defineControl({
  id: 'ENV-1',
  implementedBy: [
    { name: 'loadConfig', file: 'lib/config/load.ts' },
    { name: 'EnvironmentStage', file: 'lib/stages/environment-stage.ts' },
  ],
  provenBy: [
    {
      file: 'test/lib/config/schema.test.ts',
      name: 'configuration schema (ENV-1, ENV-2) a malformed account id names the environment, the field and the expected form',
    },
    {
      file: 'test/lib/config/schema.test.ts',
      name: 'configuration schema (ENV-1, ENV-2) the invalid CIDR %s is refused (%s)',
    },
    {
      file: 'test/lib/config/schema.test.ts',
      name: 'configuration schema (ENV-1, ENV-2) two environments in one account are refused (ENV-1)',
    },
  ],
  evaluate(ctx) {
    const f = new Findings();
    const { model } = ctx;
    if (model.stacks.length === 0) f.bad(`environment ${model.name} has no stacks`);
    for (const stack of model.stacks) {
      f.check(
        /^\d{12}$/.test(stack.account) && stack.region !== 'unknown-region',
        `${stack.displayName} deploys to aws://${stack.account}/${stack.region}`,
        `${stack.displayName} has no explicit account/region (aws://${stack.account}/${stack.region})`,
      );
    }
    const accounts = new Set(model.stacks.map((s) => s.account));
    if (accounts.size > 1)
      f.bad(`stacks of ${model.name} target several accounts: ${[...accounts].join(', ')}`);
    for (const other of ctx.environments) {
      if (other !== model && other.account === model.account) {
        f.bad(`${model.name} shares account ${model.account} with ${other.name}`);
      }
    }
    f.ok('account ids, regions and CIDRs are validated when the configuration loads (loadConfig)');
    return f.conclude(
      'enforced',
      `${model.name} deploys to its own account ${model.account} in ${model.region}`,
    );
  },
});
