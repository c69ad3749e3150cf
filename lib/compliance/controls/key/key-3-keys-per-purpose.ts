import { KEY_PROPERTIES, keysOf } from '../../inventory';
import { defineControl, Findings } from '../control';
import { dataBuckets, modelBuckets, plural } from '../template-readers';

export const KEY_PURPOSES = ['data', 'model', 'logs'] as const;

export const KEY_3 = defineControl({
  id: 'KEY-3',
  implementedBy: [
    { name: 'KeysStack', file: 'lib/stacks/keys-stack.ts' },
    { name: 'EncryptionKey', file: 'lib/constructs/encryption-key.ts' },
  ],
  provenBy: [
    {
      file: 'test/lib/foundation-controls.test.ts',
      name: 'KEY-1, KEY-2, KEY-3: customer-managed keys every key rotates, and each environment has separate data, model and logs keys',
    },
  ],
  evaluate(ctx) {
    const f = new Findings();
    const { model } = ctx;
    const aliases = model
      .ofType('AWS::KMS::Alias')
      .map((a) => ({ alias: String(a.props.AliasName), key: model.target(a.props.TargetKeyId, a.stack) }));
    const byPurpose = new Map<string, unknown>();
    for (const purpose of KEY_PURPOSES) {
      const found = aliases.find((a) => a.alias.endsWith(`/${purpose}`));
      if (!found?.key) {
        f.bad(`no key with a '${purpose}' alias`);
        continue;
      }
      const other = [...byPurpose.entries()].find(([, key]) => key === found.key);
      if (other) f.bad(`the '${purpose}' and '${other[0]}' aliases name the same key`, found.key);
      byPurpose.set(purpose, found.key);
      const stores = Object.keys(KEY_PROPERTIES)
        .flatMap((t) => model.ofType(t))
        .filter((s) => keysOf(model, s).includes(found.key!));
      f.ok(
        `${found.alias}: encrypts ${plural(stores.length, 'resource')} (${[...new Set(stores.map((s) => s.type.split('::')[2]))].join(', ') || 'none yet'})`,
        found.key,
      );
    }
    const modelKey = modelBuckets(model).flatMap((b) => keysOf(model, b));
    const dataKey = dataBuckets(model).flatMap((b) => keysOf(model, b));
    if (modelKey.some((k) => dataKey.includes(k))) f.bad('the model bucket and the data bucket share a key');
    return f.conclude('enforced', 'separate keys for data, model artifacts and logs');
  },
});
