import { ResourceHandle } from '../../model';
import { defineControl, Findings } from '../control';
import { isCdkManagedProvider, list, policyDocuments } from '../template-readers';

export const SEC_2 = defineControl({
  id: 'SEC-2',
  implementedBy: [
    { name: 'ManagedPolicyRole', file: 'lib/constructs/managed-policy-role.ts' },
    { name: 'SecureFunction', file: 'lib/constructs/secure-function.ts' },
    { name: 'acknowledgeRule', file: 'lib/compliance/acknowledge.ts' },
  ],
  provenBy: [
    {
      file: 'test/lib/constructs/secure-function.test.ts',
      name: 'SecureFunction (NET-1, KEY-1, SEC-2) keeps permissions in a customer-managed policy, never inline or AWS-managed',
    },
    {
      file: 'test/lib/rule-packs.test.ts',
      name: 'rule packs on the example configuration (AUD-2, SEC-2) every acknowledgment is written into the template with a reason of substance',
    },
  ],
  rules: [
    'AwsSolutions-IAM4',
    'AwsSolutions-IAM5',
    'NIST.800.53.R5-IAMNoInlinePolicy',
    'NIST.800.53.R5-IAMPolicyNoStatementsWithFullAccess',
  ],
  evaluate(ctx) {
    const f = new Findings();
    const { model } = ctx;
    const roles = model.ofType('AWS::IAM::Role');
    let wildcardResources = 0;
    const acknowledgedWildcards = new Map<string, ResourceHandle[]>();
    for (const { handle, statements } of policyDocuments(model)) {
      if (isCdkManagedProvider(handle)) continue;
      for (const s of statements) {
        if (s.effect !== 'Allow') continue;
        const starActions = s.actions.filter((a) => a === '*' || /^[a-z0-9-]+:\*$/i.test(a));
        if (s.notActions.length)
          f.bad(`NotAction statement allows everything except ${s.notActions.join(', ')}`, handle);
        for (const a of starActions) {
          if (!model.isAcknowledged(handle, `AwsSolutions-IAM5[Action::${a}]`))
            f.bad(`action ${a} allows every action of the service`, handle);
        }
        if (s.resources.some((r) => r === '*')) {
          wildcardResources++;
          // The pack's finding for a '*' resource is exactly this id (or the whole rule).
          const acked =
            model.isAcknowledged(handle, 'AwsSolutions-IAM5[Resource::*]') ||
            model.acknowledgmentsOf(handle).some((a) => a.ruleId === 'AwsSolutions-IAM5');
          const text = `'*' resource for ${s.actions.join(', ')}`;
          if (!acked) f.bad(`${text} without an acknowledgment`, handle);
          else acknowledgedWildcards.set(text, [...(acknowledgedWildcards.get(text) ?? []), handle]);
        }
      }
    }
    // One line per distinct grant: the same VPC-placement statement appears in every function's policy.
    for (const [text, handles] of acknowledgedWildcards) {
      f.ok(
        `${text} — acknowledged with its reason${handles.length > 1 ? ` (${handles.length} policies)` : ''}`,
        handles[0],
      );
    }
    for (const role of roles) {
      for (const arn of list<unknown>(role.props.ManagedPolicyArns)) {
        const managed = /^arn:[a-z-]+:iam::aws:policy\/(.+)$/.exec(model.describe(arn, role.stack));
        if (!managed) continue;
        if (isCdkManagedProvider(role))
          f.ok(`CDK-managed provider role uses AWS managed ${managed[1]} (deploy-time only)`, role);
        else f.bad(`role uses AWS managed policy ${managed[1]}`, role);
      }
    }
    f.ok(
      `${roles.length} roles; ${wildcardResources} statements with '*' resources, each acknowledged (see the least-privilege matrix)`,
    );
    return f.conclude(
      'enforced',
      "no '*' actions; '*' resources only where AWS allows nothing narrower, each acknowledged",
    );
  },
});
