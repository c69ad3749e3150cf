import { CreateClassificationJobCommand, Macie2Client } from '@aws-sdk/client-macie2';
import { mockClient } from 'aws-sdk-client-mock';
import { createEvent } from './events';

// Class-level mock: it also covers the client the handler creates at module scope.
const macie = mockClient(Macie2Client);

beforeAll(() => {
  process.env['POWERTOOLS_LOG_LEVEL'] = 'SILENT';
});

test('the handler passes the CloudFormation event to the core with its module-scope client', async () => {
  // Prepare
  macie.on(CreateClassificationJobCommand).resolves({ jobId: '3ce05dbb7ec5505def334104bf6a0001' });
  const { handler } = await import('../../../lambda/macie-job/handler');

  // Act
  const response = await handler(createEvent());

  // Assess
  expect(macie.commandCalls(CreateClassificationJobCommand)).toHaveLength(1);
  expect(response.PhysicalResourceId).toBe('3ce05dbb7ec5505def334104bf6a0001');
});
