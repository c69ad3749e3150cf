/**
 * A draft data protection impact assessment (GDPR art. 35) per environment (AUD-5), written from what
 * the project knows: the configuration (retention, region, classification, owner), the feature
 * specification (the personal data each request carries), the synthesized templates (the AWS services
 * that process it) and the evaluated controls (the safeguards and their status).
 *
 * A DPIA is a person's assessment. The draft fills in the facts and marks what only people can write
 * (necessity and proportionality, consultation, the residual-risk decision and sign-off) as such; its
 * status is `documented` until a person completes and files it.
 */
import type { EnvironmentConfig, ProjectSettings } from '../config/schema';
import type { FeatureSpec } from '../../src/features';
import { CUSTOMER_ID_FIELD } from '../../lambda/inference/request-contract';
import { ControlId, ControlStatus } from './catalogue';
import { CONTROL_FRAMEWORKS, GDPR_ARTICLES, GdprArticle } from './frameworks';
import { EnvironmentModel } from './model';
import type { ControlReport } from './trail';

export interface DpiaDataCategory {
  readonly field: string;
  readonly description: string;
  readonly kind: 'direct identifier' | 'personal attribute';
  /** How the project treats it before it is logged or stored. */
  readonly treatment: string;
}

export interface DpiaRecipient {
  readonly service: string;
  /** What the service does with the data in this deployment. */
  readonly role: string;
  readonly resources: number;
}

export interface DpiaRetention {
  readonly what: string;
  readonly days: number;
  /** The configuration field the period comes from. */
  readonly source: string;
}

export interface DpiaSafeguard {
  readonly control: ControlId;
  readonly title: string;
  readonly status: ControlStatus;
  readonly articles: readonly GdprArticle[];
}

/** A part of the assessment only people can complete, with what they must decide. */
export interface DpiaHumanSection {
  readonly title: string;
  readonly article: string;
  readonly guidance: string;
}

export interface DpiaDraft {
  readonly environment: string;
  readonly account: string;
  readonly region: string;
  /** Always `documented`: a person completes, signs and files the assessment. */
  readonly status: 'documented';
  readonly controller: { readonly owner: string; readonly dataClassification: string };
  readonly processing: {
    readonly description: string;
    readonly purpose: string;
    readonly automatedDecision: string;
  };
  readonly dataSubjects: string;
  readonly dataCategories: readonly DpiaDataCategory[];
  readonly recipients: readonly DpiaRecipient[];
  readonly retention: readonly DpiaRetention[];
  readonly transfers: { readonly regions: readonly string[]; readonly assessment: string };
  readonly safeguards: readonly DpiaSafeguard[];
  readonly needsAPerson: readonly DpiaHumanSection[];
}

/** What each AWS service does with personal data here, by CloudFormation type prefix. */
const SERVICES: Readonly<Record<string, { service: string; role: string }>> = {
  'AWS::ApiGateway': {
    service: 'Amazon API Gateway',
    role: 'receives each inference request (features and customer id), validates it and passes it on',
  },
  'AWS::WAFv2': {
    service: 'AWS WAF',
    role: 'inspects requests at the edge; its logs redact the authorization header',
  },
  'AWS::Lambda': {
    service: 'AWS Lambda',
    role: 'the inference function pseudonymises the customer id and scores the features; other functions check drift, roll back and report',
  },
  'AWS::SageMaker': {
    service: 'Amazon SageMaker',
    role: 'scores the features (SageMaker serving) and captures requests and answers to the data bucket',
  },
  'AWS::S3': {
    service: 'Amazon S3',
    role: 'stores captured inputs and answers (pseudonymous ids), drift reports, model artifacts and logs',
  },
  'AWS::KMS': {
    service: 'AWS KMS',
    role: 'computes the keyed HMAC that pseudonymises customer ids and holds the encryption keys',
  },
  'AWS::Logs': {
    service: 'Amazon CloudWatch Logs',
    role: 'keeps function, API and flow logs (pseudonymous ids only, DATA-4)',
  },
  'AWS::CloudWatch': {
    service: 'Amazon CloudWatch',
    role: 'aggregated metrics and alarms; no record-level data',
  },
  'AWS::Macie': {
    service: 'Amazon Macie',
    role: 'scans the data buckets for personal data (DATA-2)',
  },
  'AWS::CloudTrail': {
    service: 'AWS CloudTrail',
    role: 'records API calls, including object-level access to the data bucket',
  },
  'AWS::SNS': { service: 'Amazon SNS', role: 'delivers alerts; no record-level data' },
  'AWS::Events': { service: 'Amazon EventBridge', role: 'schedules checks and routes findings' },
  'AWS::SecretsManager': { service: 'AWS Secrets Manager', role: 'holds runtime secrets, no personal data' },
  'AWS::Cognito': { service: 'Amazon Cognito', role: 'authenticates API callers (JWT mode)' },
  'AWS::EC2': { service: 'Amazon VPC', role: 'private network and endpoints the data travels through' },
};

