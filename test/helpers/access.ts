import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { CfnEnvironment, CfnResource, StackTemplate, UnresolvableError, type Json } from './cfn-environment';

/**
 * Access proofs: a request as AWS would evaluate it, against the policies of the synthesized templates,
 * decided by @cloud-copilot/iam-simulate (a maintained IAM policy simulator, test-only: see
 * docs/decisions on its licence). Each helper returns the resolved policy documents exactly as they would
 * be deployed.
 */

export type PolicyDocument = { Version?: string; Statement: Json[] };

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

export interface AccessRequest {
  /** A role or user ARN, an account root ARN, or a service principal such as `cloudtrail.amazonaws.com`. */
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  /** The account that owns the resource. @default the environment's */
  readonly resourceAccount?: string;
  /** The request context AWS sends (condition keys); arrays for multi-valued keys. */
  readonly context?: RequestContext;
  /** Identity policies of the principal (for roles of this environment). @default none */
  readonly identityPolicies?: readonly PolicyDocument[];
  /** The resource's policy (key, bucket, topic policy). @default none */
  readonly resourcePolicy?: PolicyDocument;
  /** Policies of the VPC endpoint the request goes through. @default none: not through an endpoint */
  readonly endpointPolicies?: readonly PolicyDocument[];
}

export type RequestContext = Readonly<Record<string, string | readonly string[]>>;

const accountOf = (arn: string): string => {
  const account = /^arn:aws:iam::(\d{12}):/.exec(arn)?.[1];
  if (!account) throw new Error(`${arn} is not an IAM principal ARN`);
  return account;
};

/**
 * What IAM puts in the context of a request signed by a role (or user) over TLS, made directly (not by a
 * service on its behalf). `extra` adds keys such as `aws:SourceVpce` for a request through an endpoint.
 */
export function asRole(arn: string, extra: RequestContext = {}): RequestContext {
  return {
    'aws:PrincipalArn': arn,
    'aws:PrincipalAccount': accountOf(arn),
    'aws:PrincipalIsAWSService': 'false',
    'aws:ViaAWSService': 'false',
    'aws:SecureTransport': 'true',
    ...extra,
  };
}

/**
 * A request an AWS service principal makes itself (CloudTrail delivering, S3 logging, SNS for an alarm):
 * `source` is the resource it acts for, as `aws:SourceAccount` / `aws:SourceArn`, when the service sends
 * them for this call.
 */
export function asService(
  service: string,
  source?: { account: string; arn: string },
  extra: RequestContext = {},
): RequestContext {
  return {
    'aws:PrincipalIsAWSService': 'true',
    'aws:PrincipalServiceName': service,
    'aws:SecureTransport': 'true',
    ...(source ? { 'aws:SourceAccount': source.account, 'aws:SourceArn': source.arn } : {}),
    ...extra,
  };
}

/** A KMS call a service makes with the principal's credentials (forward access session), e.g. S3 for SSE-KMS. */
export function throughService(
  principalArn: string,
  service: string,
  region: string,
  extra: RequestContext = {},
): RequestContext {
  return {
    'aws:PrincipalArn': principalArn,
    'aws:PrincipalAccount': accountOf(principalArn),
    'aws:PrincipalIsAWSService': 'false',
    'aws:ViaAWSService': 'true',
    'aws:CalledVia': [`${service}.amazonaws.com`],
    'aws:SecureTransport': 'true',
    'kms:ViaService': `${service}.${region}.amazonaws.com`,
    'kms:CallerAccount': accountOf(principalArn),
    ...extra,
  };
}

/** S3 adds the TLS version of the connection. */
export function overS3(context: RequestContext): RequestContext {
  return { ...context, 's3:TlsVersion': '1.3' };
}

/**
 * Every principal a key, bucket or topic policy of the environment lets in by name: service principals,
 * role ARNs in `Principal`, and role ARNs an Allow statement admits through `aws:PrincipalArn`. The
 * account root is not listed: naming it delegates to the account's identity policies.
 */
