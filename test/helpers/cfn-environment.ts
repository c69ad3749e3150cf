import { CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EnvironmentStage } from '../../lib/stages/environment-stage';
import { stacksOf } from './app';

/**
 * The synthesized templates of one environment, with a resolver that turns CloudFormation intrinsics into
 * the strings AWS would see at deploy time. Physical ids that CloudFormation generates are replaced by
 * stable placeholders derived from the logical id, so a test can name the same resource in a request.
 */

export type Json = unknown;

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, Json>;
  readonly Condition?: string;
  readonly DeletionPolicy?: string;
  readonly Metadata?: Record<string, Json>;
}

export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { Value: Json; Condition?: string }>;
  readonly Parameters?: Record<string, { Type: string; Default?: string }>;
  readonly Conditions?: Record<string, Json>;
}

export interface StackTemplate {
  /** `Prod-Keys`: the CloudFormation stack name. */
  readonly stackName: string;
  /** `Keys`: the construct id within the stage. */
  readonly id: string;
  readonly stack: Stack;
  readonly template: CfnTemplate;
}

export class UnresolvableError extends Error {}

/**
 * Values of SSM-typed parameters (by parameter name) as this deployment would resolve them; any parameter
 * not listed resolves to its default (the SSM parameter name).
 */
export type ParameterValues = Readonly<Record<string, string>>;

export class CfnEnvironment {
  readonly account: string;
  readonly region: string;
  readonly partition = 'aws';
  readonly stacks: readonly StackTemplate[];

  constructor(
    stage: EnvironmentStage,
    private readonly parameterValues: ParameterValues = {},
  ) {
    this.account = stage.account!;
    this.region = stage.region!;
    this.stacks = stacksOf(stage).map((stack) => ({
      stackName: stack.stackName,
      id: stack.node.id,
      stack,
      template: Template.fromStack(stack).toJSON() as CfnTemplate,
    }));
  }

  stackById(id: string): StackTemplate {
    const found = this.stacks.find((s) => s.id === id);
    if (!found)
      throw new UnresolvableError(`no stack ${id} (have ${this.stacks.map((s) => s.id).join(', ')})`);
    return found;
  }

  /** Every resource of the environment, with its stack. */
  resources(type?: string): Array<{ stack: StackTemplate; logicalId: string; resource: CfnResource }> {
    return this.stacks.flatMap((stack) =>
      Object.entries(stack.template.Resources)
        .filter(([, r]) => type === undefined || r.Type === type)
        .map(([logicalId, resource]) => ({ stack, logicalId, resource })),
    );
  }

  /** The one resource whose construct path ends with `pathSuffix` (e.g. `Keys/LogsKey/Key/Resource`). */
  byPath(pathSuffix: string): { stack: StackTemplate; logicalId: string; resource: CfnResource } {
    const matches = this.stacks.flatMap((stack) =>
      stack.stack.node
        .findAll()
        .filter(
          (c): c is CfnElement => CfnElement.isCfnElement(c) && `/${c.node.path}`.endsWith(`/${pathSuffix}`),
        )
        .map((c) => {
          const logicalId = stack.stack.resolve(c.logicalId) as string;
          return { stack, logicalId, resource: stack.template.Resources[logicalId]! };
        })
        .filter((m) => m.resource !== undefined),
    );
    if (matches.length !== 1) {
      throw new UnresolvableError(`${matches.length} resources have a path ending in ${pathSuffix}`);
    }
    return matches[0]!;
  }

