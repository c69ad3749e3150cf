import { ResourceHandle, statementsOf } from '../../model';
import { defineControl, Findings } from '../control';

export const REQUIRED_INTERFACE_ENDPOINTS = [
  'sagemaker.runtime',
  'sagemaker.api',
  'kms',
  'logs',
  'monitoring',
  'sts',
  'secretsmanager',
];

export const NET_2 = defineControl({
  id: 'NET-2',
  implementedBy: [{ name: 'IsolatedNetwork', file: 'lib/constructs/isolated-network.ts' }],
  provenBy: [
    {
      file: 'test/lib/foundation-controls.test.ts',
      name: 'NET-2, NET-3: endpoints and security groups every interface endpoint has private DNS, a policy limited to the account, and the endpoint security group',
    },
    {
      file: 'test/lib/foundation-controls.test.ts',
      name: 'NET-2, NET-3: endpoints and security groups the S3 gateway endpoint reaches only the project buckets',
    },
    {
      file: 'test/lib/nag/rules/interface-endpoint-policy.test.ts',
      name: 'ChurnControls-InterfaceEndpointPolicy (NET-2) an interface endpoint without a policy, or allowing every action, is a finding',
    },
  ],
  rules: ['ChurnControls-InterfaceEndpointPolicy'],
  evaluate(ctx) {
    const f = new Findings();
    const { model } = ctx;
    const endpoints = model.ofType('AWS::EC2::VPCEndpoint');
    const serviceOf = (e: ResourceHandle) =>
      model.describe(e.props.ServiceName, e.stack).replace(/^com\.amazonaws\.[^.]+\./, '');
    const iface = endpoints.filter((e) => e.props.VpcEndpointType === 'Interface');
    const gateways = endpoints.filter((e) => (e.props.VpcEndpointType ?? 'Gateway') === 'Gateway');
    for (const e of iface) {
      const statements = statementsOf(e.props.PolicyDocument);
      const actions = statements.flatMap((s) => s.actions);
      if (!e.props.PolicyDocument)
        f.bad(`interface endpoint ${serviceOf(e)} has no endpoint policy (full access)`, e);
      else if (actions.includes('*') || statements.some((s) => s.notActions.length > 0)) {
        f.bad(`interface endpoint ${serviceOf(e)} policy allows every action`, e);
      } else if (e.props.PrivateDnsEnabled !== true)
        f.bad(`interface endpoint ${serviceOf(e)} has no private DNS`, e);
      else f.ok(`${serviceOf(e)}: private DNS, policy allows ${actions.join(', ')}`, e);
    }
    for (const service of REQUIRED_INTERFACE_ENDPOINTS) {
      if (!iface.some((e) => serviceOf(e) === service)) f.bad(`no interface endpoint for ${service}`);
    }
    const s3 = gateways.filter((e) => serviceOf(e) === 's3');
    if (s3.length === 0) f.bad('no S3 gateway endpoint');
    for (const e of s3) {
      f.check(
        e.props.PolicyDocument !== undefined,
        `S3 gateway endpoint limited to ${statementsOf(e.props.PolicyDocument)
          .flatMap((s) => s.resources.map((r) => model.describe(r, e.stack)))
          .filter((r) => !r.endsWith('/*'))
          .join(', ')}`,
        'S3 gateway endpoint has no policy',
        e,
      );
    }
    return f.conclude(
      'enforced',
      `${iface.length} interface endpoints and ${s3.length} S3 gateway endpoint, each with a least-privilege policy`,
    );
  },
});
