import { conditionKeys, EnvironmentModel, isPublicPrincipal, ResourceHandle, statementsOf } from './model';

export interface KeyEntry {
  readonly path: string;
  readonly alias: string;
  readonly description: string;
  readonly spec: string;
  readonly rotation: boolean;
  readonly deletionPolicy: string;
  /** Construct paths of the resources this key encrypts. */
  readonly encrypts: readonly string[];
}

export interface BucketEntry {
  readonly path: string;
  readonly name: string;
  readonly encryption: string;
  readonly versioning: string;
  readonly objectLock: string;
  readonly deletionPolicy: string;
}

export interface EndpointEntry {
  readonly path: string;
  readonly kind: string;
  readonly service: string;
  readonly detail: string;
}

export interface PublicEntryPoint {
  readonly path: string;
  readonly kind: string;
  readonly detail: string;
}

export interface PermissionRow {
  readonly effect: string;
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly conditions: readonly string[];
  /** Where the statement comes from: an inline policy, a customer-managed policy or an AWS managed policy. */
  readonly source: string;
}

export interface RoleEntry {
  readonly path: string;
  readonly trustedBy: readonly string[];
  readonly permissions: readonly PermissionRow[];
}

export interface EnvironmentInventory {
  readonly keys: readonly KeyEntry[];
  readonly buckets: readonly BucketEntry[];
  readonly endpoints: readonly EndpointEntry[];
  readonly publicEntryPoints: readonly PublicEntryPoint[];
  readonly roles: readonly RoleEntry[];
}

/** Properties of data stores that name their KMS key, by resource type. */
export const KEY_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  'AWS::S3::Bucket': ['BucketEncryption'],
  'AWS::Logs::LogGroup': ['KmsKeyId'],
  'AWS::SNS::Topic': ['KmsMasterKeyId'],
  'AWS::SQS::Queue': ['KmsMasterKeyId'],
  'AWS::Lambda::Function': ['KmsKeyArn'],
  'AWS::SecretsManager::Secret': ['KmsKeyId'],
  'AWS::CloudTrail::Trail': ['KMSKeyId'],
  'AWS::SageMaker::EndpointConfig': ['KmsKeyId', 'DataCaptureConfig'],
  'AWS::SageMaker::Model': [],
};

/** Keys (KMS key resources of the environment) a data store's encryption settings point to. */
export function keysOf(model: EnvironmentModel, store: ResourceHandle): ResourceHandle[] {
  const props = KEY_PROPERTIES[store.type] ?? [];
  return props.flatMap((p) =>
    model.referencedResources(store.props[p], store.stack).filter((r) => r.type === 'AWS::KMS::Key'),
  );
}

/** Conditions that confine a public principal to the account, organisation, a source or an endpoint. */
const CONFINING_CONDITIONS = [
  'aws:sourceaccount',
  'aws:sourcearn',
  'aws:principalaccount',
  'aws:principalorgid',
  'aws:sourcevpce',
  'aws:sourcevpc',
  'aws:sourceowner',
  'aws:principalarn',
  'aws:userid',
  'kms:calleraccount',
];

const RESOURCE_POLICIES: Readonly<Record<string, string>> = {
  'AWS::S3::BucketPolicy': 'PolicyDocument',
  'AWS::SNS::TopicPolicy': 'PolicyDocument',
  'AWS::SQS::QueuePolicy': 'PolicyDocument',
  'AWS::KMS::Key': 'KeyPolicy',
  'AWS::ApiGateway::RestApi': 'Policy',
  'AWS::SecretsManager::ResourcePolicy': 'ResourcePolicy',
};

function principalsOf(principal: unknown): string[] {
  if (principal === undefined) return [];
  if (typeof principal === 'string') return [principal];
  return Object.entries(principal as Record<string, unknown>).flatMap(([kind, value]) =>
    (Array.isArray(value) ? value : [value]).map(
      (v) => `${kind}: ${typeof v === 'string' ? v : JSON.stringify(v)}`,
    ),
  );
}

function conditionSummary(condition: Record<string, Record<string, unknown>>): string[] {
  return Object.entries(condition).flatMap(([operator, block]) =>
    Object.entries(block).map(([key, value]) => `${operator} ${key} = ${JSON.stringify(value)}`),
  );
}

