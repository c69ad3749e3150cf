/**
 * Framework mappings (AUD-5): every control of the catalogue mapped to NIST SP 800-53 Rev. 5 controls,
 * ISO/IEC 27001:2022 Annex A controls and, where personal data is concerned, GDPR articles.
 *
 * This is the one place the mapping lives. It is data, reviewed by people, and a judgment: which
 * framework requirement a project control helps meet, not an official crosswalk and not a claim that
 * the framework control is met in full (most need organisational measures no template can show).
 * The identifiers are typed, so a mapping to a framework control missing from the tables below, or a
 * control without a mapping, fails type-checking; `test/lib/compliance/frameworks.test.ts` checks the
 * rest (every control mapped to NIST and ISO, personal-data controls to GDPR, no unused table entry).
 *
 * Sources of the titles:
 * - NIST SP 800-53 Rev. 5 (September 2020, incl. updates of 10 December 2020), control names.
 * - ISO/IEC 27001:2022, Annex A (information security controls reference), control titles.
 * - Regulation (EU) 2016/679 (GDPR), article titles.
 */
import { ControlId } from './catalogue';

/** NIST SP 800-53 Rev. 5 controls (and enhancements) the project controls map to, with their names. */
export const NIST_800_53 = {
  'AC-2': 'Account Management',
  'AC-3': 'Access Enforcement',
  'AC-4': 'Information Flow Enforcement',
  'AC-6': 'Least Privilege',
  'AU-2': 'Event Logging',
  'AU-3(3)': 'Content of Audit Records | Limit Personally Identifiable Information Elements',
  'AU-5': 'Response to Audit Logging Process Failures',
  'AU-6': 'Audit Record Review, Analysis, and Reporting',
  'AU-9': 'Protection of Audit Information',
  'AU-10': 'Non-repudiation',
  'AU-11': 'Audit Record Retention',
  'AU-12': 'Audit Record Generation',
  'CA-2': 'Control Assessments',
  'CA-7': 'Continuous Monitoring',
  'CM-2': 'Baseline Configuration',
  'CM-3': 'Configuration Change Control',
  'CM-4': 'Impact Analyses',
  'CM-6': 'Configuration Settings',
  'CM-7': 'Least Functionality',
  'CM-8': 'System Component Inventory',
  'CM-12': 'Information Location',
  'CM-14': 'Signed Components',
  'CP-9': 'System Backup',
  'CP-10': 'System Recovery and Reconstitution',
  'IA-2': 'Identification and Authentication (Organizational Users)',
  'IA-5': 'Authenticator Management',
  'IA-9': 'Service Identification and Authentication',
  'IR-4': 'Incident Handling',
  'IR-6': 'Incident Reporting',
  'PM-5(1)': 'System Inventory | Inventory of Personally Identifiable Information',
  'PT-5': 'Privacy Notice',
  'RA-2': 'Security Categorization',
  'RA-3': 'Risk Assessment',
  'RA-5': 'Vulnerability Monitoring and Scanning',
  'RA-8': 'Privacy Impact Assessments',
  'SA-10': 'Developer Configuration Management',
  'SA-11': 'Developer Testing and Evaluation',
  'SA-15': 'Development Process, Standards, and Tools',
  'SC-5': 'Denial-of-service Protection',
  'SC-7': 'Boundary Protection',
  'SC-8': 'Transmission Confidentiality and Integrity',
  'SC-12': 'Cryptographic Key Establishment and Management',
  'SC-13': 'Cryptographic Protection',
  'SC-24': 'Fail in Known State',
  'SC-28': 'Protection of Information at Rest',
  'SC-32': 'System Partitioning',
  'SC-39': 'Process Isolation',
  'SI-4': 'System Monitoring',
  'SI-7': 'Software, Firmware, and Information Integrity',
  'SI-10': 'Information Input Validation',
  'SI-12': 'Information Management and Retention',
  'SI-12(1)': 'Information Management and Retention | Limit Personally Identifiable Information Elements',
  'SI-17': 'Fail-safe Procedures',
  'SI-19': 'De-identification',
  'SR-3': 'Supply Chain Controls and Processes',
  'SR-4': 'Provenance',
  'SR-11': 'Component Authenticity',
} as const;

