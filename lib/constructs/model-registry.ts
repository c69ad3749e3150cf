import { Arn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';

// SageMaker's own pattern for a model package group name.
const GROUP_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

export interface ModelRegistryProps {
  /** The environment's group name, from `resourceNames(...).modelPackageGroup`. */
  readonly groupName: string;
  /** Description of the model package group. */
  readonly description: string;
  /** RETAIN in prod (ENV-2): the group holds every version's approval history. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The environment's model registry (MODEL-2): one SageMaker model package group. Versions are
 * registered by `npm run model -- publish`, never by CloudFormation, so deleting the stack never
 * touches them; a group that still has versions cannot be deleted, which is why prod retains it. It lives
 * in the Data stack, deployed before the gate, so a model can be published before anything is served.
 */
export class ModelRegistry extends Construct {
  readonly group: sagemaker.CfnModelPackageGroup;
  readonly groupName: string;
  readonly groupArn: string;
  /** `arn:...:model-package/<group>/*`: every version of the group (SageMaker lower-cases names in ARNs). */
  readonly versionsArn: string;

  constructor(scope: Construct, id: string, props: ModelRegistryProps) {
    super(scope, id);
    if (!GROUP_NAME.test(props.groupName)) {
      throw new Error(
        `ModelRegistry ${id}: groupName '${props.groupName}' must be 1-63 letters, digits and single hyphens`,
      );
    }
    this.group = new sagemaker.CfnModelPackageGroup(this, 'Group', {
      modelPackageGroupName: props.groupName,
      modelPackageGroupDescription: props.description,
    });
    this.group.applyRemovalPolicy(props.removalPolicy);
    // Literal name and ARNs rather than attributes: the gate in a later stack names the group without a
    // cross-stack export that would lock this stack (SageMaker lower-cases names in ARNs).
    this.groupName = props.groupName;
    this.groupArn = Arn.format(
      {
        service: 'sagemaker',
        resource: 'model-package-group',
        resourceName: props.groupName.toLowerCase(),
      },
      Stack.of(this),
    );
    this.versionsArn = Arn.format(
      {
        service: 'sagemaker',
        resource: 'model-package',
        resourceName: `${props.groupName.toLowerCase()}/*`,
      },
      Stack.of(this),
    );
  }
}
