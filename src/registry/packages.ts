import {
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  ListModelPackagesCommand,
  type DescribeModelPackageCommandOutput,
  type ModelApprovalStatus,
  type ModelPackageSummary,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { awsCall, RegistryError } from './errors';
import { readCustomerMetadata, type RecordedMetadata } from './metadata';

// SageMaker's pattern for a model package group name; an ARN is accepted too (a group shared from
// another account can only be named by its ARN).
const GROUP_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const GROUP_ARN =
  /^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:model-package-group\/[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

export function checkGroupName(group: string, field = '--group'): string {
  if (!GROUP_NAME.test(group) && !GROUP_ARN.test(group)) {
    throw new RegistryError(
      'usage',
      `${field} '${group}' is not a model package group name (1-63 letters, digits and hyphens) or group ARN`,
    );
  }
  return group;
}

export function checkVersionNumber(raw: string | number, field = '--version'): number {
  const text = String(raw).trim();
  if (!/^[1-9]\d{0,8}$/.test(text)) {
    throw new RegistryError('usage', `${field} must be a positive whole number, got '${raw}'`);
  }
  return Number(text);
}

export type VersionSelector =
  { readonly kind: 'latest-approved' } | { readonly kind: 'pinned'; readonly version: number };

export const LATEST_APPROVED = 'latest-approved';

export function parseVersionSelector(raw: string, field: string): VersionSelector {
  if (raw.trim() === LATEST_APPROVED) return { kind: 'latest-approved' };
  if (!/^\s*\d+\s*$/.test(raw)) {
    throw new RegistryError(
      'usage',
      `${field} must be '${LATEST_APPROVED}' or a version number, got '${raw}'`,
    );
  }
  return { kind: 'pinned', version: checkVersionNumber(raw, field) };
}

export interface ModelGroupInfo {
  readonly name: string;
  readonly arn: string;
}

export interface ModelVersionInfo {
  readonly group: string;
  readonly arn: string;
  readonly version: number;
  readonly approvalStatus: ModelApprovalStatus | 'Unknown';
  readonly approvalDescription?: string;
  readonly createdAt?: Date;
  readonly modelDataUrl?: string;
  readonly image?: string;
  readonly containerCount: number;
  readonly recorded: RecordedMetadata;
}

export async function describeGroup(sagemaker: SageMakerClient, group: string): Promise<ModelGroupInfo> {
  const out = await awsCall(`describing model package group '${group}'`, { kind: 'group', group }, () =>
    sagemaker.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: group })),
  );
  if (!out.ModelPackageGroupArn) {
    throw new RegistryError('unexpected', `SageMaker returned no ARN for model package group '${group}'`);
  }
  if (out.ModelPackageGroupStatus === 'Deleting' || out.ModelPackageGroupStatus === 'Failed') {
    throw new RegistryError(
      'noSuchGroup',
      `model package group '${group}' is ${out.ModelPackageGroupStatus} and cannot be used`,
    );
  }
  return { name: out.ModelPackageGroupName ?? group, arn: out.ModelPackageGroupArn };
}

/**
 * A versioned model package has no name of its own, only the ARN
 * `arn:...:model-package/<group>/<version>`; it is derived from the group ARN SageMaker returned
 * (which already has the name in the case SageMaker uses in ARNs) rather than built from user input.
 */
export function versionArn(groupArn: string, version: number): string {
  const marker = ':model-package-group/';
  const at = groupArn.indexOf(marker);
  if (at < 0) throw new RegistryError('unexpected', `'${groupArn}' is not a model package group ARN`);
  return `${groupArn.slice(0, at)}:model-package/${groupArn.slice(at + marker.length)}/${version}`;
}

function toVersionInfo(group: string, out: DescribeModelPackageCommandOutput): ModelVersionInfo {
  const containers = out.InferenceSpecification?.Containers ?? [];
  return {
    group,
    arn: out.ModelPackageArn ?? '',
    version: out.ModelPackageVersion ?? 0,
    approvalStatus: out.ModelApprovalStatus ?? 'Unknown',
    approvalDescription: out.ApprovalDescription,
    createdAt: out.CreationTime,
    modelDataUrl: containers[0]?.ModelDataUrl,
    image: containers[0]?.Image,
    containerCount: containers.length,
    recorded: readCustomerMetadata(out.CustomerMetadataProperties),
  };
}