/** ISO/IEC 27001:2022 Annex A controls the project controls map to, with their titles. */
export const ISO_27001_ANNEX_A = {
  'A.5.8': 'Information security in project management',
  'A.5.9': 'Inventory of information and other associated assets',
  'A.5.12': 'Classification of information',
  'A.5.13': 'Labelling of information',
  'A.5.14': 'Information transfer',
  'A.5.15': 'Access control',
  'A.5.16': 'Identity management',
  'A.5.17': 'Authentication information',
  'A.5.18': 'Access rights',
  'A.5.19': 'Information security in supplier relationships',
  'A.5.21': 'Managing information security in the ICT supply chain',
  'A.5.23': 'Information security for use of cloud services',
  'A.5.24': 'Information security incident management planning and preparation',
  'A.5.25': 'Assessment and decision on information security events',
  'A.5.26': 'Response to information security incidents',
  'A.5.28': 'Collection of evidence',
  'A.5.30': 'ICT readiness for business continuity',
  'A.5.31': 'Legal, statutory, regulatory and contractual requirements',
  'A.5.33': 'Protection of records',
  'A.5.34': 'Privacy and protection of PII',
  'A.5.35': 'Independent review of information security',
  'A.5.36': 'Compliance with policies, rules and standards for information security',
  'A.5.37': 'Documented operating procedures',
  'A.8.2': 'Privileged access rights',
  'A.8.3': 'Information access restriction',
  'A.8.5': 'Secure authentication',
  'A.8.6': 'Capacity management',
  'A.8.8': 'Management of technical vulnerabilities',
  'A.8.9': 'Configuration management',
  'A.8.10': 'Information deletion',
  'A.8.11': 'Data masking',
  'A.8.12': 'Data leakage prevention',
  'A.8.13': 'Information backup',
  'A.8.15': 'Logging',
  'A.8.16': 'Monitoring activities',
  'A.8.19': 'Installation of software on operational systems',
  'A.8.20': 'Networks security',
  'A.8.21': 'Security of network services',
  'A.8.22': 'Segregation of networks',
  'A.8.24': 'Use of cryptography',
  'A.8.25': 'Secure development life cycle',
  'A.8.26': 'Application security requirements',
  'A.8.29': 'Security testing in development and acceptance',
  'A.8.31': 'Separation of development, test and production environments',
  'A.8.32': 'Change management',
} as const;

/** GDPR articles the project controls help meet, with their titles. */
export const GDPR_ARTICLES = {
  'Art. 5': 'Principles relating to processing of personal data',
  'Art. 22': 'Automated individual decision-making, including profiling',
  'Art. 25': 'Data protection by design and by default',
  'Art. 30': 'Records of processing activities',
  'Art. 32': 'Security of processing',
  'Art. 35': 'Data protection impact assessment',
} as const;

export type NistControl = keyof typeof NIST_800_53;
export type IsoControl = keyof typeof ISO_27001_ANNEX_A;
export type GdprArticle = keyof typeof GDPR_ARTICLES;

export interface FrameworkMapping {
  readonly nist: readonly NistControl[];
  readonly iso: readonly IsoControl[];
  /** Empty where the control does not concern personal data. */
  readonly gdpr: readonly GdprArticle[];
  /** Why a mapping that is not obvious was chosen, for the reviewer. */
  readonly note?: string;
}

export type FrameworkKey = keyof Pick<FrameworkMapping, 'nist' | 'iso' | 'gdpr'>;

export interface Framework {
  readonly key: FrameworkKey;
  /** Stable id used in file names, anchors, JSON and SARIF (`nist-800-53:SC-7`). */
  readonly id: string;
  readonly name: string;
  readonly source: string;
  /** The framework's controls this project maps to, in the framework's order, with their titles. */
  readonly controls: Readonly<Record<string, string>>;
}

