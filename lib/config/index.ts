export * from './types';
export * from './naming';
export * from './validate';
export * from './load';