export async function describeVersionByArn(
  sagemaker: SageMakerClient,
  group: string,
  version: number,
  arn: string,
): Promise<ModelVersionInfo> {
  const out = await awsCall(
    `describing version ${version} of model package group '${group}'`,
    { kind: 'version', group, version },
    () => sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: arn })),
  );
  return toVersionInfo(group, out);
}

/** Describes one version, telling a missing group apart from a missing version. */
export async function describeVersion(
  sagemaker: SageMakerClient,
  group: string,
  version: number,
): Promise<ModelVersionInfo> {
  const groupInfo = await describeGroup(sagemaker, group);
  return describeVersionByArn(sagemaker, group, version, versionArn(groupInfo.arn, version));
}

export interface ListOptions {
  readonly approvalStatus?: ModelApprovalStatus;
}

/** Every version summary of a group, following NextToken to the end. */
export async function listVersionSummaries(
  sagemaker: SageMakerClient,
  group: string,
  options: ListOptions = {},
): Promise<ModelPackageSummary[]> {
  const summaries: ModelPackageSummary[] = [];
  let nextToken: string | undefined;
  do {
    const out = await awsCall(
      `listing versions of model package group '${group}'`,
      { kind: 'group', group },
      () =>
        sagemaker.send(
          new ListModelPackagesCommand({
            ModelPackageGroupName: group,
            ModelApprovalStatus: options.approvalStatus,
            SortBy: 'CreationTime',
            SortOrder: 'Descending',
            MaxResults: 100,
            NextToken: nextToken,
          }),
        ),
    );
    summaries.push(...(out.ModelPackageSummaryList ?? []));
    nextToken = out.NextToken;
  } while (nextToken);
  return summaries;
}

/**
 * Resolves `latest-approved` to the highest-numbered Approved version. Version numbers, not creation
 * times, decide: versions are numbered in registration order, and this stays right even if the sort order
 * of ListModelPackages were to change.
 */
export async function resolveVersion(
  sagemaker: SageMakerClient,
  group: string,
  selector: VersionSelector,
): Promise<ModelVersionInfo> {
  const groupInfo = await describeGroup(sagemaker, group);
  if (selector.kind === 'pinned') {
    return describeVersionByArn(
      sagemaker,
      group,
      selector.version,
      versionArn(groupInfo.arn, selector.version),
    );
  }
  const approved = await listVersionSummaries(sagemaker, group, { approvalStatus: 'Approved' });
  let latest: ModelPackageSummary | undefined;
  for (const summary of approved) {
    if (summary.ModelApprovalStatus !== 'Approved' || summary.ModelPackageVersion === undefined) continue;
    if (!latest || summary.ModelPackageVersion > (latest.ModelPackageVersion ?? 0)) latest = summary;
  }
  if (!latest?.ModelPackageArn || latest.ModelPackageVersion === undefined) {
    throw new RegistryError(
      'noSuchVersion',
      `model package group '${group}' has no Approved version; approve one with ` +
        `'npm run model -- approve --group ${group} --version <n> --reason <why>' or pin a version`,
    );
  }
  return describeVersionByArn(sagemaker, group, latest.ModelPackageVersion, latest.ModelPackageArn);
}

/** Describes every version of a group (newest first), a few at a time to stay under SageMaker's rate limits. */
export async function listVersions(
  sagemaker: SageMakerClient,
  group: string,
  options: ListOptions & { readonly concurrency?: number } = {},
): Promise<ModelVersionInfo[]> {
  await describeGroup(sagemaker, group);
  const summaries = await listVersionSummaries(sagemaker, group, options);
  const results: ModelVersionInfo[] = new Array(summaries.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < summaries.length) {
      const index = next++;
      const summary = summaries[index];
      const version = summary.ModelPackageVersion ?? 0;
      results[index] = await describeVersionByArn(sagemaker, group, version, summary.ModelPackageArn ?? '');
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? 4, summaries.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return results.sort((a, b) => b.version - a.version);
}
