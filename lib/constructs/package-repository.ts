import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as codeartifact from 'aws-cdk-lib/aws-codeartifact';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { acknowledgeRule } from '../compliance/acknowledge';

/** CodeArtifact's name for the public npm registry as an external connection. */
export const NPM_EXTERNAL_CONNECTION = 'public:npmjs';
/** The service name sts:GetServiceBearerToken is limited to (CodeArtifact's bearer tokens). */
export const CODEARTIFACT_SERVICE_NAME = 'codeartifact.amazonaws.com';

/** What a reader (CI) needs, as AWS documents for `aws codeartifact login` and npm installs. */
export const READ_ACTIONS = {
  domain: ['codeartifact:GetAuthorizationToken'],
  repository: ['codeartifact:GetRepositoryEndpoint', 'codeartifact:ReadFromRepository'],
} as const;

const DOMAIN_PATTERN = /^[a-z][a-z0-9-]{1,48}[a-z0-9]$/;
const REPOSITORY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{1,99}$/;

export interface PackageRepositoryProps {
  /** CodeArtifact domain name; it becomes part of a public DNS name. */
  readonly domainName: string;
  /** The repository with the external connection to the public npm registry. */
  readonly storeRepositoryName: string;
  /** The repository readers install from; its only upstream is the store. */
  readonly repositoryName: string;
  /** Encrypts every package the domain stores (KEY-1); its policy must let CodeArtifact use it. */
  readonly encryptionKey: kms.IKey;
  /** The roles that may read packages (the CI role): the only principals the resource policies name. */
  readonly readers: readonly iam.IRole[];
  /**
   * The domain and repositories hold only copies of public packages, which the store fetches again on
   * demand, so the default deletes them with the stack (and a failed first deploy leaves no named
   * domain behind to block its retry).
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * SEC-5: a private npm repository in CodeArtifact. A KMS-encrypted domain holds a store repository
 * connected to the public npm registry and a repository readers install from, whose upstream is the
 * store: every package CI installs is fetched once, kept, and served from the account. The domain and
 * repository policies name the readers only (no wildcard principal); the readers' own policy allows the
 * token, the endpoint and reading from that one repository.
 */
export class PackageRepository extends Construct {
  readonly domain: codeartifact.CfnDomain;
  readonly store: codeartifact.CfnRepository;
  readonly repository: codeartifact.CfnRepository;
  /** The readers' identity policy. */
  readonly readPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: PackageRepositoryProps) {
    super(scope, id);
    if (!DOMAIN_PATTERN.test(props.domainName))
      throw new Error(
        `PackageRepository ${id}: domainName '${props.domainName}' must be 3-50 lower-case letters, digits or dashes, starting with a letter`,
      );
    for (const [prop, name] of [
      ['storeRepositoryName', props.storeRepositoryName],
      ['repositoryName', props.repositoryName],
    ] as const) {
      if (!REPOSITORY_PATTERN.test(name))
        throw new Error(
          `PackageRepository ${id}: ${prop} '${name}' must be 2-100 letters, digits, dots, dashes or underscores`,
        );
    }
    if (props.storeRepositoryName === props.repositoryName)
      throw new Error(
        `PackageRepository ${id}: repositoryName must differ from storeRepositoryName ('${props.repositoryName}'): readers install from a repository whose upstream is the store`,
      );
    if (props.readers.length === 0)
      throw new Error(`PackageRepository ${id}: readers must name at least one role`);
    const stack = Stack.of(this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;
    const readerArns = props.readers.map((r) => r.roleArn);
    // Resource policies name the readers' ARNs; the account condition repeats that no other account's
    // principal can ever match, should a reader be replaced by a role ARN of another account.
    const inThisAccount = { StringEquals: { 'aws:PrincipalAccount': stack.account } };

    this.domain = new codeartifact.CfnDomain(this, 'Domain', {
      domainName: props.domainName,
      encryptionKey: props.encryptionKey.keyArn,
      permissionsPolicyDocument: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            sid: 'ReadersGetAuthorizationTokens',
            principals: readerArns.map((arn) => new iam.ArnPrincipal(arn)),
            actions: [...READ_ACTIONS.domain],
            // A domain policy applies to its own domain only.
            resources: ['*'],
            conditions: inThisAccount,
          }),
        ],
      }),
    });
    this.domain.applyRemovalPolicy(removalPolicy);

    this.store = new codeartifact.CfnRepository(this, 'Store', {
      domainName: this.domain.attrName,
      domainOwner: this.domain.attrOwner,
      repositoryName: props.storeRepositoryName,
      description: 'Copies of public npm packages, fetched through the external connection on first use',
      externalConnections: [NPM_EXTERNAL_CONNECTION],
    });
    this.store.applyRemovalPolicy(removalPolicy);

    this.repository = new codeartifact.CfnRepository(this, 'Repository', {
      domainName: this.domain.attrName,
      domainOwner: this.domain.attrOwner,
      repositoryName: props.repositoryName,
      description: `What CI installs from; packages come from the upstream ${props.storeRepositoryName}`,
      // By the store's Name attribute, not a literal: CloudFormation then creates the store first and
      // deletes it last, since a repository cannot name an upstream that does not exist.
      upstreams: [this.store.attrName],
      permissionsPolicyDocument: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            sid: 'ReadersInstallPackages',
            principals: readerArns.map((arn) => new iam.ArnPrincipal(arn)),
            actions: [...READ_ACTIONS.repository],
            // A repository policy applies to its own repository only.
            resources: ['*'],
            conditions: inThisAccount,
          }),
        ],
      }),
    });
    this.repository.applyRemovalPolicy(removalPolicy);

    this.readPolicy = new iam.ManagedPolicy(this, 'ReadPackages', {
      description: `Install packages from CodeArtifact ${props.domainName}/${props.repositoryName}`,
      roles: [...props.readers],
      statements: [
        new iam.PolicyStatement({
          actions: [...READ_ACTIONS.domain],
          resources: [this.domain.attrArn],
        }),
        new iam.PolicyStatement({
          actions: [...READ_ACTIONS.repository],
          resources: [this.repository.attrArn],
        }),
        // GetAuthorizationToken is issued through an STS bearer token for CodeArtifact only.
        new iam.PolicyStatement({
          actions: ['sts:GetServiceBearerToken'],
          resources: ['*'],
          conditions: { StringEquals: { 'sts:AWSServiceName': CODEARTIFACT_SERVICE_NAME } },
        }),
      ],
    });
    acknowledgeRule(
      this.readPolicy,
      'AwsSolutions-IAM5[Resource::*]',
      'sts:GetServiceBearerToken has no resource type, so IAM accepts only *; the sts:AWSServiceName condition limits the bearer token to CodeArtifact.',
    );
  }
}