  /** Resolves every intrinsic in `value`, as seen from `stack`. */
  resolve(value: Json, stack: StackTemplate): Json {
    if (Array.isArray(value)) {
      return value.map((v) => this.resolve(v, stack)).filter((v) => v !== NO_VALUE);
    }
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, Json>);
    if (entries.length === 1) {
      const [[fn, arg]] = entries as [[string, Json]];
      if (fn === 'Ref') return this.ref(String(arg), stack);
      if (fn.startsWith('Fn::') || fn === 'Condition') return this.intrinsic(fn, arg, stack);
    }
    const out: Record<string, Json> = {};
    for (const [k, v] of entries) {
      const resolved = this.resolve(v, stack);
      if (resolved !== NO_VALUE) out[k] = resolved;
    }
    return out;
  }

  /** True when the named condition of the stack holds under the configured parameter values. */
  condition(name: string, stack: StackTemplate): boolean {
    const expression = stack.template.Conditions?.[name];
    if (expression === undefined) throw new UnresolvableError(`${stack.stackName} has no condition ${name}`);
    return Boolean(this.resolve(expression, stack));
  }

  /** Whether a resource exists in this deployment (its Condition, if any, holds). */
  exists(resource: CfnResource, stack: StackTemplate): boolean {
    return resource.Condition === undefined || this.condition(resource.Condition, stack);
  }

  private intrinsic(fn: string, arg: Json, stack: StackTemplate): Json {
    const args = Array.isArray(arg) ? arg : [arg];
    switch (fn) {
      case 'Fn::Join': {
        const [separator, parts] = arg as [string, Json[]];
        return (this.resolve(parts, stack) as Json[]).map(String).join(separator);
      }
      case 'Fn::Select': {
        const [index, list] = arg as [Json, Json];
        const items = this.resolve(list, stack) as Json[];
        const i = Number(this.resolve(index, stack));
        if (!Array.isArray(items) || i >= items.length) {
          throw new UnresolvableError(`Fn::Select ${i} of ${JSON.stringify(items)} is out of range`);
        }
        return items[i];
      }
      case 'Fn::Split': {
        const [separator, source] = arg as [string, Json];
        return String(this.resolve(source, stack)).split(separator);
      }
      case 'Fn::Sub': {
        const [text, vars] = (Array.isArray(arg) ? arg : [arg, {}]) as [string, Record<string, Json>];
        return text.replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
          if (vars[name] !== undefined) return String(this.resolve(vars[name], stack));
          if (name.includes('.')) {
            const [id, attribute] = name.split('.') as [string, string];
            return String(this.getAtt(id, attribute, stack));
          }
          return String(this.ref(name, stack));
        });
      }
      case 'Fn::GetAtt': {
        const [id, attribute] = (Array.isArray(arg) ? arg : String(arg).split('.')) as [string, string];
        return this.getAtt(id, attribute, stack);
      }
      case 'Fn::GetStackOutput': {
        const { StackName, OutputName } = arg as { StackName: string; OutputName: string };
        const producer = this.stacks.find((s) => s.stackName === StackName);
        const output = producer?.template.Outputs?.[OutputName];
        if (!producer || !output) throw new UnresolvableError(`no output ${StackName}/${OutputName}`);
        return this.resolve(output.Value, producer);
      }
      case 'Fn::ImportValue': {
        const name = String(this.resolve(arg, stack));
        for (const producer of this.stacks) {
          for (const output of Object.values(producer.template.Outputs ?? {})) {
            const exported = (output as { Export?: { Name: Json } }).Export;
            if (exported && this.resolve(exported.Name, producer) === name) {
              return this.resolve(output.Value, producer);
            }
          }
        }
        throw new UnresolvableError(`no export ${name}`);
      }
      case 'Fn::If': {
        const [name, whenTrue, whenFalse] = arg as [string, Json, Json];
        return this.resolve(this.condition(name, stack) ? whenTrue : whenFalse, stack);
      }
      case 'Fn::Equals': {
        const [a, b] = this.resolve(args, stack) as [Json, Json];
        return JSON.stringify(a) === JSON.stringify(b);
      }
      case 'Fn::Not':
        return !this.resolve(args[0], stack);
      case 'Fn::And':
        return (this.resolve(args, stack) as Json[]).every(Boolean);
      case 'Fn::Or':
        return (this.resolve(args, stack) as Json[]).some(Boolean);
      case 'Condition':
        return this.condition(String(arg), stack);
      case 'Fn::Contains': {
        const [list, item] = this.resolve(args, stack) as [Json[], Json];
        return list.some((v) => JSON.stringify(v) === JSON.stringify(item));
      }
      default:
        throw new UnresolvableError(`intrinsic ${fn} is not supported`);
    }
  }

  private ref(name: string, stack: StackTemplate): Json {
    const pseudo: Record<string, Json> = {
      'AWS::AccountId': this.account,
      'AWS::Region': this.region,
      'AWS::Partition': this.partition,
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': stack.stackName,
      'AWS::NoValue': NO_VALUE,
    };
    if (name in pseudo) return pseudo[name];
    const parameter = stack.template.Parameters?.[name];
    if (parameter) {
      const key = parameter.Default ?? name;
      if (parameter.Type.startsWith('AWS::SSM::Parameter::Value')) {
        return this.parameterValues[key] ?? `ssm:${key}`;
      }
      return key;
    }
    const resource = stack.template.Resources[name];
    if (!resource) throw new UnresolvableError(`${stack.stackName} has no resource or parameter ${name}`);
    return this.physicalId(name, resource, stack);
  }

  /** What `Ref` returns for a resource: its name where it has one, else a placeholder id. */
  physicalId(logicalId: string, resource: CfnResource, stack: StackTemplate): string {
    const props = resource.Properties ?? {};
    const named = (key: string) =>
      props[key] !== undefined ? String(this.resolve(props[key], stack)) : logicalId.toLowerCase();
    switch (resource.Type) {
      case 'AWS::S3::Bucket':
        return named('BucketName');
      case 'AWS::IAM::Role':
        return named('RoleName');
      case 'AWS::Logs::LogGroup':
        return named('LogGroupName');
      case 'AWS::Lambda::Function':
        return named('FunctionName');
      case 'AWS::Lambda::Version':
        // Ref of a version is its ARN, qualified by the number Lambda assigns when it publishes.
        return `arn:aws:lambda:${this.region}:${this.account}:function:${String(
          this.resolve(props.FunctionName, stack),
        )}:7`;
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:${this.region}:${this.account}:${logicalId}`;
      case 'AWS::SQS::Queue':
        return `https://sqs.${this.region}.amazonaws.com/${this.account}/${logicalId}`;
      case 'AWS::KMS::Key':
        return `key-${logicalId}`;
      case 'AWS::EC2::VPCEndpoint':
        return `vpce-${logicalId}`;
      case 'AWS::CloudTrail::Trail':
        return named('TrailName');
      case 'AWS::IAM::ManagedPolicy':
        return `arn:aws:iam::${this.account}:policy/${logicalId}`;
      case 'AWS::SSM::Parameter':
        return named('Name');
      case 'AWS::SecretsManager::Secret':
        return `arn:aws:secretsmanager:${this.region}:${this.account}:secret:${logicalId}`;
      default:
        return logicalId;
    }
  }

  private getAtt(logicalId: string, attribute: string, stack: StackTemplate): Json {
    const resource = stack.template.Resources[logicalId];
    if (!resource) throw new UnresolvableError(`${stack.stackName} has no resource ${logicalId}`);
    const id = this.physicalId(logicalId, resource, stack);
    const { region, account } = this;
    const arns: Record<string, () => string> = {
      'AWS::S3::Bucket': () => `arn:aws:s3:::${id}`,
      'AWS::KMS::Key': () => `arn:aws:kms:${region}:${account}:key/${id}`,
      'AWS::IAM::Role': () => `arn:aws:iam::${account}:role/${id}`,
      'AWS::Logs::LogGroup': () => `arn:aws:logs:${region}:${account}:log-group:${id}:*`,
      'AWS::Lambda::Function': () => `arn:aws:lambda:${region}:${account}:function:${id}`,
      'AWS::SQS::Queue': () => `arn:aws:sqs:${region}:${account}:${logicalId}`,
      'AWS::SNS::Topic': () => id,
      'AWS::CloudTrail::Trail': () => `arn:aws:cloudtrail:${region}:${account}:trail/${id}`,
      'AWS::CloudWatch::Alarm': () =>
        `arn:aws:cloudwatch:${region}:${account}:alarm:${String(resource.Properties?.AlarmName ?? logicalId)}`,
      'AWS::Events::Rule': () => `arn:aws:events:${region}:${account}:rule/${logicalId}`,
      'AWS::SecretsManager::Secret': () => id,
      'AWS::SageMaker::ModelPackageGroup': () =>
        `arn:aws:sagemaker:${region}:${account}:model-package-group/${String(
          this.resolve(resource.Properties?.ModelPackageGroupName, stack),
        ).toLowerCase()}`,
    };
    if (attribute === 'Arn' || /Arn$/.test(attribute)) {
      const arn = arns[resource.Type];
      if (arn) return arn();
    }
    if (resource.Type === 'AWS::SNS::Topic' && attribute === 'TopicName') return logicalId;
    // Attributes only the service knows (custom resources, generated ids): a stable placeholder.
    return `getatt:${logicalId}.${attribute}`;
  }
}

/** Marks `Ref: AWS::NoValue`; dropped from the enclosing object or list. */
const NO_VALUE = Symbol('AWS::NoValue');