export function namedPrincipals(env: CfnEnvironment): string[] {
  const found = new Set<string>();
  const documents: Array<{ doc: Json; stack: StackTemplate }> = [];
  for (const { stack, resource } of env.resources('AWS::KMS::Key'))
    documents.push({ doc: resource.Properties?.KeyPolicy, stack });
  for (const type of ['AWS::S3::BucketPolicy', 'AWS::SNS::TopicPolicy'])
    for (const { stack, resource } of env.resources(type))
      documents.push({ doc: resource.Properties?.PolicyDocument, stack });
  const list = (v: Json): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);
  for (const { doc, stack } of documents) {
    for (const statement of (env.resolve(doc, stack) as PolicyDocument).Statement) {
      const s = statement as {
        Effect: string;
        Principal?: string | Record<string, Json>;
        Condition?: Record<string, Record<string, Json>>;
      };
      if (s.Effect !== 'Allow' || typeof s.Principal !== 'object') continue;
      for (const value of [...list(s.Principal.Service), ...list(s.Principal.AWS)]) {
        if (value !== '*' && !/:root$/.test(value)) found.add(value);
      }
      for (const block of Object.values(s.Condition ?? {})) {
        for (const [key, value] of Object.entries(block)) {
          if (key.toLowerCase() === 'aws:principalarn') list(value).forEach((v) => found.add(v));
        }
      }
    }
  }
  return [...found].sort();
}

export async function decide(request: AccessRequest, account: string): Promise<Decision> {
  const simulation: Simulation = {
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: request.resourceAccount ?? account },
      contextVariables: Object.fromEntries(
        Object.entries(request.context ?? {}).map(([k, v]) => [
          encryptionContextAlias(k),
          typeof v === 'string' ? v : [...v],
        ]),
      ),
    },
    identityPolicies: (request.identityPolicies ?? []).map((policy, i) => ({
      name: `identity-${i}`,
      policy: withEncryptionContextAliases(policy),
    })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: request.resourcePolicy && withEncryptionContextAliases(request.resourcePolicy),
    vpcEndpointPolicies: (request.endpointPolicies ?? []).map((policy, i) => ({
      name: `endpoint-${i}`,
      policy: endpointPolicyForSimulator(policy),
    })),
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') {
    throw new Error(`simulation of ${request.action} refused its input: ${JSON.stringify(result.errors)}`);
  }
  const ignored = result.resultType === 'single' ? (result.result.ignoredContextKeys ?? []) : [];
  if (ignored.length > 0) {
    throw new Error(`${request.action} does not take context key(s) ${ignored.join(', ')}`);
  }
  return result.overallResult as Decision;
}

/**
 * The simulator validates context keys against the Service Authorization Reference but recognises a
 * variable key only when its variable part follows a '/', so it silently drops KMS encryption-context keys
 * (`kms:EncryptionContext:aws:cloudtrail:arn`). They are renamed, in the request and in every condition
 * alike, to a global tag key the simulator accepts: condition operators compare the same strings, and an
 * absent key stays absent, so the decision is unchanged. Remove once the simulator matches these keys.
 */
const ENCRYPTION_CONTEXT = /^kms:EncryptionContext:(.+)$/i;
function encryptionContextAlias(key: string): string {
  const match = ENCRYPTION_CONTEXT.exec(key);
  return match ? `aws:RequestTag/kms-encryption-context.${match[1]}` : key;
}

function withEncryptionContextAliases(policy: PolicyDocument): PolicyDocument {
  return {
    ...policy,
    Statement: policy.Statement.map((statement) => {
      const s = statement as { Condition?: Record<string, Record<string, Json>> };
      if (!s.Condition) return statement;
      const condition = Object.fromEntries(
        Object.entries(s.Condition).map(([operator, block]) => [
          operator,
          Object.fromEntries(Object.entries(block).map(([k, v]) => [encryptionContextAlias(k), v])),
        ]),
      );
      return { ...s, Condition: condition };
    }),
  };
}

/** `{"AWS": "*"}` and `"*"` mean the same in an endpoint policy; the simulator accepts only the latter. */
function endpointPolicyForSimulator(policy: PolicyDocument): PolicyDocument {
  return {
    ...policy,
    Statement: policy.Statement.map((statement) => {
      const s = statement as { Principal?: Json };
      const anyone = JSON.stringify(s.Principal) === JSON.stringify({ AWS: '*' });
      return anyone ? { ...s, Principal: '*' } : statement;
    }),
  };
}

/** Policy accessors over one synthesized environment. */
export class EnvironmentPolicies {
  constructor(readonly env: CfnEnvironment) {}

  private document(value: Json, stack: StackTemplate): PolicyDocument {
    return this.env.resolve(value, stack) as PolicyDocument;
  }

  /** The key whose alias is `alias/<aliasName>`: its ARN and key policy. */
  key(aliasName: string): { arn: string; policy: PolicyDocument } {
    for (const { stack, resource } of this.env.resources('AWS::KMS::Alias')) {
      if (resource.Properties?.AliasName !== `alias/${aliasName}`) continue;
      const keyRef = resource.Properties?.TargetKeyId as { 'Fn::GetAtt': [string, string] };
      const keyId = keyRef['Fn::GetAtt'][0];
      const key = stack.template.Resources[keyId]!;
      return {
        arn: String(this.env.resolve({ 'Fn::GetAtt': [keyId, 'Arn'] }, stack)),
        policy: this.document(key.Properties?.KeyPolicy, stack),
      };
    }
    throw new UnresolvableError(`no key with alias ${aliasName}`);
  }

