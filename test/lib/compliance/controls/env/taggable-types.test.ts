import { spawnSync } from 'node:child_process';
import { TAGGABLE_TYPES, UNTAGGABLE_TYPES } from '../../../../../lib/compliance/controls/env/taggable-types';

/**
 * ENV-3's lists against the CloudFormation registry schemas cfn-lint ships: `tagging.taggable`, or a
 * `Tags` property where a schema has no tagging section.
 */
const SCRIPT = `
import json, sys
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER as m
out = {}
for t in json.load(sys.stdin):
    s = m.get_resource_schema('eu-west-1', t).schema
    tagging = s.get('tagging')
    out[t] = tagging['taggable'] if tagging and 'taggable' in tagging else 'Tags' in s.get('properties', {})
print(json.dumps(out))
`;

describe('ENV-3: which resource types CloudFormation can tag', () => {
  test('ENV-3: the taggable and untaggable lists agree with the CloudFormation registry schemas', () => {
    const run = spawnSync('python3', ['-c', SCRIPT], {
      input: JSON.stringify([...TAGGABLE_TYPES, ...UNTAGGABLE_TYPES]),
      encoding: 'utf8',
    });
    if (run.error || run.status !== 0)
      throw new Error(
        `python3 with cfn-lint is needed for this test (pip install cfn-lint): ${run.error?.message ?? run.stderr}`,
      );
    const taggable = JSON.parse(run.stdout) as Record<string, boolean>;
    const wrong = [
      ...TAGGABLE_TYPES.filter((t) => taggable[t] !== true).map((t) => `${t} is listed as taggable`),
      ...UNTAGGABLE_TYPES.filter((t) => taggable[t] !== false).map((t) => `${t} is listed as untaggable`),
    ];
    expect(wrong).toEqual([]);
    expect(TAGGABLE_TYPES.filter((t) => UNTAGGABLE_TYPES.includes(t))).toEqual([]);
  });
});