export const FRAMEWORKS: readonly Framework[] = [
  {
    key: 'nist',
    id: 'nist-800-53',
    name: 'NIST SP 800-53 Rev. 5',
    source: 'NIST SP 800-53 Rev. 5, Security and Privacy Controls for Information Systems and Organizations',
    controls: NIST_800_53,
  },
  {
    key: 'iso',
    id: 'iso-27001',
    name: 'ISO/IEC 27001:2022 Annex A',
    source: 'ISO/IEC 27001:2022, Annex A: information security controls reference',
    controls: ISO_27001_ANNEX_A,
  },
  {
    key: 'gdpr',
    id: 'gdpr',
    name: 'GDPR',
    source: 'Regulation (EU) 2016/679, General Data Protection Regulation',
    controls: GDPR_ARTICLES,
  },
];

/**
 * The mapping, one entry per control (the type makes it total). Reviewed for issue 15; change it in a
 * reviewed commit, with the reason in the commit message or a `note`.
 */
export const CONTROL_FRAMEWORKS: { readonly [Id in ControlId]: FrameworkMapping } = {
  'ENV-1': { nist: ['SC-32', 'CM-2', 'CM-6'], iso: ['A.8.31', 'A.8.9'], gdpr: [] },
  'ENV-2': {
    nist: ['CP-9', 'CP-10', 'CM-3'],
    iso: ['A.8.13', 'A.8.32'],
    gdpr: ['Art. 32'],
    note: 'Art. 32(1)(c): retained keys, buckets and logs keep personal data available and restorable.',
  },
  'ENV-3': { nist: ['CM-8', 'RA-2'], iso: ['A.5.9', 'A.5.12', 'A.5.13'], gdpr: [] },
  'ENV-4': { nist: ['CM-3', 'CM-4'], iso: ['A.8.32', 'A.5.37'], gdpr: [] },
  'NET-1': { nist: ['SC-7', 'AC-4'], iso: ['A.8.20', 'A.8.22'], gdpr: ['Art. 32'] },
  'NET-2': { nist: ['SC-7', 'AC-4', 'AC-6'], iso: ['A.8.20', 'A.8.21', 'A.5.23'], gdpr: ['Art. 32'] },
  'NET-3': { nist: ['SC-7', 'AC-4', 'CM-7'], iso: ['A.8.20', 'A.8.22'], gdpr: [] },
  'NET-4': { nist: ['AU-2', 'AU-11', 'AU-12', 'SI-4'], iso: ['A.8.15', 'A.8.16'], gdpr: [] },
  'NET-5': { nist: ['SC-7', 'SC-5', 'SI-4'], iso: ['A.8.20', 'A.8.21', 'A.8.16'], gdpr: ['Art. 32'] },
  'NET-6': { nist: ['AC-3', 'AC-4', 'SC-7'], iso: ['A.5.15', 'A.8.3', 'A.8.12'], gdpr: ['Art. 32'] },
  'KEY-1': {
    nist: ['SC-28', 'SC-12', 'SC-13'],
    iso: ['A.8.24'],
    gdpr: ['Art. 32'],
    note: 'Art. 32(1)(a) names encryption of personal data.',
  },
  'KEY-2': { nist: ['SC-12', 'AC-3', 'AC-6'], iso: ['A.8.24', 'A.5.15', 'A.8.2'], gdpr: ['Art. 32'] },
  'KEY-3': { nist: ['SC-12', 'SC-28'], iso: ['A.8.24'], gdpr: ['Art. 32'] },
  'KEY-4': { nist: ['SC-8', 'SC-13'], iso: ['A.8.24', 'A.5.14'], gdpr: ['Art. 32'] },
  'SEC-1': { nist: ['IA-5', 'SC-12', 'SC-28'], iso: ['A.5.17', 'A.8.24'], gdpr: [] },
  'SEC-2': { nist: ['AC-6', 'AC-3'], iso: ['A.8.2', 'A.5.15', 'A.5.18'], gdpr: ['Art. 32'] },
  'SEC-3': { nist: ['IA-2', 'IA-5', 'AC-2', 'AC-6'], iso: ['A.5.16', 'A.5.17', 'A.8.5'], gdpr: [] },
  'SEC-4': {
    nist: ['IA-9', 'AC-3', 'SI-10', 'SC-5'],
    iso: ['A.8.5', 'A.8.26', 'A.5.15'],
    gdpr: ['Art. 32'],
  },
  'SEC-5': { nist: ['SR-3', 'SR-4', 'CM-8'], iso: ['A.5.21', 'A.5.19'], gdpr: [] },
  'DATA-1': {
    nist: ['SI-12(1)', 'SI-19', 'SI-10'],
    iso: ['A.8.11', 'A.5.34'],
    gdpr: ['Art. 5', 'Art. 25', 'Art. 32'],
    note: 'Art. 5(1)(c) data minimisation; Art. 32(1)(a) names pseudonymisation.',
  },
  'DATA-2': {
    nist: ['PM-5(1)', 'CM-12', 'SI-4'],
    iso: ['A.5.34', 'A.5.12', 'A.8.12'],
    gdpr: ['Art. 30', 'Art. 32'],
    note: 'Discovery shows where personal data is actually stored, which the records of processing (Art. 30) must state.',
  },
  'DATA-3': {
    nist: ['SI-12', 'AU-11'],
    iso: ['A.8.10', 'A.5.33'],
    gdpr: ['Art. 5', 'Art. 25'],
    note: 'Art. 5(1)(e) storage limitation; Art. 25(2) limits the period of storage by default.',
  },
  'DATA-4': {
    nist: ['AU-3(3)', 'SI-19'],
    iso: ['A.8.15', 'A.8.11', 'A.5.34'],
    gdpr: ['Art. 5', 'Art. 25', 'Art. 32'],
  },
  'DATA-5': {
    nist: ['PT-5'],
    iso: ['A.5.34'],
    gdpr: ['Art. 22', 'Art. 5'],
    note: 'NIST has no control for explaining automated decisions; PT-5 (privacy notice) is the nearest. Art. 22(3) needs human intervention on request, which the explanation supports but does not provide.',
  },
  'MODEL-1': { nist: ['SI-7', 'SC-28', 'CP-9'], iso: ['A.8.13', 'A.8.24', 'A.5.33'], gdpr: [] },
  'MODEL-2': { nist: ['CM-3', 'CM-2', 'SA-10'], iso: ['A.8.32', 'A.8.25', 'A.8.9'], gdpr: [] },
  'MODEL-3': { nist: ['SI-7', 'CM-14', 'SR-4', 'SR-11'], iso: ['A.8.19', 'A.8.24'], gdpr: [] },
  'MODEL-4': {
    nist: ['SC-7', 'SC-39', 'SC-28', 'AC-4'],
    iso: ['A.8.22', 'A.8.20', 'A.8.24'],
    gdpr: ['Art. 32'],
  },
  'MODEL-5': { nist: ['CM-3', 'CM-4', 'CP-10'], iso: ['A.8.32', 'A.8.29', 'A.5.30'], gdpr: [] },
  'MODEL-6': {
    nist: ['SI-7', 'SA-11', 'CM-4'],
    iso: ['A.8.29', 'A.8.32'],
    gdpr: ['Art. 5'],
    note: 'Art. 5(1)(d) accuracy: answers about a person are what the approved model computes.',
  },
  'MODEL-7': {
    nist: ['RA-3', 'SA-11', 'CA-2'],
    iso: ['A.8.29', 'A.5.8'],
    gdpr: ['Art. 32'],
    note: 'Art. 32(1)(d) asks for regular testing and assessment of the measures.',
  },
  'MON-1': {
    nist: ['SI-4', 'CA-7'],
    iso: ['A.8.16'],
    gdpr: ['Art. 5'],
    note: 'Art. 5(1)(d) accuracy: drifted inputs make decisions about people less accurate.',
  },
  'MON-2': { nist: ['SI-4', 'CA-7'], iso: ['A.8.16'], gdpr: ['Art. 5'] },
  'MON-3': { nist: ['IR-4', 'IR-6', 'SI-4', 'CP-10'], iso: ['A.5.24', 'A.5.26', 'A.8.16'], gdpr: [] },
  'MON-4': { nist: ['SI-4', 'AU-6'], iso: ['A.8.16', 'A.8.6'], gdpr: [] },
  'MON-5': { nist: ['SI-4', 'CA-7', 'IR-4'], iso: ['A.8.16', 'A.5.25'], gdpr: [] },
  'MON-6': { nist: ['SI-4', 'IR-4', 'RA-3'], iso: ['A.8.16', 'A.5.25'], gdpr: [] },
  'AUD-1': {
    nist: ['AU-2', 'AU-9', 'AU-10', 'AU-11', 'AU-12'],
    iso: ['A.8.15', 'A.5.28', 'A.5.33'],
    gdpr: ['Art. 32'],
  },
  'AUD-2': { nist: ['CA-2', 'CA-7', 'CM-6', 'SA-11'], iso: ['A.5.36', 'A.8.9', 'A.8.25'], gdpr: [] },
  'AUD-3': {
    nist: ['CA-2', 'CA-7'],
    iso: ['A.5.35', 'A.5.36'],
    gdpr: ['Art. 5'],
    note: 'Art. 5(2) accountability: the controller must be able to demonstrate compliance.',
  },
  'AUD-4': {
    nist: ['SA-11', 'SA-15', 'CM-3', 'SA-10', 'RA-5'],
    iso: ['A.8.25', 'A.8.29', 'A.8.32', 'A.8.8'],
    gdpr: [],
  },
  'AUD-5': {
    nist: ['RA-8', 'CA-2'],
    iso: ['A.5.31', 'A.5.34', 'A.5.36'],
    gdpr: ['Art. 35', 'Art. 30', 'Art. 5'],
  },
  'REL-1': { nist: ['SC-5', 'SC-24', 'SI-17'], iso: ['A.5.30', 'A.8.6'], gdpr: [] },
  'REL-2': {
    nist: ['AU-5', 'SI-4'],
    iso: ['A.8.16', 'A.5.30'],
    gdpr: [],
    note: 'AU-5 is about audit logging failures; capture records are not audit records, but a write that fails is handled the way AU-5 asks (counted, alarmed, retried).',
  },
};

