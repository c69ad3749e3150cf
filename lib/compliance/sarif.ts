import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONTROLS, ControlStatus } from './catalogue';
import { CONTROL_FRAMEWORKS, frameworkTags } from './frameworks';
import { ComplianceReport } from './report';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const REPORT_TOOL_NAME = 'churn-compliance-report';

type Level = 'error' | 'warning' | 'note' | 'none';
type Kind = 'fail' | 'pass' | 'review' | 'notApplicable';

const RESULT_SHAPE: Readonly<Record<ControlStatus, { level: Level; kind: Kind }>> = {
  failing: { level: 'error', kind: 'fail' },
  documented: { level: 'note', kind: 'review' },
  'verified-at-runtime': { level: 'none', kind: 'pass' },
  enforced: { level: 'none', kind: 'pass' },
  'not-applicable': { level: 'none', kind: 'notApplicable' },
};

export interface SarifLog {
  readonly $schema: string;
  readonly version: '2.1.0';
  readonly runs: ReadonlyArray<{
    readonly tool: {
      readonly driver: {
        readonly name: string;
        readonly version?: string;
        readonly rules: ReadonlyArray<Record<string, unknown>>;
      };
    };
    readonly originalUriBaseIds?: Record<string, { uri: string }>;
    readonly results: ReadonlyArray<Record<string, unknown>>;
  }>;
}

function location(templatePath: string, logicalId: string | undefined, constructPath: string | undefined) {
  return {
    physicalLocation: { artifactLocation: { uri: templatePath.split('\\').join('/'), uriBaseId: 'CDKOUT' } },
    ...(constructPath || logicalId
      ? {
          logicalLocations: [
            { fullyQualifiedName: constructPath ?? logicalId, name: logicalId, kind: 'resource' },
          ],
        }
      : {}),
  };
}

/**
 * SARIF 2.1.0 for code-scanning dashboards: one rule per control (tagged with its framework ids), one
 * result per control and
 * environment (failing ones as errors, the rest as passes so dashboards show coverage), and each
 * acknowledged rule-pack finding as a result suppressed with its reason.
 */
export function toSarif(report: ComplianceReport): SarifLog {
  const rules: Array<Record<string, unknown>> = CONTROLS.map((c) => ({
    id: c.id,
    name: c.id.replace('-', ''),
    shortDescription: { text: `${c.id}: ${c.title.split(/(?<=[.:;])\s/)[0]}` },
    fullDescription: { text: c.title },
    defaultConfiguration: { level: 'error' },
    // Code-scanning dashboards filter by tags; the mapped framework ids are also kept by framework.
    properties: {
      tags: frameworkTags(c.id),
      'nist-800-53': CONTROL_FRAMEWORKS[c.id].nist,
      'iso-27001': CONTROL_FRAMEWORKS[c.id].iso,
      gdpr: CONTROL_FRAMEWORKS[c.id].gdpr,
    },
  }));
  const results: Array<Record<string, unknown>> = [];
  for (const env of report.environments) {
    const fallback = env.stacks[0]?.templatePath ?? 'manifest.json';
    for (const c of env.controls) {
      const shape = RESULT_SHAPE[c.status];
      const located = [...c.problems, ...c.evidence].filter((e) => e.templatePath);
      const locations = (located.length ? located.slice(0, 10) : [{ templatePath: fallback }]).map((e) =>
        location(
          e.templatePath!,
          'logicalId' in e ? e.logicalId : undefined,
          'path' in e ? e.path : undefined,
        ),
      );
      const detail = c.problems.length ? c.problems.map((p) => p.text).join('; ') : c.summary;
      results.push({
        ruleId: c.id,
        ruleIndex: CONTROLS.findIndex((x) => x.id === c.id),
        level: shape.level,
        kind: shape.kind,
        message: { text: `[${env.name}] ${c.id} ${c.status}: ${detail}` },
        locations,
        properties: { environment: env.name, status: c.status, frameworks: frameworkTags(c.id) },
      });
    }
    for (const a of env.acknowledgments) {
      let index = rules.findIndex((r) => r.id === a.ruleId);
      if (index < 0) {
        index =
          rules.push({
            id: a.ruleId,
            shortDescription: { text: `${a.pack} rule ${a.ruleId}` },
            defaultConfiguration: { level: 'warning' },
          }) - 1;
      }
      results.push({
        ruleId: a.ruleId,
        ruleIndex: index,
        level: 'warning',
        kind: 'fail',
        message: { text: `[${env.name}] ${a.ruleId} acknowledged on ${a.path}` },
        locations: [location(a.templatePath, a.logicalId, a.path)],
        suppressions: [{ kind: 'external', status: 'accepted', justification: a.reason }],
      });
    }
  }
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: REPORT_TOOL_NAME, version: '1.0.0', rules } },
        // SARIF wants an absolute URI ending in '/' for a base id; template URIs stay relative to it.
        originalUriBaseIds: {
          CDKOUT: { uri: `${pathToFileURL(path.resolve(report.assemblyDirectory)).href}/` },
        },
        results,
      },
    ],
  };
}
