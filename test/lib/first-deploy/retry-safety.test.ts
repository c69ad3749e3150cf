import { RetrySafeFixedNames } from '../../../lib/nag/rules/retry-safe-fixed-names';
import { allTemplates, buildTestApp } from '../../helpers/app';
import { ChurnControlsChecks } from '../../../lib/nag/churn-controls-pack';

/**
 * ENV-4: a failed first deploy rolls back; nothing it created may stay behind under a fixed name (or as an
 * account singleton such as the Macie session), or the retry fails with "already exists".
 */

const testApp = buildTestApp();

test('ENV-4 no resource of any environment keeps a fixed name (or an account singleton) through a rollback of its creation', () => {
  const retainedWithFixedName: string[] = [];
  for (const { label, template } of allTemplates(testApp)) {
    for (const [id, resource] of Object.entries(
      template.toJSON().Resources as Record<
        string,
        {
          Type: string;
          DeletionPolicy?: string;
          Properties?: Record<string, unknown>;
        }
      >,
    )) {
      if (resource.DeletionPolicy !== 'Retain') continue;
      const typeName = resource.Type.split('::').pop()!;
      const named = resource.Properties?.[`${typeName}Name`] ?? resource.Properties?.Name;
      if (named !== undefined || resource.Type === 'AWS::Macie::Session') {
        retainedWithFixedName.push(`${label} ${id} (${resource.Type})`);
      }
    }
  }
  expect(retainedWithFixedName).toEqual([]);
});

test('ENV-4 the rule pack holds the same line for every stack of every environment', () => {
  const violations = new ChurnControlsChecks()
    .validateScope(testApp.app)
    .violations.filter((v) => v.ruleName.endsWith(RetrySafeFixedNames.id));
  expect(violations.flatMap((v) => v.violatingResources.map((r) => r.constructPath))).toEqual([]);
});