/** EEA regions, and those of countries with an adequacy decision (UK, Switzerland, Israel, Canada, Japan...). */
const EEA_REGIONS = new Set([
  'eu-west-1',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
]);
const ADEQUACY_REGIONS: Readonly<Record<string, string>> = {
  'eu-west-2': 'United Kingdom',
  'eu-central-2': 'Switzerland',
  'il-central-1': 'Israel',
  'ca-central-1': 'Canada (commercial organisations)',
  'ca-west-1': 'Canada (commercial organisations)',
  'ap-northeast-1': 'Japan',
  'ap-northeast-3': 'Japan',
  'ap-northeast-2': 'South Korea',
};

function transferAssessment(region: string): string {
  if (EEA_REGIONS.has(region))
    return `All processing runs in ${region}, inside the EEA: no transfer to a third country by this deployment. Support access and global services of the provider are covered by its data processing addendum (confirm it is in place).`;
  const country = ADEQUACY_REGIONS[region];
  if (country)
    return `Processing runs in ${region} (${country}), covered by an adequacy decision (art. 45) if the data comes from the EEA; confirm the decision still applies and covers this processing.`;
  return `Processing runs in ${region}, outside the EEA and without an adequacy decision: a transfer of EEA personal data there needs appropriate safeguards under art. 46 (e.g. standard contractual clauses) and a transfer impact assessment — needs a person.`;
}

const NEEDS_A_PERSON: readonly DpiaHumanSection[] = [
  {
    title: 'Lawful basis, necessity and proportionality',
    article: 'Art. 35(7)(b), Art. 6',
    guidance:
      'State the lawful basis (e.g. legitimate interest with its balancing test), why churn scoring needs each listed attribute, whether a less intrusive means would do, and how data subjects are informed (Art. 13/14).',
  },
  {
    title: 'Risks to the rights and freedoms of data subjects',
    article: 'Art. 35(7)(c)',
    guidance:
      'Assess likelihood and severity of harm: discriminatory outcomes (attributes such as age band or household), inaccurate scores acted on without review, re-identification from pseudonymous records, access by unauthorised staff.',
  },
  {
    title: 'Automated decisions and human review',
    article: 'Art. 22',
    guidance:
      'Decide whether scores lead to decisions with legal or similarly significant effects. If so, name who reviews a decision on request, how the per-feature explanation (DATA-5) is shown to them, and how a data subject contests a decision.',
  },
  {
    title: 'Consultation',
    article: 'Art. 35(2), Art. 35(9)',
    guidance:
      "Record the data protection officer's advice and, where appropriate, the views of data subjects or their representatives.",
  },
  {
    title: 'Residual risk and sign-off',
    article: 'Art. 35(7)(d), Art. 36',
    guidance:
      'Record the measures beyond those listed here, the residual risk, who accepts it and when the assessment is reviewed; if a high residual risk remains, consult the supervisory authority before processing (Art. 36).',
  },
];

export interface DpiaInputs {
  readonly model: EnvironmentModel;
  readonly project: ProjectSettings;
  readonly environment: EnvironmentConfig;
  readonly featureSpec: FeatureSpec;
  readonly controls: readonly ControlReport[];
}

