import { CfnResource, IAspect, TagManager } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { TAGGABLE_TYPES } from '../compliance/controls/env/taggable-types';

/**
 * ENV-3 for resources `Tags.of()` cannot reach: CDK writes some resources as raw `CfnResource`s without
 * a tag manager (the Lambda function and role of its singleton custom-resource providers, such as the
 * one that empties the VPC default security group). Where CloudFormation can tag the type, this aspect
 * writes the same tags as a property; resources with a tag manager are left to `Tags.of()`.
 */
export class TagRawResources implements IAspect {
  constructor(private readonly tags: Readonly<Record<string, string>>) {}

  visit(node: IConstruct): void {
    if (!CfnResource.isCfnResource(node) || TagManager.isTaggable(node) || TagManager.isTaggableV2(node))
      return;
    if (!TAGGABLE_TYPES.includes(node.cfnResourceType)) return;
    node.addPropertyOverride(
      'Tags',
      Object.entries(this.tags)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([Key, Value]) => ({ Key, Value })),
    );
  }
}
