import {
  environmentContract,
  integer,
  list,
  number,
  oneOf,
  optional,
  text,
} from '../../../lambda/shared/environment-contract';

const contract = environmentContract({
  bucket: text('BUCKET'),
  mode: oneOf('MODE', ['a', 'b']),
  limit: integer('LIMIT'),
  ratio: number('RATIO'),
  alarms: list('ALARMS'),
  endpoint: optional(text('ENDPOINT')),
});

describe('environment contract: what a construct renders is what its handler reads', () => {
  test('render writes each variable by its name, and read gives the same typed values back', () => {
    const values = { bucket: 'b', mode: 'b' as const, limit: 3, ratio: 0.5, alarms: ['x', 'y'] };
    const rendered = contract.render(values);
    expect({ ...rendered }).toEqual({ BUCKET: 'b', MODE: 'b', LIMIT: '3', RATIO: '0.5', ALARMS: 'x,y' });
    expect(contract.read(rendered)).toEqual(values);
  });

  test('a missing variable fails naming it; several fail together, each named', () => {
    const full = { BUCKET: 'b', MODE: 'a', LIMIT: '1', RATIO: '1', ALARMS: 'x' };
    expect(() => contract.read({ ...full, BUCKET: undefined })).toThrow(
      'environment variable BUCKET is required but not set',
    );
    expect(() => contract.read({ ...full, MODE: 'c', LIMIT: '1.5', RATIO: 'x' })).toThrow(
      "environment variables: MODE must be 'a' or 'b', got 'c'; LIMIT must be an integer, got '1.5'; RATIO must be a number, got 'x'",
    );
  });

  test('an optional variable may be absent, and need() names it where the configuration requires it', () => {
    const values = contract.read({ BUCKET: 'b', MODE: 'a', LIMIT: '1', RATIO: '1', ALARMS: 'x' });
    expect(values.endpoint).toBeUndefined();
    expect(() => contract.need(values, 'endpoint', 'in mode a')).toThrow(
      'environment variable ENDPOINT is required in mode a but not set',
    );
    expect(contract.render(values)).not.toHaveProperty('ENDPOINT');
  });
});
