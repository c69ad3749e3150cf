export * from './errors';
export * from './metadata';
export * from './packages';
export * from './publish';
export * from './approval';
export * from './s3-uri';
export * from './xgboost-image';