/**
 * What is wrong with a mapping: a control without a NIST or ISO control, a privacy (DATA) control or
 * AUD-5 without a GDPR article, an id listed twice for one control. Empty for a complete mapping.
 */
export function mappingProblems(mapping: Readonly<Record<string, FrameworkMapping>>): string[] {
  const problems: string[] = [];
  for (const [id, m] of Object.entries(mapping)) {
    if (m.nist.length === 0) problems.push(`${id} is mapped to no NIST SP 800-53 control`);
    if (m.iso.length === 0) problems.push(`${id} is mapped to no ISO/IEC 27001 Annex A control`);
    if ((id.startsWith('DATA-') || id === 'AUD-5') && m.gdpr.length === 0)
      problems.push(`${id} concerns personal data but is mapped to no GDPR article`);
    for (const fw of FRAMEWORKS) {
      const ids = m[fw.key] as readonly string[];
      if (new Set(ids).size !== ids.length) problems.push(`${id} lists a ${fw.name} id twice`);
    }
  }
  return problems;
}

/** The framework ids a control maps to, as `<framework id>:<control>` (SARIF tags, JSON). */
export function frameworkTags(id: ControlId): string[] {
  const mapping = CONTROL_FRAMEWORKS[id];
  return FRAMEWORKS.flatMap((fw) => mapping[fw.key].map((c) => `${fw.id}:${c}`));
}
