import { CfnCondition, CfnParameter, Fn } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { NOTHING_SERVED, SERVED_MODEL_FIELDS } from '../../src/registry/served-model';
import type { ResolvedModel } from './model-gate';

/** What the record holds for a served model, each value a string (`none` while nothing is served). */
export interface ServedModelSource {
  readonly modelVersion: string;
  readonly modelDataUrl: string;
  readonly image: string;
  readonly artifactSha256: string;
  readonly artifactObjectArn: string;
  readonly modelPackageArn: string;
}

export { NOTHING_SERVED, SERVED_MODEL_FIELDS };

/** Which model of the record: the production model, or the shadow candidate under `shadow/`. */
export type ServedModelRole = 'production' | 'shadow';

function parameterName(prefix: string, role: ServedModelRole, field: keyof ServedModelSource): string {
  return `${prefix}${role === 'shadow' ? 'shadow/' : ''}${SERVED_MODEL_FIELDS[field]}`;
}

export interface ServedModelRecordProps {
  /** SSM path of the record, ending in '/' (`resourceNames().servedModelParameters`). */
  readonly parameterPrefix: string;
  /** What the gate resolved for production. */
  readonly production: ResolvedModel;
  /** What the gate resolved for the shadow candidate. @default no shadow record */
  readonly shadow?: ResolvedModel;
}

/**
 * The served-model record (MODEL-3, ENV-4): what the gate resolved and verified in this deployment, as SSM
 * parameters the stacks deployed after it read at deploy time. A stack cannot make a resource conditional
 * on a custom resource's answer, but it can on a parameter: the endpoint stack creates the SageMaker model
 * and endpoint only while a model is served, and the API answers NoModelDeployed until then. Both read the
 * same record, so they always agree on the version. Written by CloudFormation only (Delete policy, so a
 * rolled-back first deploy leaves no parameter behind).
 */
export class ServedModelRecord extends Construct {
  readonly parameters: readonly ssm.StringParameter[];

  constructor(scope: Construct, id: string, props: ServedModelRecordProps) {
    super(scope, id);
    if (!/^\/[\w./-]+\/$/.test(props.parameterPrefix)) {
      throw new Error(
        `ServedModelRecord ${id}: parameterPrefix '${props.parameterPrefix}' must be an SSM path starting and ending with '/'`,
      );
    }
    const parameters: ssm.StringParameter[] = [];
    const write = (role: ServedModelRole, model: ResolvedModel) => {
      for (const field of Object.keys(SERVED_MODEL_FIELDS) as Array<keyof ServedModelSource>) {
        parameters.push(
          new ssm.StringParameter(this, `${role}-${SERVED_MODEL_FIELDS[field]}`, {
            parameterName: parameterName(props.parameterPrefix, role, field),
            description: `Served model record (${role}): ${SERVED_MODEL_FIELDS[field]}, written by the model gate`,
            stringValue: model[field],
            tier: ssm.ParameterTier.STANDARD,
          }),
        );
      }
    };
    write('production', props.production);
    if (props.shadow) write('shadow', props.shadow);
    this.parameters = parameters;
  }
}

/**
 * The record as a stack deployed after the gate sees it: one SSM-typed CloudFormation parameter per field
 * read (CloudFormation resolves them when the stack deploys, and the CDK CLI never skips a stack that has
 * them), and the condition that a model is served.
 */
export class ServedModelParameters extends Construct implements ServedModelSource {
  /** True when the record names a model (its version is not `none`). */
  readonly serves: CfnCondition;
  private readonly cache = new Map<keyof ServedModelSource, string>();

  constructor(
    scope: Construct,
    id: string,
    private readonly parameterPrefix: string,
    private readonly role: ServedModelRole = 'production',
  ) {
    super(scope, id);
    this.serves = new CfnCondition(this, 'Serves', {
      expression: Fn.conditionNot(Fn.conditionEquals(this.modelVersion, NOTHING_SERVED)),
    });
  }

  get modelVersion(): string {
    return this.field('modelVersion');
  }
  get modelDataUrl(): string {
    return this.field('modelDataUrl');
  }
  get image(): string {
    return this.field('image');
  }
  get artifactSha256(): string {
    return this.field('artifactSha256');
  }
  get artifactObjectArn(): string {
    return this.field('artifactObjectArn');
  }
  get modelPackageArn(): string {
    return this.field('modelPackageArn');
  }

  private field(field: keyof ServedModelSource): string {
    let value = this.cache.get(field);
    if (value === undefined) {
      value = new CfnParameter(this, SERVED_MODEL_FIELDS[field], {
        type: 'AWS::SSM::Parameter::Value<String>',
        default: parameterName(this.parameterPrefix, this.role, field),
        description: `Served model record (${this.role}): ${SERVED_MODEL_FIELDS[field]}; resolved at deploy time`,
      }).valueAsString;
      this.cache.set(field, value);
    }
    return value;
  }
}
