import { Duration, RemovalPolicy, Stack, Stage } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { acknowledgeRule } from '../compliance/acknowledge';
import { BUNDLE_FILE, METAFILE_DIRECTORY, metafileName } from '../sbom/sbom-index';
import { EncryptedLogGroup } from './encrypted-log-group';
import { ManagedPolicyRole } from './managed-policy-role';
import type { RenderedEnvironment } from '../../lambda/shared/environment-contract';

/** The project root, where package-lock.json pins what esbuild bundles. */
/** Paths in props and configuration (`entry`, `bundledFiles`, data files) are relative to this. */
export const PROJECT_ROOT = path.join(__dirname, '..', '..');

/** The runtime every function uses: the newest Node.js Lambda offers (AwsSolutions-L1). */
export const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** Where a function runs and what encrypts its data; shared by every function of an environment. */
export interface FunctionPlacement {
  readonly vpc: ec2.IVpc;
  /** The workload group: HTTPS to the VPC endpoints only. */
  readonly securityGroup: ec2.ISecurityGroup;
  /** Encrypts the environment variables and the dead-letter queue (KEY-1). */
  readonly dataKey: kms.IKey;
  /** Encrypts the function's log group. */
  readonly logsKey: kms.IKey;
  readonly logRetentionDays: number;
  readonly removalPolicy: RemovalPolicy;
}

export interface SecureFunctionProps {
  /** Path of the TypeScript handler module, relative to the project root (e.g. `lambda/drift/handler.ts`). */
  readonly entry: string;
  /** What the function does, shown in Lambda. */
  readonly description: string;
  /** VPC, security group and keys of the function. */
  readonly placement: FunctionPlacement;
  /**
   * The handler's environment, rendered by its contract (`lambda/<function>/environment.ts`), so the
   * construct sets exactly what the handler reads. Non-secret configuration only: secrets are read from
   * Secrets Manager at run time (SEC-1).
   * @default none
   */
  readonly environment?: RenderedEnvironment;
  /**
   * Source-mapped stack traces (`--enable-source-maps`). Parsing the map costs every cold start time in
   * proportion to the bundle; a function that never logs stacks can switch it off.
   * @default true
   */
  readonly sourceMapsAtRuntime?: boolean;
  /** @default 2 — a cap that also stops a runaway loop from draining the account's concurrency */
  readonly reservedConcurrency?: number;
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** @default 256 */
  readonly memorySize?: number;
  /**
   * Files copied next to the bundle, by name in the bundle → path relative to the project root, or an
   * absolute path of a file generated at synth
   * (e.g. a drift baseline the handler reads from LAMBDA_TASK_ROOT).
   * @default none
   */
  readonly bundledFiles?: Readonly<Record<string, string>>;
  /**
   * Options of the version `function.currentVersion` publishes, e.g. a description naming what the
   * version serves (a Version's description cannot change in place, so a new value publishes a new one).
   * @default CDK's: no description, the version retained when replaced
   */
  readonly currentVersionOptions?: lambda.VersionOptions;
}

/**
 * An SSE-KMS dead-letter queue the given role can write to. Lambda sends failed asynchronous events
 * with the function's role, which therefore needs the key too; the grant names the two KMS actions
 * SQS uses rather than CDK's wildcard set.
 */
export function encryptedDeadLetterQueue(
  scope: Construct,
  id: string,
  placement: FunctionPlacement,
  role: iam.IRole,
): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: placement.dataKey,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    removalPolicy: placement.removalPolicy,
  });
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [placement.dataKey.keyArn],
    }),
  );
  return queue;
}

/**
 * ENI management for a function in a VPC. Describe* cannot be scoped, and Create/Delete act on network
 * interfaces whose ids do not exist yet, so the statement names `*` and stays in this region.
 */
export function vpcNetworkInterfaceStatement(region: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: [
      'ec2:CreateNetworkInterface',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeSubnets',
      'ec2:DeleteNetworkInterface',
      'ec2:AssignPrivateIpAddresses',
      'ec2:UnassignPrivateIpAddresses',
    ],
    resources: ['*'],
    conditions: { StringEquals: { 'aws:RequestedRegion': region } },
  });
}

/** A shell command printing a file's hex SHA-256 (coreutils, or macOS's shasum). */
function sha256Of(file: string): string {
  return `(sha256sum "${file}" 2>&- || shasum -a 256 "${file}") | cut -d ' ' -f 1`;
}

/** Why function roles may name `*`: only for actions AWS gives no resource type. */
export const WILDCARD_RESOURCE_REASON =
  'Resource * appears only for actions that have no resource type: ec2 network-interface management for VPC placement (limited to this region), X-Ray trace submission, and CloudWatch PutMetricData (limited to one namespace by condition).';

