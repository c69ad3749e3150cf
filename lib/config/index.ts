export * from './schema';
export * from './naming';
export * from './load';
