import { randomBytes } from 'node:crypto';
import { allTemplates, buildTestApp, resourcesOfType } from '../../helpers/app';
import { looksRandom, scanTemplate, SECRET_NAME, shannonEntropy } from '../../helpers/secret-scanner';

/** SEC-1: no template of any stage, and no Lambda environment in them, holds a secret-looking value. */

const testApp = buildTestApp();
const templates = allTemplates(testApp);

test('every stage is scanned: all environments, every stack, every Lambda function', () => {
  expect(testApp.stages.map((s) => s.stageName).sort()).toEqual(['Dev', 'Prod', 'Test']);
  const labels = templates.map((t) => t.label);
  for (const stage of ['Dev', 'Test', 'Prod']) {
    for (const stack of ['Keys', 'Network', 'Data', 'Audit', 'DataProtection']) {
      expect(labels).toContain(`${stage}/${stack}`);
    }
  }
  const functions = templates.flatMap(({ template }) => resourcesOfType(template, 'AWS::Lambda::Function'));
  // At least the Macie job handler and framework, the MFA check and the rotation function per stage.
  expect(functions.length).toBeGreaterThanOrEqual(3 * 4);
});

test('SEC-1: no synthesized template contains a secret-looking value', () => {
  const findings = templates.flatMap(({ label, template }) => scanTemplate(label, template.toJSON()));
  expect(findings).toEqual([]);
});

test('the runtime secret reaches the template only as generation settings, never as a value', () => {
  for (const { template } of templates) {
    for (const [, secret] of resourcesOfType(template, 'AWS::SecretsManager::Secret')) {
      expect(secret.Properties).not.toHaveProperty('SecretString');
      expect(secret.Properties).toHaveProperty('GenerateSecretString');
    }
  }
});

describe('the scanner catches planted secrets', () => {
  /** A deep copy of a real synthesized template with one Lambda function to plant values in. */
  function realTemplateWithFunction() {
    const found = templates.find(
      ({ template }) => resourcesOfType(template, 'AWS::Lambda::Function').length > 0,
    )!;
    const json = JSON.parse(JSON.stringify(found.template.toJSON()));
    const [functionId] = resourcesOfType(found.template, 'AWS::Lambda::Function')[0]!;
    const variables = (json.Resources[functionId].Properties.Environment ??= { Variables: {} }).Variables;
    return { json, functionId, variables, label: found.label };
  }

  test('an AWS access key id anywhere, e.g. in a tag', () => {
    const { json, functionId, label } = realTemplateWithFunction();
    json.Resources[functionId].Properties.Tags = [{ Key: 'note', Value: 'ci uses AKIAABCDEFGHIJKLMNOP' }];
    expect(scanTemplate(label, json)).toEqual([
      expect.objectContaining({
        rule: 'aws-access-key',
        where: expect.stringContaining(`${functionId}/Properties/Tags`),
      }),
    ]);
  });

  test('temporary (ASIA) keys and PEM private keys, e.g. in custom-resource properties', () => {
    const findings = scanTemplate('planted', {
      Resources: {
        Thing: {
          Type: 'Custom::Thing',
          Properties: {
            Session: 'ASIAZZZZZZZZZZZZZZZZ',
            Pem: '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----',
          },
        },
      },
    });
    expect(findings.map((f) => f.rule).sort()).toEqual(['aws-access-key', 'private-key']);
  });

  test('a random-looking literal in a Lambda environment, whatever the variable is called', () => {
    const { json, label } = realTemplateWithFunction();
    const planted = realTemplateWithFunction();
    planted.variables.WEBHOOK_SIG = 'k3J9xQ2vL8mN4pR7tW1yB6cF0hG5jS+a/Q==';
    const findings = scanTemplate(planted.label, planted.json);
    expect(findings).toEqual([
      expect.objectContaining({
        rule: 'high-entropy-env',
        where: expect.stringContaining('Variables/WEBHOOK_SIG'),
      }),
    ]);
    // The finding never repeats the value.
    expect(JSON.stringify(findings)).not.toContain(planted.variables.WEBHOOK_SIG);
    expect(scanTemplate(label, json)).toEqual([]);
  });

  test('a literal under a secret-like name, in an environment or any property', () => {
    const { json, variables, label, functionId } = realTemplateWithFunction();
    variables.DB_PASSWORD = 'hunter2hunter2';
    json.Resources[functionId].Properties.ClientSecret = 'abc';
    json.Resources[functionId].Properties.AuthToken = 'x';
    const findings = scanTemplate(label, json);
    expect(
      findings.filter((f) => f.rule === 'secret-named-literal').map((f) => f.where.split('/').pop()),
    ).toEqual(expect.arrayContaining(['DB_PASSWORD', 'ClientSecret', 'AuthToken']));
  });

  test('references to secrets, digests, names and intrinsics are not findings', () => {
    const findings = scanTemplate('clean', {
      Resources: {
        Fn: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            Environment: {
              Variables: {
                SIGNING_SECRET_ARN:
                  'arn:aws:secretsmanager:eu-west-1:111111111111:secret:churn-webhook-AbCdEf',
                API_TOKEN_SECRET: { Ref: 'Secret' },
                MODEL_SHA256: randomBytes(32).toString('hex'),
                BUCKET_NAME: 'churn-prod-model-333333333333-eu-west-1',
                METRIC_NAMESPACE: 'churn/prod',
                DEPLOYED_AT: '2026-11-23T00:35:39.123Z',
              },
            },
          },
        },
        Job: { Type: 'Custom::Job', Properties: { ServiceToken: 'arn:aws:lambda:eu-west-1:1:function:f' } },
        Secret: {
          Type: 'AWS::SecretsManager::Secret',
          Properties: { GenerateSecretString: { PasswordLength: 64 } },
        },
      },
    });
    expect(findings).toEqual([]);
  });

  test('the randomness test separates generated tokens from readable identifiers', () => {
    expect(looksRandom('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY')).toBe(true);
    expect(looksRandom('q7Rz2LmX9vT4bN8kW3sY')).toBe(true);
    expect(looksRandom('token.actions.githubusercontent.com')).toBe(false);
    expect(looksRandom('churn-dev-data-111111111111-eu-west-1')).toBe(false);
    expect(looksRandom('--enable-source-maps')).toBe(false);
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBe(2);
    expect(SECRET_NAME.test('PasswordLength')).toBe(true);
    expect(SECRET_NAME.test('Passthrough')).toBe(false);
  });
});