const SECRET_LIKE_ENV = /(secret|password|passwd|token|private[_-]?key|api[_-]?key|credential)/i;
/** A name that says it holds a reference to a secret (its ARN or name in Secrets Manager), not the secret. */
const SECRET_REFERENCE_ENV = /_(ARN|ID|NAME)$/;

/**
 * The one way this project creates a Lambda function (NET-1, KEY-1): TypeScript bundled by local
 * esbuild, arm64 on the current Node.js runtime, in the isolated subnets, environment encrypted with
 * the data key, an encrypted log group with retention, X-Ray tracing, reserved concurrency, an
 * encrypted dead-letter queue, and a role whose permissions live in a customer-managed policy.
 */
export class SecureFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: ManagedPolicyRole;
  readonly logGroup: EncryptedLogGroup;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: SecureFunctionProps) {
    super(scope, id);
    const reservedConcurrency = props.reservedConcurrency ?? 2;
    if (!Number.isInteger(reservedConcurrency) || reservedConcurrency < 1) {
      throw new Error(
        `SecureFunction ${id}: reservedConcurrency must be a positive integer, got ${reservedConcurrency}`,
      );
    }
    for (const name of Object.keys(props.environment ?? {})) {
      if (SECRET_LIKE_ENV.test(name) && !SECRET_REFERENCE_ENV.test(name)) {
        throw new Error(
          `SecureFunction ${id}: environment variable ${name} looks like a secret; read it from Secrets Manager at run time (SEC-1)`,
        );
      }
    }
    const { placement } = props;
    const stack = Stack.of(this);
    const bundledFiles = Object.entries(props.bundledFiles ?? {}).map(([name, source]) => {
      if (!/^[\w.-]+$/.test(name))
        throw new Error(`SecureFunction ${id}: bundled file name '${name}' must be a plain file name`);
      // Relative paths are the project's files; absolute ones are generated at synth (a compiled validator).
      const absolute = path.resolve(PROJECT_ROOT, source);
      if (!existsSync(absolute))
        throw new Error(`SecureFunction ${id}: bundled file ${source} does not exist`);
      return { name, absolute };
    });

    this.logGroup = new EncryptedLogGroup(this, 'Logs', {
      encryptionKey: placement.logsKey,
      retentionDays: placement.logRetentionDays,
      removalPolicy: placement.removalPolicy,
    });
    this.role = new ManagedPolicyRole(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: props.description,
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroup.logGroupArn],
      }),
    );
    this.role.addToPrincipalPolicy(vpcNetworkInterfaceStatement(stack.region));

    this.deadLetterQueue = encryptedDeadLetterQueue(this, 'DeadLetters', placement, this.role);

    const root = this.node.root;
    const metafiles = path.join(Stage.isStage(root) ? root.outdir : PROJECT_ROOT, METAFILE_DIRECTORY);
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: path.join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: FUNCTION_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(30),
      role: this.role,
      vpc: placement.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [placement.securityGroup],
      allowPublicSubnet: false,
      environment: {
        ...((props.sourceMapsAtRuntime ?? true) ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
        ...props.environment,
      },
      environmentEncryption: placement.dataKey,
      reservedConcurrentExecutions: reservedConcurrency,
      deadLetterQueue: this.deadLetterQueue,
      ...(props.currentVersionOptions ? { currentVersionOptions: props.currentVersionOptions } : {}),
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      bundling: {
        minify: true,
        sourceMap: true,
        metafile: true,
        target: 'node24',
        format: nodejs.OutputFormat.ESM,
        mainFields: ['module', 'main'],
        // ESM output still meets CommonJS dependencies that call require().
        banner: "import { createRequire } from 'module';const require = createRequire(import.meta.url);",
        // The SDK is bundled, not taken from the runtime, so the version tested is the version run.
        externalModules: [],
        forceDockerBundling: false,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir: string, outputDir: string) => [
            ...bundledFiles.map(({ name, absolute }) => `cp "${absolute}" "${path.join(outputDir, name)}"`),
            // SEC-5: the metafile says which packages are in the bundle; it leaves the asset (it is not
            // code to deploy) for the assembly's SBOM directory, named after the bundle's SHA-256. The
            // command names nothing specific to this function, so identical bundles in several stages
            // keep hitting CDK's asset cache (a per-function name doubled the synth time).
            `mkdir -p "${metafiles}"`,
            `mv "${path.join(outputDir, 'index.meta.json')}" "${path.join(metafiles, metafileName(`$(${sha256Of(path.join(outputDir, BUNDLE_FILE))})`))}"`,
          ],
        },
      },
    });

    acknowledgeRule(this.role.policy, 'AwsSolutions-IAM5[Resource::*]', WILDCARD_RESOURCE_REASON);
  }

  /**
   * Lets the function publish metrics to one namespace. PutMetricData has no resource type, so the
   * statement names `*` and the `cloudwatch:namespace` condition does the narrowing.
   */
  allowPutMetricData(namespace: string): void {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': namespace } },
      }),
    );
  }
}
