/**
 * The project's machine-readable copy of the control catalogue (`../shared/CONTROLS.md`): the same
 * IDs and the same requirement text, so the compliance report can name what each control demands.
 * A test compares this list with the catalogue whenever the catalogue file is present.
 */

/** Status words of the catalogue, plus `failing` for a control whose evidence is missing. */
export const CONTROL_STATUSES = [
  'failing',
  'documented',
  'verified-at-runtime',
  'enforced',
  'not-applicable',
] as const;
export type ControlStatus = (typeof CONTROL_STATUSES)[number];

export const CONTROL_SECTIONS = {
  ENV: 'environments and accounts',
  NET: 'network',
  KEY: 'encryption and keys',
  SEC: 'credentials and identity',
  DATA: 'privacy',
  MODEL: 'artifacts, registry, deployment',
  MON: 'monitoring and response',
  AUD: 'audit and compliance',
  REL: 'reliability of the serving path',
} as const;
export type ControlSection = keyof typeof CONTROL_SECTIONS;

export interface ControlDefinition {
  /** Stable id, e.g. `NET-1`; its prefix is the section. */
  readonly id: string;
  /** The requirement as the catalogue states it. */
  readonly title: string;
}

/**
 * The catalogue. `as const` makes every id a literal, so {@link ControlId} is the union of exactly these
 * ids: a registry, mapping or test keyed by control id fails type-checking when one is missing or misspelt.
 */