/** What each role may do: inline policies, attached customer-managed and AWS managed policies. */
export function roleMatrix(model: EnvironmentModel): RoleEntry[] {
  const policies = model.ofType('AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy');
  return model.ofType('AWS::IAM::Role').map((role) => {
    const trust = statementsOf(role.props.AssumeRolePolicyDocument);
    const trustedBy = trust.flatMap((s) => {
      const conds = conditionSummary(s.condition);
      return principalsOf(s.principal).map((p) => (conds.length ? `${p} (if ${conds.join('; ')})` : p));
    });
    const rows: PermissionRow[] = [];
    const addDocument = (document: unknown, source: string, from: ResourceHandle) => {
      for (const s of statementsOf(document)) {
        rows.push({
          effect: s.effect,
          actions: s.actions.length ? s.actions : s.notActions.map((a) => `NOT ${a}`),
          resources: s.resources.map((r) => model.describe(r, from.stack)),
          conditions: conditionSummary(s.condition).map((c) => model.describe(c, from.stack)),
          source,
        });
      }
    };
    for (const inline of (role.props.Policies as Array<{ PolicyName?: string; PolicyDocument?: unknown }>) ??
      []) {
      addDocument(inline.PolicyDocument, `inline ${inline.PolicyName ?? ''}`.trim(), role);
    }
    for (const policy of policies) {
      const attached = model
        .referencedResources(policy.props.Roles, policy.stack)
        .some((r) => r.stack === role.stack && r.logicalId === role.logicalId);
      if (attached) addDocument(policy.props.PolicyDocument, policy.path, policy);
    }
    for (const arn of (role.props.ManagedPolicyArns as unknown[]) ?? []) {
      const target = model.target(arn, role.stack);
      if (target) {
        if (!policies.includes(target)) addDocument(target.props.PolicyDocument, target.path, target);
      } else {
        const name = model.describe(arn, role.stack);
        rows.push({
          effect: 'Allow',
          actions: [`(AWS managed policy ${name.replace(/^arn:aws:iam::aws:policy\//, '')})`],
          resources: ['(defined by AWS)'],
          conditions: [],
          source: name,
        });
      }
    }
    return { path: role.path, trustedBy, permissions: rows };
  });
}

/** Resources reachable from outside the account or the VPC. */
export function publicEntryPoints(model: EnvironmentModel): PublicEntryPoint[] {
  const entries: PublicEntryPoint[] = [];
  for (const stage of model.ofType('AWS::ApiGateway::Stage')) {
    const api = model.target(stage.props.RestApiId, stage.stack);
    const endpoint = api ? JSON.stringify(api.props.EndpointConfiguration ?? 'EDGE') : 'unknown API';
    entries.push({
      path: stage.path,
      kind: 'API Gateway stage',
      detail: `stage '${model.describe(stage.props.StageName, stage.stack)}' of ${api?.path ?? 'an API'} (${endpoint})`,
    });
  }
  for (const api of model.ofType('AWS::ApiGatewayV2::Api')) {
    entries.push({
      path: api.path,
      kind: 'API Gateway v2 API',
      detail: String(api.props.ProtocolType ?? ''),
    });
  }
  for (const url of model.ofType('AWS::Lambda::Url')) {
    entries.push({
      path: url.path,
      kind: 'Lambda function URL',
      detail: `auth ${String(url.props.AuthType)}`,
    });
  }
  for (const dist of model.ofType('AWS::CloudFront::Distribution')) {
    entries.push({ path: dist.path, kind: 'CloudFront distribution', detail: 'internet-facing' });
  }
  for (const lb of model.ofType('AWS::ElasticLoadBalancingV2::LoadBalancer')) {
    if (lb.props.Scheme !== 'internal') {
      entries.push({ path: lb.path, kind: 'load balancer', detail: 'internet-facing' });
    }
  }
  for (const permission of model.ofType('AWS::Lambda::Permission')) {
    if (
      permission.props.Principal === '*' &&
      !permission.props.SourceArn &&
      !permission.props.SourceAccount
    ) {
      entries.push({
        path: permission.path,
        kind: 'Lambda permission',
        detail: 'invocable by any principal',
      });
    }
  }
  for (const [type, property] of Object.entries(RESOURCE_POLICIES)) {
    for (const handle of model.ofType(type)) {
      for (const s of statementsOf(handle.props[property])) {
        if (s.effect !== 'Allow' || !isPublicPrincipal(s.principal)) continue;
        if (conditionKeys(s).some((k) => CONFINING_CONDITIONS.includes(k))) continue;
        entries.push({
          path: handle.path,
          kind: `public principal in ${type.split('::').slice(1).join(' ')} policy`,
          detail: `${s.sid ?? 'statement'} allows ${s.actions.join(', ')} to "*" without an account, source or endpoint condition`,
        });
      }
    }
  }
  return entries;
}