export function draftDpia({ model, project, environment, featureSpec, controls }: DpiaInputs): DpiaDraft {
  const counts = new Map<string, number>();
  for (const r of model.resources()) {
    const prefix = r.type.split('::').slice(0, 2).join('::');
    if (SERVICES[prefix]) counts.set(prefix, (counts.get(prefix) ?? 0) + 1);
  }
  const endpoints = model.ofType('AWS::SageMaker::Endpoint').length;
  const recipients = [...counts.entries()].map(([prefix, resources]) => ({
    ...SERVICES[prefix],
    // Without an endpoint SageMaker only holds the model registry: no personal data reaches it.
    ...(prefix === 'AWS::SageMaker' && endpoints === 0
      ? { role: 'model registry only (model package group); no personal data reaches SageMaker here' }
      : {}),
    resources,
  }));
  const safeguards = controls
    .filter((c) => CONTROL_FRAMEWORKS[c.id].gdpr.length > 0)
    .map((c) => ({
      control: c.id,
      title: c.title,
      status: c.status,
      articles: CONTROL_FRAMEWORKS[c.id].gdpr,
    }))
    .sort((a, b) => a.control.localeCompare(b.control, 'en', { numeric: true }));
  const serving =
    environment.serving.mode === 'sagemaker'
      ? 'a SageMaker endpoint scores them'
      : 'the inference function scores them itself';
  return {
    environment: model.name,
    account: model.account,
    region: model.region,
    status: 'documented',
    controller: { owner: project.owner, dataClassification: project.dataClassification },
    processing: {
      description: `Callers send customer records to the inference API (${featureSpec.name}: ${featureSpec.description ?? 'customer records'}); the customer id is pseudonymised with a keyed HMAC, ${serving}, and the answer carries the churn probability, a risk band and per-feature contributions. Inputs and answers are captured (${environment.serving.dataCapturePercent} % of requests) for drift monitoring.`,
      purpose:
        'Predict which customers are likely to leave so that retention offers can be targeted, and monitor the model for drift. A person states the business purpose and confirms no other use (purpose limitation, Art. 5(1)(b)).',
      automatedDecision:
        'The API scores individuals automatically (profiling). Whether a decision with legal or similarly significant effect follows without human involvement is decided outside this system: see "Automated decisions and human review".',
    },
    dataSubjects: 'Customers (existing subscribers) whose records callers submit for scoring.',
    dataCategories: [
      {
        field: CUSTOMER_ID_FIELD,
        description: 'Business customer id',
        kind: 'direct identifier',
        treatment:
          'pseudonymised with a keyed HMAC (KMS) before anything is logged or stored; the raw id is never written (DATA-1, DATA-4)',
      },
      ...featureSpec.fields.map((f) => ({
        field: f.name,
        description: f.description ?? '(no description in the feature specification)',
        kind: 'personal attribute' as const,
        treatment:
          'used for scoring; captured with the pseudonymous id for drift checks, expires with the captures (DATA-3)',
      })),
    ],
    recipients,
    retention: [
      {
        what: 'Captured inputs and answers (pseudonymous ids)',
        days: environment.dataBucket.captureRetentionDays,
        source: 'dataBucket.captureRetentionDays',
      },
      {
        what: 'Drift and compliance reports',
        days: environment.dataBucket.reportRetentionDays,
        source: 'dataBucket.reportRetentionDays',
      },
      {
        what: 'CloudWatch log groups (functions, API, WAF, flow logs)',
        days: environment.logRetentionDays,
        source: 'logRetentionDays',
      },
      {
        what: 'S3 access logs',
        days: environment.accessLogRetentionDays,
        source: 'accessLogRetentionDays',
      },
      {
        what: 'CloudTrail log files (locked, then expired)',
        days: environment.audit.trailRetentionDays,
        source: 'audit.trailRetentionDays',
      },
    ],
    transfers: { regions: [model.region], assessment: transferAssessment(model.region) },
    safeguards,
    needsAPerson: NEEDS_A_PERSON,
  };
}

/** Article titles for the safeguards table. */
export const articleTitle = (article: GdprArticle) => GDPR_ARTICLES[article];
