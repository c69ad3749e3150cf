import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  judgeFindings,
  loadAccepted,
  parseCfnLintJson,
  type CfnLintFinding,
} from '../../../src/cfn-lint/judge';

/** ENV-4: cfn-lint in the gate fails on every error and on every warning nobody accepted with a reason. */

const dir = mkdtempSync(path.join(tmpdir(), 'cfn-lint-judge-'));
const template = path.join(dir, 'Stack.template.json');
writeFileSync(
  template,
  JSON.stringify({
    Resources: {
      Scaling: { Type: 'AWS::ApplicationAutoScaling::ScalableTarget' },
      Bucket: { Type: 'AWS::S3::Bucket' },
    },
  }),
);

function finding(rule: string, level: string, resource: string, property: string): unknown {
  return {
    Rule: { Id: rule },
    Level: level,
    Message: `${rule} on ${resource}`,
    Filename: template,
    Location: { Path: ['Resources', resource, 'Properties', property] },
  };
}

const ACCEPTED = path.join(dir, 'accepted.json');
function accepted(entries: unknown[]): string {
  writeFileSync(ACCEPTED, JSON.stringify({ accepted: entries }));
  return ACCEPTED;
}
const reason = 'a reason long enough for a reviewer to judge whether it still holds';

test('ENV-4 errors fail; an accepted warning and a scoped linter defect pass; informational findings never fail', () => {
  const findings = parseCfnLintJson(
    JSON.stringify([
      finding('E3002', 'Error', 'Scaling', 'Tags'),
      finding('E3002', 'Error', 'Bucket', 'Tags'),
      finding('E3012', 'Error', 'Bucket', 'BucketName'),
      finding('W3005', 'Warning', 'Bucket', 'DependsOn'),
      finding('W1001', 'Warning', 'Bucket', 'Tags'),
      finding('I3042', 'Informational', 'Bucket', 'Tags'),
    ]),
  );
  expect(findings[0]!.resourceType).toBe('AWS::ApplicationAutoScaling::ScalableTarget');
  const judgement = judgeFindings(
    findings,
    loadAccepted(
      accepted([
        { rule: 'W3005', reason },
        {
          rule: 'E3002',
          resourceType: 'AWS::ApplicationAutoScaling::ScalableTarget',
          pathElement: 'Tags',
          linterDefect: true,
          reason,
        },
      ]),
    ),
  );
  const ids = (list: readonly CfnLintFinding[]) => list.map((f) => `${f.rule} ${f.path[1]}`);
  expect(ids(judgement.failing)).toEqual(['E3002 Bucket', 'E3012 Bucket', 'W1001 Bucket']);
  expect(ids(judgement.accepted.map((a) => a.finding))).toEqual(['E3002 Scaling', 'W3005 Bucket']);
  expect(judgement.informational).toBe(1);
});

test('an accepted entry needs a reason, and an error may be accepted only as a scoped linter defect', () => {
  expect(() => loadAccepted(accepted([{ rule: 'W3005', reason: 'short' }]))).toThrow(/reason of at least 40/);
  expect(() => loadAccepted(accepted([{ rule: 'E3002', reason }]))).toThrow(/only a linter defect/);
  expect(() => loadAccepted(accepted([{ rule: 'E3002', reason, linterDefect: true }]))).toThrow(
    /scoped to a resourceType and pathElement/,
  );
});

test("the project's accepted file is valid and every entry has its reason", () => {
  const entries = loadAccepted(path.join(__dirname, '..', '..', '..', 'cfn-lint-accepted.json'));
  expect(entries.map((e) => e.rule)).toEqual(['W3005', 'E3002', 'E3002']);
});