export function buildInventory(model: EnvironmentModel): EnvironmentInventory {
  const stores = Object.keys(KEY_PROPERTIES).flatMap((t) => model.ofType(t));
  const keys = model.ofType('AWS::KMS::Key').map((key) => {
    const alias = model
      .ofType('AWS::KMS::Alias')
      .find((a) => model.target(a.props.TargetKeyId, a.stack) === key);
    return {
      path: key.path,
      alias: alias ? String(alias.props.AliasName) : '(no alias)',
      description: String(key.props.Description ?? ''),
      spec: String(key.props.KeySpec ?? 'SYMMETRIC_DEFAULT'),
      rotation: key.props.EnableKeyRotation === true,
      deletionPolicy: key.resource.DeletionPolicy ?? 'Delete',
      encrypts: stores.filter((s) => keysOf(model, s).includes(key)).map((s) => s.path),
    };
  });
  const buckets = model.ofType('AWS::S3::Bucket').map((bucket) => {
    const sse = (
      bucket.props.BucketEncryption as
        | {
            ServerSideEncryptionConfiguration?: Array<{
              ServerSideEncryptionByDefault?: Record<string, unknown>;
            }>;
          }
        | undefined
    )?.ServerSideEncryptionConfiguration?.[0]?.ServerSideEncryptionByDefault;
    const key = keysOf(model, bucket)[0];
    const lock = bucket.props.ObjectLockConfiguration as
      { Rule?: { DefaultRetention?: { Mode?: string; Days?: number; Years?: number } } } | undefined;
    const retention = lock?.Rule?.DefaultRetention;
    return {
      path: bucket.path,
      name: model.describe(bucket.props.BucketName, bucket.stack),
      encryption: sse
        ? `${String(sse.SSEAlgorithm)}${key ? ` with ${key.path}` : sse.KMSMasterKeyID ? ` with ${model.describe(sse.KMSMasterKeyID, bucket.stack)}` : ''}`
        : 'none declared',
      versioning: String(
        (bucket.props.VersioningConfiguration as { Status?: string } | undefined)?.Status ?? 'off',
      ),
      objectLock:
        bucket.props.ObjectLockEnabled === true
          ? `on${retention ? ` (${retention.Mode}, ${retention.Days ?? retention.Years} ${retention.Days ? 'days' : 'years'})` : ''}`
          : 'off',
      deletionPolicy: bucket.resource.DeletionPolicy ?? 'Delete',
    };
  });
  const endpoints: EndpointEntry[] = [
    ...model.ofType('AWS::EC2::VPCEndpoint').map((e) => ({
      path: e.path,
      kind: `VPC ${String(e.props.VpcEndpointType ?? 'Gateway').toLowerCase()} endpoint`,
      service: model.describe(e.props.ServiceName, e.stack),
      detail: `${e.props.PrivateDnsEnabled === true ? 'private DNS; ' : ''}policy: ${
        e.props.PolicyDocument
          ? statementsOf(e.props.PolicyDocument)
              .map((s) => s.actions.join(' '))
              .join(' | ')
          : 'NONE (full access)'
      }`,
    })),
    ...model.ofType('AWS::SageMaker::Endpoint').map((e) => ({
      path: e.path,
      kind: 'SageMaker endpoint',
      service: 'sagemaker',
      detail: `config ${model.describe(e.props.EndpointConfigName, e.stack)}`,
    })),
  ];
  return {
    keys,
    buckets,
    endpoints,
    publicEntryPoints: publicEntryPoints(model),
    roles: roleMatrix(model),
  };
}