  /** The policy of the bucket named `bucketName`. */
  bucketPolicy(bucketName: string): PolicyDocument {
    const matches = this.env
      .resources('AWS::S3::BucketPolicy')
      .filter(({ stack, resource }) => this.env.resolve(resource.Properties?.Bucket, stack) === bucketName);
    if (matches.length !== 1)
      throw new UnresolvableError(`${matches.length} policies for bucket ${bucketName}`);
    const { stack, resource } = matches[0]!;
    return this.document(resource.Properties?.PolicyDocument, stack);
  }

  /** The topic at `pathSuffix` (construct path of its resource): ARN and topic policy. */
  topic(pathSuffix: string): { arn: string; policy: PolicyDocument; keyArn: string } {
    const topic = this.env.byPath(pathSuffix);
    const arn = String(this.env.resolve({ Ref: topic.logicalId }, topic.stack));
    const policies = this.env
      .resources('AWS::SNS::TopicPolicy')
      .filter(({ stack: s, resource }) =>
        (this.env.resolve(resource.Properties?.Topics, s) as Json[]).includes(arn),
      );
    if (policies.length !== 1) throw new UnresolvableError(`${policies.length} policies for topic ${arn}`);
    return {
      arn,
      policy: this.document(policies[0]!.resource.Properties?.PolicyDocument, policies[0]!.stack),
      keyArn: String(this.env.resolve(topic.resource.Properties?.KmsMasterKeyId, topic.stack)),
    };
  }

  /** The policy of the key with this ARN. */
  keyByArn(arn: string): PolicyDocument {
    for (const { stack, logicalId, resource } of this.env.resources('AWS::KMS::Key')) {
      if (this.env.resolve({ 'Fn::GetAtt': [logicalId, 'Arn'] }, stack) === arn)
        return this.document(resource.Properties?.KeyPolicy, stack);
    }
    throw new UnresolvableError(`no key ${arn}`);
  }

  /** The interface or gateway endpoint for `serviceSuffix` (`lambda`, `kms`, `s3`, ...). */
  endpointPolicy(serviceSuffix: string): { id: string; policy: PolicyDocument } {
    const matches = this.env.resources('AWS::EC2::VPCEndpoint').filter(({ stack, resource }) => {
      const service = String(this.env.resolve(resource.Properties?.ServiceName, stack));
      return service.endsWith(`.${serviceSuffix}`);
    });
    if (matches.length !== 1) throw new UnresolvableError(`${matches.length} endpoints for ${serviceSuffix}`);
    const [{ stack, logicalId, resource }] = matches as [
      { stack: StackTemplate; logicalId: string; resource: CfnResource },
    ];
    return {
      id: String(this.env.resolve({ Ref: logicalId }, stack)),
      policy: this.document(resource.Properties?.PolicyDocument, stack),
    };
  }

  /** A role (by construct path suffix of the role resource): its ARN and every identity policy attached. */
  role(pathSuffix: string): { arn: string; policies: PolicyDocument[] } {
    const { stack, logicalId } = this.env.byPath(pathSuffix);
    const arn = String(this.env.resolve({ 'Fn::GetAtt': [logicalId, 'Arn'] }, stack));
    const name = String(this.env.resolve({ Ref: logicalId }, stack));
    const attached = (roles: Json, s: StackTemplate) =>
      ((this.env.resolve(roles ?? [], s) as Json[]) ?? []).map(String).includes(name);
    const policies: PolicyDocument[] = [];
    for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
      for (const { stack: s, resource } of this.env.resources(type)) {
        if (attached(resource.Properties?.Roles, s) && this.env.exists(resource, s)) {
          policies.push(this.document(resource.Properties?.PolicyDocument, s));
        }
      }
    }
    const role = stack.template.Resources[logicalId]!;
    for (const inline of (role.Properties?.Policies as Array<{ PolicyDocument: Json }> | undefined) ?? []) {
      policies.push(this.document(inline.PolicyDocument, stack));
    }
    if (role.Properties?.ManagedPolicyArns !== undefined) {
      const arns = this.env.resolve(role.Properties.ManagedPolicyArns, stack) as string[];
      const awsManaged = arns.filter((a) => a.startsWith('arn:aws:iam::aws:policy/'));
      if (awsManaged.length > 0) {
        throw new UnresolvableError(`${pathSuffix} uses AWS managed policies ${awsManaged.join(', ')}`);
      }
    }
    return { arn, policies };
  }
}
