import { EnvironmentModel, ResourceHandle } from '../../model';
import { defineControl, Findings } from '../control';
import { list, str } from '../template-readers';

interface SgRule {
  readonly sg?: ResourceHandle;
  readonly direction: 'ingress' | 'egress';
  readonly rule: Record<string, unknown>;
  readonly where: ResourceHandle;
}

function securityGroupRules(model: EnvironmentModel): SgRule[] {
  const rules: SgRule[] = [];
  for (const sg of model.ofType('AWS::EC2::SecurityGroup')) {
    for (const r of list<Record<string, unknown>>(sg.props.SecurityGroupIngress))
      rules.push({ sg, direction: 'ingress', rule: r, where: sg });
    for (const r of list<Record<string, unknown>>(sg.props.SecurityGroupEgress))
      rules.push({ sg, direction: 'egress', rule: r, where: sg });
  }
  for (const r of model.ofType('AWS::EC2::SecurityGroupIngress')) {
    rules.push({ sg: model.target(r.props.GroupId, r.stack), direction: 'ingress', rule: r.props, where: r });
  }
  for (const r of model.ofType('AWS::EC2::SecurityGroupEgress')) {
    rules.push({ sg: model.target(r.props.GroupId, r.stack), direction: 'egress', rule: r.props, where: r });
  }
  return rules;
}

export const NET_3 = defineControl({
  id: 'NET-3',
  implementedBy: [{ name: 'IsolatedNetwork', file: 'lib/constructs/isolated-network.ts' }],
  provenBy: [
    {
      file: 'test/lib/foundation-controls.test.ts',
      name: 'NET-2, NET-3: endpoints and security groups endpoints accept only HTTPS, and only from the workload security group',
    },
    {
      file: 'test/lib/foundation-controls.test.ts',
      name: 'NET-2, NET-3: endpoints and security groups the default security group of every VPC is stripped of its rules',
    },
    {
      file: 'test/lib/serving/serving-stack.test.ts',
      name: "MODEL-4, NET-1, NET-3, KEY-1: the secure endpoint the model's security group allows nothing in and only HTTPS out",
    },
  ],
  rules: ['AwsSolutions-EC23', 'NIST.800.53.R5-EC2RestrictedCommonPorts', 'NIST.800.53.R5-EC2RestrictedSSH'],
  evaluate(ctx) {
    const f = new Findings();
    const { model } = ctx;
    for (const { sg, direction, rule, where } of securityGroupRules(model)) {
      const peer = model.describe(
        rule.CidrIp ??
          rule.CidrIpv6 ??
          rule.SourceSecurityGroupId ??
          rule.DestinationSecurityGroupId ??
          rule.DestinationPrefixListId ??
          rule.SourcePrefixListId,
        where.stack,
      );
      const ports =
        rule.IpProtocol === '-1'
          ? 'all traffic'
          : `${str(rule.IpProtocol)} ${str(rule.FromPort)}-${str(rule.ToPort)}`;
      const text = `${direction} ${ports} ${direction === 'ingress' ? 'from' : 'to'} ${peer} (${sg?.path ?? 'group'}): ${str(rule.Description ?? '')}`;
      // CDK's stand-in for "no egress at all" on a group created with allowAllOutbound: false.
      if (rule.CidrIp === '255.255.255.255/32' && rule.IpProtocol === 'icmp') {
        f.ok(`no outbound traffic allowed (${sg?.path ?? 'group'})`, where);
        continue;
      }
      const open = rule.CidrIp === '0.0.0.0/0' || rule.CidrIpv6 === '::/0';
      if (direction === 'ingress' && open) f.bad(`${text} — open to the internet`, where);
      else if (rule.IpProtocol === '-1' && open) f.bad(`${text} — all traffic to anywhere`, where);
      else if (direction === 'ingress' && !(rule.FromPort === 443 && rule.ToPort === 443))
        f.bad(`${text} — not HTTPS`, where);
      else f.ok(text, where);
    }
    const restrictors = model.ofType('Custom::VpcRestrictDefaultSG');
    for (const vpc of model.ofType('AWS::EC2::VPC')) {
      const r = restrictors.find((h) => model.target(h.props.DefaultSecurityGroupId, h.stack) === vpc);
      f.check(
        !!r,
        'the VPC default security group is stripped of all rules at deploy time',
        'the VPC default security group keeps its default rules',
        r ?? vpc,
      );
    }
    return f.conclude(
      'enforced',
      'only HTTPS from workload groups to endpoints; default security group emptied',
    );
  },
});