export const CONTROLS = [
  {
    id: 'ENV-1',
    title:
      'Each environment (dev, test, prod; optionally a tooling/CI account) deploys to its own AWS account; one typed configuration names them, and a bad account id, region or CIDR fails synth with a message naming the field.',
  },
  {
    id: 'ENV-2',
    title:
      'Production stacks have termination protection and retain data-bearing resources (keys, buckets, log groups) on delete; dev may destroy them.',
  },
  {
    id: 'ENV-3',
    title:
      'Every resource is tagged with environment, data classification, owner and the git commit it was built from.',
  },
  {
    id: 'ENV-4',
    title:
      'A new account reaches a serving environment by one documented first-deploy sequence, without a model at first; a read-only preflight reports every unmet precondition (bootstrap, quotas, existing resources, named roles) before a deploy; no failed deploy leaves a resource that blocks its retry.',
  },
  {
    id: 'NET-1',
    title:
      'Workloads (inference Lambda, SageMaker models/endpoints, drift checks) run in a VPC with isolated subnets only: no internet gateway, no NAT gateway, no public IPs.',
  },
  {
    id: 'NET-2',
    title:
      'AWS services are reached through PrivateLink interface endpoints (SageMaker runtime and API, KMS, CloudWatch Logs and metrics, STS, Secrets Manager, ...) and an S3 gateway endpoint; each endpoint has a least-privilege endpoint policy and private DNS.',
  },
  {
    id: 'NET-3',
    title:
      'Security groups allow only the flows that exist (443 from the workload security groups to the endpoints); the VPC default security group has no rules.',
  },
  { id: 'NET-4', title: 'VPC flow logs go to a KMS-encrypted log group with a retention period.' },
  {
    id: 'NET-5',
    title:
      'The only public entry is the inference API, behind AWS WAF (managed rule groups for common exploits, known bad inputs, IP reputation, plus a rate-based rule), with WAF logging on.',
  },
  {
    id: 'NET-6',
    title:
      "Data perimeter: buckets deny access that does not come through the VPC endpoint or from the account's own principals.",
  },
  {
    id: 'KEY-1',
    title:
      'Customer-managed KMS keys (not AWS-managed) encrypt every data store: buckets, log groups, SNS topics, SageMaker volumes, endpoint data capture, Lambda environment.',
  },
  {
    id: 'KEY-2',
    title:
      'Symmetric keys rotate automatically (an HMAC key cannot, and says why); key policies grant use only to the principals and services that need it (kms:ViaService, kms:CallerAccount conditions), and no statement, the administration statement included, allows kms:CreateGrant without the kms:GrantIsForAWSResource condition; every AWS service that uses a key is allowed exactly the calls AWS documents for it.',
  },
  {
    id: 'KEY-3',
    title:
      'Separate keys per purpose (at least: data, model artifacts, logs), so revoking one is a kill switch for that data alone.',
  },
  {
    id: 'KEY-4',
    title:
      'Everything in transit uses TLS 1.2+: buckets deny non-TLS requests, the API enforces a TLS 1.2 security policy.',
  },
  {
    id: 'SEC-1',
    title:
      'No secret, password or key material appears in code, templates or Lambda environment variables; runtime secrets come from Secrets Manager (KMS-encrypted, rotation configured) or are not needed at all (IAM roles).',
  },
  {
    id: 'SEC-2',
    title:
      'Every IAM role is least privilege: no `*` actions; `*` resources only where the AWS API allows nothing narrower, each acknowledged with its reason.',
  },
  {
    id: 'SEC-3',
    title:
      'CI/CD authenticates with short-lived credentials (OIDC federation), never long-lived access keys; deploy roles are scoped per environment.',
  },
  {
    id: 'SEC-4',
    title:
      'The inference API requires authentication (IAM SigV4 by default; a JWT/Cognito authorizer option), validates every request against a strict schema, limits body size, and throttles per client.',
  },
  {
    id: 'SEC-5',
    title:
      'Dependency supply chain: CI installs packages through a private repository (AWS CodeArtifact with an upstream), and every deployable artifact has a CycloneDX bill of materials listed in the report.',
  },
  {
    id: 'DATA-1',
    title:
      'Data minimization: the inference schema accepts only the features the model needs; direct identifiers are pseudonymized (keyed HMAC through KMS) before they are logged or stored.',
  },
  {
    id: 'DATA-2',
    title:
      'Automated PII discovery: Amazon Macie runs scheduled classification jobs over the data and data-capture buckets, findings are routed to an alert topic.',
  },
  { id: 'DATA-3', title: 'Retention: captured inference data and logs expire after a configured period.' },
  { id: 'DATA-4', title: 'No PII in logs: request logs and audit records carry pseudonymous IDs only.' },
  {
    id: 'DATA-5',
    title:
      'Decisions that affect a customer come with an explanation (per-feature contributions) to support human review and the right to explanation.',
  },
  {
    id: 'MODEL-1',
    title:
      'Model artifacts live in a versioned, KMS-encrypted bucket with Object Lock, deny-delete-without-MFA policy, and MFA Delete (which CloudFormation cannot set: a runbook step plus a deployed check that reports its status).',
  },
  {
    id: 'MODEL-2',
    title:
      'A model registry (SageMaker model package group) records every version with its metrics, source commit and data version; only approved versions deploy to test and prod.',
  },
  {
    id: 'MODEL-3',
    title:
      'Artifact integrity: the serving path verifies the artifact digest (and, where configured, a KMS signature) before loading it.',
  },
  {
    id: 'MODEL-4',
    title:
      'SageMaker models run with network isolation, in the VPC, with KMS-encrypted volumes and data capture.',
  },
  {
    id: 'MODEL-5',
    title:
      'Safe rollout: blue/green with canary or linear traffic shifting and automatic rollback on CloudWatch alarms; shadow variants supported for testing a candidate without affecting answers.',
  },
  {
    id: 'MODEL-6',
    title:
      "Served answers are verified: publish records the model's writer version and golden predictions from the exact scorer; the serving image matches the model version; a deployment whose endpoint or function does not reproduce the golden predictions fails and rolls back.",
  },
  {
    id: 'MODEL-7',
    title:
      "Robustness: promotion to an environment requires a recorded assessment (perturbation stability, declared monotonicity, behaviour at the bounds, extraction effort) that meets that environment's thresholds.",
  },
  {
    id: 'MON-1',
    title:
      'Data drift: scheduled checks compare captured inputs with the training baseline (KS test for numeric, chi-square/PSI for categorical features) and publish per-feature metrics.',
  },
  {
    id: 'MON-2',
    title:
      'Prediction drift and data quality: score distribution shift, null rate, type-error rate, out-of-bounds rate, NaN/Inf in outputs.',
  },
  {
    id: 'MON-3',
    title:
      'Alarms go to a KMS-encrypted SNS topic; alerts are few and actionable; drift or error alarms can trigger rollback to the last good model.',
  },
  { id: 'MON-4', title: 'Operational health: latency, 4xx/5xx, throttles, WAF blocks on a dashboard.' },
  {
    id: 'MON-5',
    title:
      'Anomaly detection: anomaly-band alarms on request volume per client, error rate, latency and mean predicted probability.',
  },
  {
    id: 'MON-6',
    title:
      'Drift attribution: a drift concentrated in a few callers (a poisoning or probing signal) is reported and alarmed apart from broad, natural drift.',
  },
  {
    id: 'AUD-1',
    title:
      'CloudTrail with log file validation, KMS encryption and S3 data events for the model and data buckets; the trail bucket keeps logs immutable (Object Lock) for a configured retention and expires them after it.',
  },
  {
    id: 'AUD-2',
    title:
      'Compliance rule packs (cdk-nag) run on every synth; synth fails on any unacknowledged finding; every acknowledgment carries a specific reason.',
  },
  {
    id: 'AUD-3',
    title:
      'A generated compliance report, readable by a security reviewer, maps every control here to the resources and evidence that implement it, lists every acknowledged finding with its reason, and says plainly what is not covered.',
  },
  {
    id: 'AUD-4',
    title:
      'CI gate: install, type-check, lint, test, synth-with-rule-packs and dependency audit must pass before anything deploys; production deploys need a manual approval.',
  },
  {
    id: 'AUD-5',
    title:
      'Every control is mapped to NIST SP 800-53 Rev. 5, ISO/IEC 27001:2022 Annex A and, where personal data is concerned, GDPR articles; the report has a view per framework and a DPIA draft per environment with the parts only people can complete marked as such.',
  },
  {
    id: 'REL-1',
    title:
      "Inference answers within its deadline whatever its dependencies do: every AWS call has a timeout and an abort within the request's budget; a dependency that hangs, slows or throttles yields 503 with Retry-After, never a platform timeout.",
  },
  {
    id: 'REL-2',
    title:
      'No captured inference record is lost silently: the capture never delays or changes the answer, and a capture that cannot be written is counted, alarmed and retried or parked.',
  },
] as const satisfies readonly ControlDefinition[];

/** One id of the catalogue, e.g. `'NET-1'`. */
export type ControlId = (typeof CONTROLS)[number]['id'];

/** A catalogue entry with its id typed. */
export interface Control extends ControlDefinition {
  readonly id: ControlId;
}

export const CONTROL_IDS: readonly ControlId[] = CONTROLS.map((c) => c.id);

export function isControlId(value: string): value is ControlId {
  return (CONTROL_IDS as readonly string[]).includes(value);
}

/** The requirement text of a control. */
export function controlTitle(id: ControlId): string {
  return CONTROLS.find((c) => c.id === id)!.title;
}

export function sectionOf(controlId: string): ControlSection {
  const prefix = controlId.split('-')[0];
  if (!(prefix in CONTROL_SECTIONS)) throw new Error(`control ${controlId} has no known section prefix`);
  return prefix as ControlSection;
}

/**
 * Reads the control lines (`- ID requirement`) of a catalogue written in the CONTROLS.md format, in
 * order, so the copy above can be checked against the source it restates.
 */
export function parseControlCatalogue(markdown: string): ControlDefinition[] {
  const controls: ControlDefinition[] = [];
  for (const line of markdown.split(/\r?\n/)) {
    const match = /^- ([A-Z]+-\d+) (.+)$/.exec(line);
    if (match) controls.push({ id: match[1], title: match[2].trim() });
  }
  return controls;
}
